package io.creditproxy.webhook;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Claims and outcomes of deliveries, each in its own short transaction: no transaction stays open while a
 * receiver is being called. A claim is a lease ({@code locked_until}), so a worker that dies mid-delivery
 * delays its rows by one lease and loses none.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRES_NEW)
public class WebhookDeliveryStore {

    /** The claim's locked_until in epoch microseconds: exact in PostgreSQL, so it can fence the outcome update. */
    private static final String LEASE_TOKEN = "(extract(epoch FROM locked_until) * 1000000)::bigint";

    private final EntityManager em;

    public WebhookDeliveryStore(EntityManager em) {
        this.em = em;
    }

    /**
     * Leases up to {@code limit} due deliveries to the caller. {@code FOR UPDATE SKIP LOCKED} keeps two instances
     * claiming at the same moment from taking the same row; the lease keeps later claims off it until it expires.
     */
    List<ClaimedDelivery> claimDue(int limit, Duration lease) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        UPDATE webhook_deliveries
                        SET locked_until = now() + ?1 * interval '1 millisecond'
                        WHERE id IN (SELECT id FROM webhook_deliveries
                                     WHERE status = 'pending' AND next_attempt_at <= now()
                                       AND (locked_until IS NULL OR locked_until < now())
                                     ORDER BY next_attempt_at
                                     LIMIT ?2
                                     FOR UPDATE SKIP LOCKED)
                        RETURNING id, job_id, tenant_id, url, payload, attempts, """ + LEASE_TOKEN)
                .setParameter(1, lease.toMillis())
                .setParameter(2, limit)
                .getResultList();
        return rows.stream().map(r -> new ClaimedDelivery(
                ((Number) r[0]).longValue(),
                (UUID) r[1],
                ((Number) r[2]).longValue(),
                (String) r[3],
                (String) r[4],
                ((Number) r[5]).intValue(),
                ((Number) r[6]).longValue())).toList();
    }

    /** @return false when the claim was lost (its lease ran out and another worker holds the row now) */
    boolean recordDelivered(ClaimedDelivery claim, int httpStatus) {
        return em.createNativeQuery("""
                        UPDATE webhook_deliveries
                        SET status = 'delivered', attempts = attempts + 1, last_status = ?1, last_error = NULL,
                            delivered_at = now(), locked_until = NULL
                        WHERE id = ?2 AND status = 'pending' AND """ + LEASE_TOKEN + " = ?3")
                .setParameter(1, httpStatus)
                .setParameter(2, claim.id())
                .setParameter(3, claim.leaseToken())
                .executeUpdate() == 1;
    }

    /**
     * Counts a failed attempt: the delivery is given up ({@code failed}) once it has had {@code maxAttempts}
     * attempts or when {@code permanent}, and otherwise becomes due again after {@code retryInMs}.
     *
     * @return the status now recorded, or null when the claim was lost
     */
    String recordFailure(ClaimedDelivery claim, Integer httpStatus, String error, boolean permanent, int maxAttempts,
            long retryInMs) {
        @SuppressWarnings("unchecked")
        List<String> status = em.createNativeQuery("""
                        UPDATE webhook_deliveries
                        SET attempts = attempts + 1, last_status = NULLIF(?1, -1), last_error = ?2, locked_until = NULL,
                            status = CASE WHEN ?3 OR attempts + 1 >= ?4 THEN 'failed' ELSE 'pending' END,
                            next_attempt_at = now() + ?5 * interval '1 millisecond'
                        WHERE id = ?6 AND status = 'pending' AND """ + LEASE_TOKEN + """
                         = ?7
                        RETURNING status""")
                .setParameter(1, httpStatus == null ? -1 : httpStatus) // -1: no answer; a typed null binds badly here
                .setParameter(2, error)
                .setParameter(3, permanent)
                .setParameter(4, maxAttempts)
                .setParameter(5, retryInMs)
                .setParameter(6, claim.id())
                .setParameter(7, claim.leaseToken())
                .getResultList();
        return status.isEmpty() ? null : status.get(0);
    }
}
