package io.creditproxy.billing;

import io.creditproxy.config.SettlementConfig;
import io.creditproxy.fal.FalClient;
import io.creditproxy.fal.FalPaths;
import io.creditproxy.observability.Metrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
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

    private final JobRepository jobs;
    private final FalClient fal;
    private final Metrics metrics;

    public GhostJobs(JobRepository jobs, FalClient fal, Metrics metrics) {
        this.jobs = jobs;
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
        if (!jobs.markGhost(job.id, falRequestId, delivered, !decision.decided(),
                FalPaths.requestUrl(fal.baseUrl(), job.modelId, falRequestId))) {
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
        return jobs.claimPendingGhosts(config.checkBackoff(), config.maxCheckBackoff(), config.batchSize());
    }

    /** fal's own answer about a ghost: what it delivered (0 for a failed run, which fal does not bill). */
    @Transactional
    public void resolve(UUID jobId, Outcome outcome) {
        jobs.resolveGhost(jobId, deliveredUnits(outcome), outcome.billableUnits());
    }

    /** fal cannot tell (any longer): stop asking; the reports assume the whole quantity was delivered. */
    @Transactional
    public void giveUp(UUID jobId, String why) {
        if (jobs.stopAskingAboutGhost(jobId)) {
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
