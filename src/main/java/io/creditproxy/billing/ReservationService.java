package io.creditproxy.billing;

import io.creditproxy.billing.JobRepository.Accepted;
import io.creditproxy.billing.JobRepository.FirstAnswer;
import io.creditproxy.billing.JobRepository.NewJob;
import io.creditproxy.billing.JobRepository.ReserveBatch;
import io.creditproxy.common.ApiException;
import io.creditproxy.common.GroupCommit;
import io.creditproxy.config.ProxyConfig;
import io.creditproxy.config.SettlementConfig;
import io.creditproxy.ledger.InsufficientCreditsException;
import io.creditproxy.ledger.KeyQuotaExceededException;
import io.creditproxy.ledger.LedgerKind;
import io.creditproxy.observability.Metrics;
import io.creditproxy.pricing.Quote;
import io.creditproxy.tenant.Caller;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Where a submit is charged. {@link #reserve} takes the price from the balance and writes the job row and
 * the ledger entry in one transaction, before anything is forwarded; {@link #accepted} and
 * {@link #rejected} record fal's answer, and a rejection gives the whole price back exactly once.
 *
 * <p>Reservations and accepted answers are group-committed ({@link GroupCommit}): the submits waiting at the same
 * moment share one transaction and one commit. A tenant's reservations always go to the same lane, in the order
 * they came; inside a batch they are written by tenant id, so batches (of this and other instances) lock tenant
 * rows in the same order. Each reservation is one statement ({@link JobRepository.ReserveBatch#reserve}) whose
 * balance movement is the ledger's ({@link io.creditproxy.ledger.ReserveStatement}): a conditional update of the
 * balance (never below minus the credit limit) and the ledger entry with the balance after it.
 */
@ApplicationScoped
public class ReservationService {

    /** The outcome of {@link #reserve}: a fresh reservation, or the stored answer of an idempotent replay. */
    public sealed interface Reservation permits Reserved, Replay {
    }

    public record Reserved(UUID jobId) implements Reservation {
    }

    public record Replay(int status, String body) implements Reservation {
    }

    private static final Logger LOG = Logger.getLogger(ReservationService.class);

    /** How long a submit waits for its batch to commit before answering 503 (the reconciler repairs the rest). */
    private static final long COMMIT_WAIT_MILLIS = 30_000;

    /** A submit to reserve. */
    private record Charge(Caller caller, Quote quote, UUID jobId, String idempotencyKey, String requestHash,
                          String tenantWebhook) {
    }

    /** What the batch found: reserved, the first answer under the same key, or the balance that did not cover it. */
    private sealed interface Charged {
    }

    private record Done(UUID jobId) implements Charged {
    }

    private record Duplicate(FirstAnswer first) implements Charged {
    }

    private record Short(Long balance) implements Charged {
    }

    /** The key's remaining credit quota did not cover the price (nothing was charged). */
    private record OverQuota(long quota, long used) implements Charged {
    }

    private final JobRepository jobs;
    private final SettlementService settlements;
    private final SettlementConfig settlementConfig;
    private final Metrics metrics;
    private final GhostJobs ghosts;
    private final GroupCommit<Charge, Charged> reservations;
    private final GroupCommit<Accepted, Boolean> answers;

    public ReservationService(JobRepository jobs, SettlementService settlements, SettlementConfig settlementConfig,
                              Metrics metrics, DataSource dataSource, ProxyConfig config, GhostJobs ghosts) {
        this.jobs = jobs;
        this.ghosts = ghosts;
        this.settlements = settlements;
        this.settlementConfig = settlementConfig;
        this.metrics = metrics;
        int lanes = config.commitLanes();
        int maxBatch = config.commitMaxBatch();
        this.reservations = new GroupCommit<>("reservations", dataSource, lanes, maxBatch,
                c -> c.caller().tenantId(), this::reserveBatch);
        this.answers = new GroupCommit<>("submit-answers", dataSource, 1, maxBatch,
                a -> 0, this::answerBatch);
    }

    @PreDestroy
    void stop() {
        reservations.stop();
        answers.stop();
    }

    /**
     * Reserves the price of a submit under the job id chosen by the caller (it already holds the job's concurrency
     * slot under that id). Does not block: the future completes on a group-commit thread once the reservation's batch
     * committed, with a {@link Reserved} or a {@link Replay}, or fails with (wrapped, see {@link #unwrap}):
     * {@link InsufficientCreditsException} 402 or {@link KeyQuotaExceededException} 402 (nothing written); {@link ApiException} 422 when the Idempotency-Key was
     * used with another body, 409 while its first request is still being forwarded, 503 when the database did not
     * answer in time.
     */
    public CompletableFuture<Reservation> reserve(Caller caller, Quote quote, UUID jobId, String idempotencyKey,
                                                  String requestHash, String tenantWebhook) {
        if (quote.credits() <= 0) {
            return CompletableFuture.failedFuture(ApiException.invalidParameter("amount must not be 0"));
        }
        return reservations.submit(new Charge(caller, quote, jobId, idempotencyKey, requestHash, tenantWebhook))
                .orTimeout(COMMIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)
                .thenApply(charged -> reservation(caller, quote, jobId, requestHash, charged));
    }

    private Reservation reservation(Caller caller, Quote quote, UUID jobId, String requestHash, Charged charged) {
        if (charged instanceof Done) {
            metrics.ledgerMovement(LedgerKind.RESERVE.dbName(), -quote.credits()); // committed: counted at once
            return new Reserved(jobId);
        }
        if (charged instanceof OverQuota q) {
            throw new KeyQuotaExceededException(q.quota(), Math.max(0, q.quota() - q.used()), quote.credits());
        }
        if (charged instanceof Short s) {
            if (s.balance() == null) {
                throw ApiException.notFound("unknown_tenant", "No tenant with id " + caller.tenantId() + ".");
            }
            throw new InsufficientCreditsException(s.balance(), quote.credits());
        }
        FirstAnswer first = ((Duplicate) charged).first();
        if (!first.requestHash().equals(requestHash)) {
            throw new ApiException(422, "idempotency_key_reused",
                    "This Idempotency-Key was already used with a different request.");
        }
        if (first.status() == null) {
            throw ApiException.conflict("idempotency_in_progress",
                    "The first request with this Idempotency-Key is still being processed; retry shortly.");
        }
        return new Replay(first.status(), first.body());
    }

    /**
     * fal accepted the submit: remember its request id and URLs (ownership), and the answer for replays. Does not
     * block (callable from the event loop): the future completes, on a group-commit thread, once it is committed.
     */
    public CompletableFuture<Void> accepted(UUID jobId, String requestId, String statusUrl, String responseUrl,
                                            String cancelUrl, int httpStatus, String body, Long upstreamId,
                                            String upstreamAttempts) {
        return answers.submit(new Accepted(jobId, requestId, statusUrl, responseUrl, cancelUrl, httpStatus, body,
                        upstreamId, upstreamAttempts))
                .orTimeout(COMMIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)
                .thenApply(updated -> null);
    }

    /**
     * The failure of one of the futures above as the caller should see it: the exception itself, never its
     * CompletionException wrapper; a commit whose outcome is unknown, or no commit in time, as 503. (A reservation
     * that did commit after all is voided by the reconciler as an orphan: it was never forwarded.)
     */
    public static Throwable unwrap(Throwable failure) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (t instanceof GroupCommit.OutcomeUnknownException || t instanceof TimeoutException) {
            LOG.warnf("group commit: %s", t.toString());
            return new ApiException(503, "unavailable", "The database did not answer in time; nothing was forwarded. Retry.");
        }
        return t;
    }

    /** One transaction for every reservation waiting in a lane; tenants in ascending order, each tenant's in turn. */
    private List<Charged> reserveBatch(Connection c, List<Charge> batch) throws SQLException {
        Integer[] order = new Integer[batch.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.comparingLong(i -> batch.get(i).caller().tenantId())); // stable
        Charged[] results = new Charged[batch.size()];
        try (ReserveBatch statements = JobRepository.reserveBatch(c)) {
            for (int i : order) {
                results[i] = reserveOne(statements, batch.get(i));
            }
        }
        return List.of(results);
    }

    private static Charged reserveOne(ReserveBatch statements, Charge charge) throws SQLException {
        long tenant = charge.caller().tenantId();
        if (charge.idempotencyKey() != null) {
            // a replay answers what the first request got, whatever the balance is now
            FirstAnswer seen = statements.firstWithKey(tenant, charge.idempotencyKey());
            if (seen != null) {
                return new Duplicate(seen);
            }
        }
        JobRepository.ReserveResult done = statements.reserve(new NewJob(charge.jobId(), tenant, charge.caller().keyId(),
                charge.quote(), charge.tenantWebhook(), charge.idempotencyKey(), charge.requestHash()));
        if (!done.charged()) {
            if (done.balance() != null && !done.quotaOk() && done.quota() != null) {
                return new OverQuota(done.quota(), done.keyUsed());
            }
            return new Short(done.balance());
        }
        if (done.inserted()) {
            return new Done(charge.jobId());
        }
        // another instance inserted the same key first (the insert waited for its commit): give the price back
        statements.undoCharge(tenant, charge.caller().keyId(), charge.quote().credits());
        return new Duplicate(statements.firstWithKey(tenant, charge.idempotencyKey()));
    }

    /** One transaction (one round trip, pipelined) for every accepted answer waiting. */
    private List<Boolean> answerBatch(Connection c, List<Accepted> batch) throws SQLException {
        return JobRepository.recordAccepted(c, batch, settlementConfig.firstCheckAfter());
    }

    /**
     * fal refused the submit or could not be reached: the reservation is voided (the whole price goes back),
     * exactly once like every settlement, and fal's answer is kept for idempotent replays.
     */
    @Transactional
    public void rejected(UUID jobId, int httpStatus, String body) {
        rejected(jobId, httpStatus, body, null, null);
    }

    /** {@link #rejected(UUID, int, String)} with the fal account that refused it and the accounts tried. */
    @Transactional
    public void rejected(UUID jobId, int httpStatus, String body, Long upstreamId, String upstreamAttempts) {
        jobs.recordRefusal(jobId, httpStatus, body, upstreamId, upstreamAttempts);
        settlements.settle(jobId, Outcome.voided(JobStatus.REJECTED, "fal refused the submit (HTTP " + httpStatus + ")", null),
                "submit");
        // fal's acceptance was recorded after all (its commit reported a failure, or raced this refund): fal runs the
        // job while the tenant is refunded. A ghost; the reconciler asks fal what it delivered.
        Job job = jobs.find(jobId);
        if (job != null && job.requestId != null) {
            ghosts.record(job, job.requestId,
                    OutcomeRules.Decision.undecidedBecause("fal accepted the submit, but the proxy refunded it"), "submit");
        }
    }
}
