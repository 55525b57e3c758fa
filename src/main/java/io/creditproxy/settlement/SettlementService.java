package io.creditproxy.settlement;

import io.creditproxy.observability.Metrics;
import io.creditproxy.ledger.LedgerKind;
import io.creditproxy.ledger.LedgerService;
import io.creditproxy.ledger.Movement;
import io.creditproxy.limits.JobSlots;
import io.creditproxy.proxy.Job;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
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

    private final EntityManager em;
    private final LedgerService ledger;
    private final TenantNotifier notifier;
    private final Metrics metrics;
    private final JobSlots slots;

    public SettlementService(EntityManager em, LedgerService ledger, TenantNotifier notifier, Metrics metrics,
                             JobSlots slots) {
        this.metrics = metrics;
        this.em = em;
        this.ledger = ledger;
        this.notifier = notifier;
        this.slots = slots;
    }

    /** @return true when this call settled the job, false when it was already settled (or does not exist) */
    public boolean settle(UUID jobId, Outcome outcome, String source) {
        Job job = em.find(Job.class, jobId);
        if (job == null) {
            return false;
        }
        long reserved = job.priceCredits;
        long charged = OutcomeRules.charged(job, outcome);
        int inserted = em.createNativeQuery("""
                        INSERT INTO settlements (job_id, outcome, reserved, charged, refunded, source, reason)
                        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (job_id) DO NOTHING""")
                .setParameter(1, jobId)
                .setParameter(2, outcome.kind().dbName)
                .setParameter(3, reserved)
                .setParameter(4, charged)
                .setParameter(5, reserved - charged)
                .setParameter(6, source)
                .setParameter(7, truncate(outcome.error()))
                .executeUpdate();
        // a settled job is no longer open: its tenant's concurrent-jobs slot goes back (idempotent, so also
        // when another path settled it first)
        slots.release(job.tenantId, jobId);
        if (inserted == 0) {
            return false;
        }
        long back = reserved - charged;
        if (back > 0) {
            LedgerKind kind = outcome.kind() == Outcome.Kind.VOIDED ? LedgerKind.REFUND : LedgerKind.RELEASE;
            ledger.apply(Movement.forJob(job.tenantId, back, kind, jobId));
        }
        em.createNativeQuery("""
                        UPDATE jobs SET status = ?2, delivered_units = ?3, billable_units = COALESCE(?4, billable_units),
                               error = ?5, needs_review = ?6, settled_at = now(), updated_at = now()
                        WHERE id = ?1""")
                .setParameter(1, jobId)
                .setParameter(2, outcome.jobStatus())
                .setParameter(3, outcome.deliveredUnits())
                .setParameter(4, outcome.billableUnits())
                .setParameter(5, truncate(outcome.error()))
                .setParameter(6, outcome.kind() == Outcome.Kind.KEPT_FOR_REVIEW)
                .executeUpdate();
        if (job.tenantWebhook != null && !Job.REJECTED.equals(outcome.jobStatus())) {
            notifier.notifyTenant(job, outcome);
        }
        metrics.settled(outcome.kind().dbName, source, charged); // counted on commit
        LOG.debugf("job %s settled by %s: %s, charged %d of %d", jobId, source, outcome.kind().dbName, charged, reserved);
        return true;
    }

    /** Whether the job is settled already (a cheap primary-key read, to skip needless work on polls). */
    @Transactional
    public boolean isSettled(UUID jobId) {
        return !em.createNativeQuery("SELECT 1 FROM settlements WHERE job_id = ?1").setParameter(1, jobId)
                .getResultList().isEmpty();
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 2000 ? s : s.substring(0, 2000);
    }
}
