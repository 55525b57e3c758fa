package io.creditproxy.settlement;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditproxy.billing.GhostJobs;
import io.creditproxy.billing.JobRepository;
import io.creditproxy.billing.JobStatus;
import io.creditproxy.billing.OpenJob;
import io.creditproxy.billing.Outcome;
import io.creditproxy.billing.OutcomeCheck;
import io.creditproxy.billing.SettlementService;
import io.creditproxy.common.ErrorBody;
import io.creditproxy.config.FalConfig;
import io.creditproxy.config.SettlementConfig;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The safety net of settlement: asks fal about jobs still open after a while (in bounded batches, with growing
 * back-off per job), and voids reservations whose submit never reached fal (the process died between the
 * reservation's commit and the forward). A job fal reports finished but whose outcome cannot be read stays held
 * until {@code settlement.undecided-after}, then is kept for review; ghosts (refunded jobs fal ran) whose webhook
 * did not say what fal delivered are asked about too. Several instances can run it at once: each claims its batch
 * with {@code FOR UPDATE SKIP LOCKED} and pushes the jobs' next check time forward before asking.
 */
@ApplicationScoped
public class Reconciler {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);

    private final JobRepository jobs;
    private final OutcomeCheck probe;
    private final SettlementService settlements;
    private final SettlementConfig config;
    private final FalConfig fal;
    private final ObjectMapper json;
    private final GhostJobs ghosts;
    private final ExecutorService launcher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "reconciler-probes");
        t.setDaemon(true);
        return t;
    });

    public Reconciler(JobRepository jobs, OutcomeCheck probe, SettlementService settlements, SettlementConfig config, FalConfig fal,
                      ObjectMapper json, GhostJobs ghosts) {
        this.json = json;
        this.ghosts = ghosts;
        this.fal = fal;
        this.jobs = jobs;
        this.probe = probe;
        this.settlements = settlements;
        this.config = config;
    }

    @Scheduled(every = "${settlement.reconcile-interval}", delayed = "${settlement.reconcile-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void run() {
        try {
            reconcile();
        } catch (RuntimeException e) {
            LOG.warnf("reconciler run failed: %s", e.toString());
        }
    }

    /** One pass. @return how many jobs it settled */
    public int reconcile() {
        int settled = voidOrphans();
        List<OpenJob> due = jobs.claimDue(config.checkBackoff(), config.maxCheckBackoff(), config.batchSize());
        // ghosts (refunded jobs fal ran) whose webhook did not say what fal delivered
        List<OpenJob> ghostsDue = ghosts.claimPending(config);
        if (due.isEmpty() && ghostsDue.isEmpty()) {
            return settled;
        }
        List<OpenJob> all = new ArrayList<>(due);
        all.addAll(ghostsDue);
        // The scheduler runs this on a Vert.x worker context; an HTTP call started there would call back on that
        // same (blocked) context. Started from a plain thread, the calls complete on the event loop instead.
        List<CompletableFuture<OutcomeCheck.Answer>> answers;
        try {
            answers = launcher.submit(() -> all.stream()
                    .map(job -> probe.check(job).toCompletionStage().toCompletableFuture()).toList()).get();
        } catch (Exception e) {
            return settled;
        }
        // one deadline for the whole batch: a probe is two upstream calls at most
        long deadline = System.nanoTime() + fal.connectTimeout().plus(fal.requestTimeout()).multipliedBy(2)
                .plusSeconds(1).toNanos();
        for (int i = 0; i < due.size(); i++) {
            settled += settleFrom(due.get(i), answers.get(i), deadline) ? 1 : 0;
        }
        for (int i = 0; i < ghostsDue.size(); i++) {
            ghostFrom(ghostsDue.get(i), answers.get(due.size() + i), deadline);
        }
        return settled;
    }

    @PreDestroy
    void stop() {
        launcher.shutdownNow();
    }

    private boolean settleFrom(OpenJob job, CompletableFuture<OutcomeCheck.Answer> pending, long deadline) {
        OutcomeCheck.Answer answer = await(job, pending, deadline);
        if (answer == null) {
            return false;
        }
        return switch (answer.state()) {
            case OUTCOME -> settlements.settle(job.id(), answer.outcome(), "reconciler");
            case OPEN -> {
                jobs.recordFalStatus(job.id(), answer.falStatus());
                yield false;
            }
            case UNDECIDED -> undecided(job, answer);
            case UNKNOWN -> expired(job);
            case UNCLEAR -> false;
        };
    }

    /** The answer of one probe, or null when it did not come in time (the job's next check is already scheduled). */
    private static OutcomeCheck.Answer await(OpenJob job, CompletableFuture<OutcomeCheck.Answer> pending, long deadline) {
        try {
            return pending.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // say which upstream call did not come back
            LOG.warnf("reconciler: no answer in time about job %s (%s)", job.id(), hostOf(job.statusUrl()));
            return null;
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * fal says the job finished without a failure, but what it delivered cannot be read: the job stays held (its
     * next check is scheduled with the back-off) until {@code settlement.undecided-after}, then its charge is kept
     * and it is flagged for review. Never refunded: fal ran it and may have billed it.
     */
    private boolean undecided(OpenJob job, OutcomeCheck.Answer answer) {
        jobs.recordFalStatus(job.id(), answer.falStatus());
        if (!jobs.olderThan(job.id(), config.undecidedAfter())) {
            LOG.warnf("job %s: %s; held, asked again later", job.id(), answer.undecided());
            return false;
        }
        boolean done = settlements.settle(job.id(), answer.outcome(), "reconciler");
        if (done) {
            LOG.warnf("job %s: still undecided after %s (%s); charge kept for review", job.id(), config.undecidedAfter(),
                    answer.undecided());
        }
        return done;
    }

    /** A ghost's probe: what fal delivered, or, once fal cannot tell any more, stop asking. */
    private void ghostFrom(OpenJob job, CompletableFuture<OutcomeCheck.Answer> pending, long deadline) {
        OutcomeCheck.Answer answer = await(job, pending, deadline);
        if (answer == null) {
            return;
        }
        switch (answer.state()) {
            case OUTCOME -> ghosts.resolve(job.id(), answer.outcome());
            case UNDECIDED -> {
                if (jobs.olderThan(job.id(), config.undecidedAfter())) {
                    ghosts.giveUp(job.id(), "what fal delivered is still unreadable (" + answer.undecided() + ")");
                }
            }
            case UNKNOWN -> {
                if (jobs.olderThan(job.id(), config.unknownAfter())) {
                    ghosts.giveUp(job.id(), "fal no longer knows the request");
                }
            }
            case OPEN, UNCLEAR -> {
                // ask again at the next check
            }
        }
    }

    /** fal no longer knows the job. Too young: ask again later. Old enough: apply the configured policy. */
    private boolean expired(OpenJob job) {
        if (!jobs.olderThan(job.id(), config.unknownAfter())) {
            return false;
        }
        Outcome outcome = config.expiredPolicy() == SettlementConfig.ExpiredPolicy.refund
                ? Outcome.voided(JobStatus.EXPIRED, "fal no longer knows this request; refunded by policy", null)
                // fal may have billed the operator: keep the charge and flag the job, never refund silently
                : new Outcome(Outcome.Kind.KEPT_FOR_REVIEW, JobStatus.EXPIRED, null, null, null,
                "fal no longer knows this request; charge kept for review");
        boolean done = settlements.settle(job.id(), outcome, "reconciler");
        if (done) {
            LOG.warnf("job %s: fal no longer knows it; settled by the '%s' policy", job.id(), config.expiredPolicy());
        }
        return done;
    }

    /** Replayed for the Idempotency-Key of a reservation that never reached fal and was voided. */
    private static final ErrorBody NOT_FORWARDED = ErrorBody.of("not_forwarded",
            "This request never reached fal and its price was refunded; send it again with a new Idempotency-Key.");

    @Transactional
    int voidOrphans() {
        int n = 0;
        for (UUID id : jobs.lockOrphans(config.orphanAfter(), config.batchSize())) {
            if (settlements.settle(id, Outcome.voided(JobStatus.REJECTED, "never forwarded to fal", null), "reconciler")) {
                // the answer an Idempotency-Key replay gets from now on (instead of "still in progress" forever)
                jobs.recordNotForwarded(id, 503, json.valueToTree(NOT_FORWARDED).toString());
                n++;
            }
        }
        if (n > 0) {
            LOG.warnf("voided %d reservation(s) that never reached fal", n);
        }
        return n;
    }

    private static String hostOf(String url) {
        try {
            return java.net.URI.create(url).getAuthority();
        } catch (RuntimeException e) {
            return "unparsable URL";
        }
    }
}
