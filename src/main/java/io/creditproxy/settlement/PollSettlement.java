package io.creditproxy.settlement;

import io.creditproxy.proxy.UpstreamResponse;
import io.creditproxy.common.Blocking;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.jboss.logging.Logger;

/**
 * Settles jobs from the tenant's own polls, after the tenant has its answer: a COMPLETED status (the result
 * is then fetched to count outputs), a fetched result, or an accepted cancel (remembered, so that fal's
 * "cancelled" outcome is recognised). Never delays or fails the tenant's poll.
 */
@ApplicationScoped
public class PollSettlement {

    private static final Logger LOG = Logger.getLogger(PollSettlement.class);

    private final Vertx vertx;
    private final FalProbe probe;
    private final SettlementService settlements;
    private final EntityManager em;

    public PollSettlement(Vertx vertx, FalProbe probe, SettlementService settlements, EntityManager em) {
        this.vertx = vertx;
        this.probe = probe;
        this.settlements = settlements;
        this.em = em;
    }

    public void afterStatus(OpenJob job, UpstreamResponse status) {
        if (!status.isSuccess() || !status.bodyText().contains("COMPLETED")) {
            return;
        }
        blocking(() -> settlements.isSettled(job.id()))
                .compose(settled -> settled ? Future.succeededFuture() : probe.fromStatus(job, status).compose(answer -> settle(job).apply(answer)))
                .onFailure(t -> LOG.warnf("settling job %s after a status poll failed: %s", job.id(), t.toString()));
    }

    public void afterResult(OpenJob job, UpstreamResponse result) {
        FalProbe.Answer answer = probe.fromResult(job, result);
        if (answer.state() == FalProbe.State.OUTCOME) {
            settle(job).apply(answer)
                    .onFailure(t -> LOG.warnf("settling job %s after a result poll failed: %s", job.id(), t.toString()));
        }
    }

    /** Settles from an answer the caller already has (e.g. after a status stream ended). */
    public void settleIfKnown(OpenJob job, FalProbe.Answer answer) {
        settle(job).apply(answer).onFailure(t -> LOG.warnf("settling job %s failed: %s", job.id(), t.toString()));
    }

    public void afterCancel(UUID jobId, UpstreamResponse cancel) {
        if (cancel.status() == 202) {
            blocking(() -> {
                markCancelRequested(jobId);
                return null;
            }).onFailure(t -> LOG.warnf("recording the cancel of job %s failed: %s", jobId, t.toString()));
        }
    }

    @Transactional
    void markCancelRequested(UUID jobId) {
        em.createNativeQuery("UPDATE jobs SET cancel_requested = true, updated_at = now() WHERE id = ?1")
                .setParameter(1, jobId).executeUpdate();
    }

    private java.util.function.Function<FalProbe.Answer, Future<Void>> settle(OpenJob job) {
        return answer -> answer.state() != FalProbe.State.OUTCOME ? Future.succeededFuture()
                : blocking(() -> {
                    settlements.settle(job.id(), answer.outcome(), "poll");
                    return null;
                });
    }

    private <T> Future<T> blocking(Callable<T> work) {
        return Blocking.run(vertx, work);
    }
}
