package io.creditproxy.billing;

import io.creditproxy.ledger.LedgerKind;
import io.creditproxy.ledger.LedgerService;
import io.creditproxy.ledger.Movement;
import io.creditproxy.limits.JobSlots;
import io.creditproxy.observability.Metrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Settles a job's reservation exactly once: posts it (keeps what was delivered, releases the rest) or voids
 * it (gives it all back). The primary key of {@code settlements} is what makes a second settlement — from a
 * replayed webhook, a poll and the reconciler racing — a no-op: the insert is {@code ON CONFLICT DO NOTHING},
 * and only the transaction whose row went in moves money.
 */
@ApplicationScoped
@Transactional
public class SettlementService {

    private static final Logger LOG = Logger.getLogger(SettlementService.class);

    private final JobRepository jobs;
    private final LedgerService ledger;
    private final TenantNotifier notifier;
    private final Metrics metrics;
    private final JobSlots slots;
    private final KeptResults results;

    public SettlementService(JobRepository jobs, LedgerService ledger, TenantNotifier notifier, Metrics metrics,
                             JobSlots slots, KeptResults results) {
        this.results = results;
        this.metrics = metrics;
        this.jobs = jobs;
        this.ledger = ledger;
        this.notifier = notifier;
        this.slots = slots;
    }

    /** @return true when this call settled the job, false when it was already settled (or does not exist) */
    public boolean settle(UUID jobId, Outcome outcome, String source) {
        Job job = jobs.find(jobId);
        if (job == null) {
            return false;
        }
        long reserved = job.priceCredits;
        long charged = OutcomeRules.charged(job, outcome);
        boolean inserted = jobs.insertSettlement(jobId, outcome, reserved, charged, source);
        // a settled job is no longer open: its tenant's concurrent-jobs slot goes back (idempotent, so also
        // when another path settled it first)
        slots.release(job.tenantId, jobId);
        if (!inserted) {
            return false;
        }
        long back = reserved - charged;
        if (back > 0) {
            LedgerKind kind = outcome.kind() == Outcome.Kind.VOIDED ? LedgerKind.REFUND : LedgerKind.RELEASE;
            ledger.apply(Movement.forJob(job.tenantId, back, kind, jobId));
            // what goes back to the balance goes back to the key's quota too
            ledger.returnToKey(job.apiKeyId, back);
        }
        jobs.markSettled(jobId, outcome);
        // a COMPLETED job's result, kept past fal's retention (KeptResults); in this transaction, so never without it
        results.keep(job, outcome);
        if (job.tenantWebhook != null && outcome.jobStatus() != JobStatus.REJECTED) {
            notifier.notifyTenant(job, outcome);
        }
        metrics.settled(outcome.kind().dbName, source, charged); // counted on commit
        LOG.debugf("job %s settled by %s: %s, charged %d of %d", jobId, source, outcome.kind().dbName, charged, reserved);
        return true;
    }

    /** Whether the job is settled already (a cheap primary-key read, to skip needless work on polls). */
    public boolean isSettled(UUID jobId) {
        return jobs.isSettled(jobId);
    }
}
