package io.creditproxy.settlement;

import io.creditproxy.config.SettlementConfig;
import io.creditproxy.fal.FalPaths;
import io.creditproxy.observability.Metrics;
import io.creditproxy.fal.FalClient;
import io.creditproxy.proxy.Job;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Ghost jobs: submits refunded at once because fal did not answer in time (or could not be reached, or its answer
 * could not be recorded), which fal had queued and ran anyway. fal's signed webhook to the job's own URL reveals
 * them. The tenant keeps its refund (it was told the submit failed; its ledger is never touched again); the
 * operator bears fal's cost, which the finance reports count from {@code delivered_units} at the job's frozen price,
 * and the job is flagged for review. When the webhook does not say what was delivered, the reconciler asks fal
 * ({@code ghost_pending}).
 */
@ApplicationScoped
public class GhostJobs {

    private static final Logger LOG = Logger.getLogger(GhostJobs.class);

    private final EntityManager em;
    private final FalClient fal;
    private final Metrics metrics;

    public GhostJobs(EntityManager em, FalClient fal, Metrics metrics) {
        this.em = em;
        this.fal = fal;
        this.metrics = metrics;
    }

    /**
     * Records that fal ran a refunded job (once: a replayed webhook changes nothing).
     *
     * @param falRequestId fal's request id, from its signed webhook
     * @param decision     what the webhook says about the run: what was delivered, or undecided (then fal is asked)
     * @return true when this call recorded it
     */
    @Transactional
    public boolean record(Job job, String falRequestId, OutcomeRules.Decision decision, String source) {
        Integer delivered = decision.decided() ? deliveredUnits(decision.outcome()) : null;
        String base = FalPaths.requestUrl(fal.baseUrl(), job.modelId, falRequestId);
        int updated = em.createNativeQuery("""
                        UPDATE jobs SET ghost = true, ghost_request_id = ?2, ghost_at = now(), needs_review = true,
                               request_id = NULL, -- refunded: no longer the tenant's to poll (ownership is by request_id)
                               delivered_units = ?3, ghost_pending = ?4,
                               status_url = COALESCE(status_url, ?5), response_url = COALESCE(response_url, ?6),
                               next_check_at = now(), check_attempts = 0, updated_at = now()
                        WHERE id = ?1 AND status = 'REJECTED' AND NOT ghost""")
                .setParameter(1, job.id)
                .setParameter(2, falRequestId)
                .setParameter(3, delivered)
                .setParameter(4, !decision.decided())
                .setParameter(5, base + "/status")
                .setParameter(6, base)
                .executeUpdate();
        if (updated == 0) {
            return false;
        }
        metrics.ghost(source);
        LOG.warnf("job %s was refunded at submit, but fal ran it (request %s, learnt from the %s): a ghost, for review; %s",
                job.id, falRequestId, source, decision.decided() ? delivered + " unit(s) delivered" : "asking fal what it delivered");
        return true;
    }

    /** Ghosts whose delivery fal still has to be asked about, due now; their next check moves forward (back-off). */
    @Transactional
    public List<OpenJob> claimPending(SettlementConfig config) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        UPDATE jobs j SET check_attempts = j.check_attempts + 1,
                               next_check_at = now() + make_interval(secs => LEAST(?1 * power(2, LEAST(j.check_attempts, 20)), ?2))
                        WHERE j.id IN (SELECT id FROM jobs WHERE ghost_pending AND next_check_at <= now()
                                         ORDER BY next_check_at LIMIT ?3 FOR UPDATE SKIP LOCKED)
                        RETURNING j.id, j.unit, j.status_url, j.response_url""")
                .setParameter(1, config.checkBackoff().toMillis() / 1000.0)
                .setParameter(2, config.maxCheckBackoff().toMillis() / 1000.0)
                .setParameter(3, config.batchSize())
                .getResultList();
        List<OpenJob> jobs = new ArrayList<>();
        for (Object[] r : rows) {
            jobs.add(new OpenJob((UUID) r[0], (String) r[1], (String) r[2], (String) r[3]));
        }
        return jobs;
    }

    /** fal's own answer about a ghost: what it delivered (0 for a failed run, which fal does not bill). */
    @Transactional
    public void resolve(UUID jobId, Outcome outcome) {
        em.createNativeQuery("""
                        UPDATE jobs SET delivered_units = ?2, billable_units = COALESCE(?3, billable_units),
                               ghost_pending = false, updated_at = now()
                        WHERE id = ?1 AND ghost_pending""")
                .setParameter(1, jobId)
                .setParameter(2, deliveredUnits(outcome))
                .setParameter(3, outcome.billableUnits())
                .executeUpdate();
    }

    /** fal cannot tell (any longer): stop asking; the reports assume the whole quantity was delivered. */
    @Transactional
    public void giveUp(UUID jobId, String why) {
        if (em.createNativeQuery("UPDATE jobs SET ghost_pending = false, updated_at = now() WHERE id = ?1 AND ghost_pending")
                .setParameter(1, jobId).executeUpdate() > 0) {
            LOG.warnf("ghost job %s: %s; its fal cost is counted at the full quantity", jobId, why);
        }
    }

    private static Integer deliveredUnits(Outcome outcome) {
        return switch (outcome.kind()) {
            case POSTED -> outcome.deliveredUnits();
            case VOIDED -> 0;
            case KEPT_FOR_REVIEW -> null;
        };
    }
}
