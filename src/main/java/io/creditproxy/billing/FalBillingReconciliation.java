package io.creditproxy.billing;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.creditproxy.common.Timestamps;
import io.creditproxy.fal.FalPlatformClient;
import io.creditproxy.fal.FalPlatformClient.FalBillingEvent;
import io.creditproxy.fal.FalPlatformConfig;
import io.creditproxy.fal.UpstreamAccounts;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Pulls fal's billing events (what fal actually charged per request id) and stores them beside the jobs:
 * {@code fal_billing_events}, each matched to the job with that fal request id (a ghost's too), or left unmatched: a
 * request the proxy never knew. Runs every {@code fal-platform.reconcile-interval}; each pull reads from where the
 * last one stopped (less an overlap, since fal's events may arrive late) to now, and upserts, so pulls by several
 * instances, or pulls that overlap, store each event once. The finance side reads the result
 * (report/ReconciliationService; the usage report takes fal's cost from here when known).
 */
@ApplicationScoped
public class FalBillingReconciliation {

    private static final Logger LOG = Logger.getLogger(FalBillingReconciliation.class);

    /** What one pull did. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PullResult(Instant from, Instant to, int events, int matched, long unmatched) {
    }

    private final FalPlatformClient platform;
    private final FalPlatformConfig config;
    private final EntityManager em;
    private final UpstreamAccounts accounts;

    public FalBillingReconciliation(FalPlatformClient platform, FalPlatformConfig config, EntityManager em,
                                    UpstreamAccounts accounts) {
        this.accounts = accounts;
        this.platform = platform;
        this.config = config;
        this.em = em;
    }

    @Scheduled(identity = "fal-billing-reconciliation", every = "${fal-platform.reconcile-interval}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            PullResult r = pull();
            if (r.unmatched() > 0) {
                LOG.warnf("fal billing: %d billed request(s) of fal's that the proxy never knew; see GET /admin/reports/reconciliation",
                        r.unmatched());
            }
        } catch (RuntimeException e) {
            LOG.warnf("fal billing events not pulled: %s", e.getMessage());
        }
    }

    /** Reads fal's events since the last pull and stores and matches them (fal is asked outside any transaction). */
    public PullResult pull() {
        Instant to = Instant.now();
        Instant through = QuarkusTransaction.requiringNew().call(this::fetchedThrough);
        Instant from = through == null ? to.minus(config.reconcileLookback()) : through.minus(config.reconcileOverlap());
        // every fal account of the upstream pool bills its own requests
        List<FalBillingEvent> events = platform.billingEventsOfAllAccounts(from, to, accounts);
        return QuarkusTransaction.requiringNew().call(() -> store(from, to, events));
    }

    private Instant fetchedThrough() {
        List<?> rows = em.createNativeQuery("SELECT fetched_through FROM fal_reconciliation_state WHERE id = 1").getResultList();
        return rows.isEmpty() ? null : Timestamps.instant(rows.get(0));
    }

    private PullResult store(Instant from, Instant to, List<FalBillingEvent> events) {
        for (FalBillingEvent e : events) {
            em.createNativeQuery("""
                            INSERT INTO fal_billing_events(request_id, endpoint_id, billed_at, output_units, unit_price,
                                                           percent_discount, cost_usd)
                            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                            ON CONFLICT (request_id) DO UPDATE SET endpoint_id = EXCLUDED.endpoint_id,
                                billed_at = EXCLUDED.billed_at, output_units = EXCLUDED.output_units,
                                unit_price = EXCLUDED.unit_price, percent_discount = EXCLUDED.percent_discount,
                                cost_usd = EXCLUDED.cost_usd, fetched_at = now()""")
                    .setParameter(1, e.requestId())
                    .setParameter(2, e.endpointId() == null ? "" : e.endpointId())
                    .setParameter(3, OffsetDateTime.ofInstant(e.timestamp(), ZoneOffset.UTC))
                    .setParameter(4, e.outputUnits())
                    .setParameter(5, e.unitPrice())
                    .setParameter(6, e.percentDiscount())
                    .setParameter(7, e.costUsd())
                    .executeUpdate();
        }
        // a ghost's fal request id is learnt late (from fal's webhook), so unmatched events are matched again each time
        int matched = em.createNativeQuery("""
                        UPDATE fal_billing_events e SET job_id = j.id FROM jobs j
                        WHERE e.job_id IS NULL AND j.request_id = e.request_id""").executeUpdate()
                + em.createNativeQuery("""
                        UPDATE fal_billing_events e SET job_id = j.id FROM jobs j
                        WHERE e.job_id IS NULL AND j.ghost_request_id = e.request_id""").executeUpdate();
        em.createNativeQuery("""
                        INSERT INTO fal_reconciliation_state(id, fetched_from, fetched_through) VALUES (1, ?1, ?2)
                        ON CONFLICT (id) DO UPDATE SET
                            fetched_from = LEAST(fal_reconciliation_state.fetched_from, EXCLUDED.fetched_from),
                            fetched_through = GREATEST(fal_reconciliation_state.fetched_through, EXCLUDED.fetched_through),
                            updated_at = now()""")
                .setParameter(1, OffsetDateTime.ofInstant(from, ZoneOffset.UTC))
                .setParameter(2, OffsetDateTime.ofInstant(to, ZoneOffset.UTC))
                .executeUpdate();
        long unmatched = ((Number) em.createNativeQuery("""
                        SELECT count(*) FROM fal_billing_events WHERE job_id IS NULL AND billed_at >= ?1""")
                .setParameter(1, OffsetDateTime.ofInstant(from, ZoneOffset.UTC))
                .getSingleResult()).longValue();
        LOG.debugf("fal billing: %d event(s) read for [%s, %s), %d matched to jobs", events.size(), from, to, matched);
        return new PullResult(from, to, events.size(), matched, unmatched);
    }
}
