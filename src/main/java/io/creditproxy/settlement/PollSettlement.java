package io.creditproxy.settlement;

import io.creditproxy.billing.JobRepository;
import io.creditproxy.billing.OpenJob;
import io.creditproxy.billing.OutcomeCheck;
import io.creditproxy.billing.SettlementService;
import io.creditproxy.common.Blocking;
import io.creditproxy.fal.UpstreamResponse;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Settles jobs after the tenant's own polls, once the tenant has its answer. The tenant's answer came from a request
 * that carried the tenant's query string and headers, so it is only a hint that the job may have finished: the
 * outcome is always decided from the proxy's own clean request ({@link OutcomeCheck#check}). Never delays or fails
 * the tenant's poll; one check per job at a time, whatever the tenant sends.
 */
@ApplicationScoped
public class PollSettlement {

    private static final Logger LOG = Logger.getLogger(PollSettlement.class);

    private final Vertx vertx;
    private final OutcomeCheck probe;
    private final SettlementService settlements;
    private final JobRepository jobs;
    /** Jobs being checked now: a tenant polling in a loop does not multiply the proxy's requests to fal. */
    private final Set<UUID> checking = ConcurrentHashMap.newKeySet();

    public PollSettlement(Vertx vertx, OutcomeCheck probe, SettlementService settlements, JobRepository jobs) {
        this.vertx = vertx;
        this.probe = probe;
        this.settlements = settlements;
        this.jobs = jobs;
    }

    /** After a tenant's status poll: a finished-looking answer (200, or COMPLETED) makes the proxy ask fal itself. */
    public void afterStatus(OpenJob job, UpstreamResponse tenantAnswer) {
        if (tenantAnswer.isSuccess() && (tenantAnswer.status() == 200 || tenantAnswer.bodyText().contains("COMPLETED"))) {
            checkNow(job, "poll");
        }
    }

    /** After a tenant's result fetch: any answer but "not finished" (400) or "unknown" (404) makes the proxy ask itself. */
    public void afterResult(OpenJob job, UpstreamResponse tenantAnswer) {
        int status = tenantAnswer.status();
        if (tenantAnswer.isSuccess() || status == 422 || status == 499 || status >= 500) {
            checkNow(job, "poll");
        }
    }

    /** Settles from an answer of the proxy's own clean check (e.g. after a status stream ended). */
    public void settleIfKnown(OpenJob job, OutcomeCheck.Answer answer) {
        settle(job, "poll", answer).onFailure(t -> LOG.warnf("settling job %s failed: %s", job.id(), t.toString()));
    }

    /**
     * Asks fal about the job with the proxy's own clean request and settles it if the answer decides (source: what
     * led to the check). Undecided answers leave the job held for the reconciler.
     */
    public void checkNow(OpenJob job, String source) {
        if (!checking.add(job.id())) {
            return;
        }
        blocking(() -> settlements.isSettled(job.id()))
                .compose(settled -> settled ? Future.<Void>succeededFuture()
                        : probe.check(job).compose(answer -> {
                            if (answer.state() == OutcomeCheck.State.UNDECIDED) {
                                LOG.warnf("job %s: %s; held for the reconciler", job.id(), answer.undecided());
                            }
                            return settle(job, source, answer);
                        }))
                .onComplete(done -> checking.remove(job.id()))
                .onFailure(t -> LOG.warnf("checking job %s after a %s failed: %s", job.id(), source, t.toString()));
    }

    public void afterCancel(UUID jobId, UpstreamResponse cancel) {
        if (cancel.status() == 202) {
            blocking(() -> {
                jobs.markCancelRequested(jobId);
                return null;
            }).onFailure(t -> LOG.warnf("recording the cancel of job %s failed: %s", jobId, t.toString()));
        }
    }

    private Future<Void> settle(OpenJob job, String source, OutcomeCheck.Answer answer) {
        return answer.state() != OutcomeCheck.State.OUTCOME ? Future.succeededFuture()
                : blocking(() -> {
                    settlements.settle(job.id(), answer.outcome(), source);
                    return null;
                });
    }

    private <T> Future<T> blocking(Callable<T> work) {
        return Blocking.run(vertx, work);
    }
}
