package io.creditproxy.webhook;

import io.creditproxy.common.ApiException;
import io.creditproxy.common.Timestamps;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The outbox of tenants' webhooks. Settlement writes a delivery in its own transaction ({@link #enqueue}), so the
 * delivery exists exactly when the settlement committed; {@link WebhookDeliveryWorker} sends it later, with retries.
 */
@ApplicationScoped
public class TenantWebhookOutbox {

    static final Set<String> STATUSES = Set.of("pending", "delivered", "failed");
    static final int MAX_LIST = 1000;

    private final EntityManager em;

    public TenantWebhookOutbox(EntityManager em) {
        this.em = em;
    }

    /**
     * Adds the delivery of a job's tenant webhook, inside the caller's transaction. One delivery per job (the unique
     * {@code job_id} constraint), so a replayed settlement never sends twice.
     *
     * @param url         the tenant's webhook URL, checked by {@link WebhookUrlGuard} at submit (and again at delivery)
     * @param payloadJson the body to POST, as JSON text
     * @return true when this call added the delivery, false when the job already had one
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean enqueue(UUID jobId, long tenantId, String url, String payloadJson) {
        if (jobId == null || url == null || payloadJson == null) {
            throw new IllegalArgumentException("a webhook delivery needs a job id, a URL and a payload");
        }
        return em.createNativeQuery("""
                        INSERT INTO webhook_deliveries (job_id, tenant_id, url, payload)
                        VALUES (?1, ?2, ?3, ?4)
                        ON CONFLICT (job_id) DO NOTHING""")
                .setParameter(1, jobId)
                .setParameter(2, tenantId)
                .setParameter(3, url)
                .setParameter(4, payloadJson)
                .executeUpdate() == 1;
    }

    /**
     * Deliveries matching every filter given (null = any), newest first.
     *
     * @throws ApiException 422 for an unknown status or a limit outside 1..1000
     */
    @Transactional
    public List<WebhookDeliveryView> find(UUID jobId, Long tenantId, String status, int limit) {
        if (status != null && !STATUSES.contains(status)) {
            throw ApiException.invalidParameter("status must be one of pending, delivered, failed.");
        }
        if (limit < 1 || limit > MAX_LIST) {
            throw ApiException.invalidParameter("limit must be between 1 and " + MAX_LIST + ".");
        }
        StringBuilder sql = new StringBuilder("""
                SELECT id, job_id, tenant_id, url, status, attempts, last_status, last_error,
                       next_attempt_at, created_at, delivered_at
                FROM webhook_deliveries WHERE true""");
        List<Object> params = new ArrayList<>();
        if (jobId != null) {
            params.add(jobId);
            sql.append(" AND job_id = ?").append(params.size());
        }
        if (tenantId != null) {
            params.add(tenantId);
            sql.append(" AND tenant_id = ?").append(params.size());
        }
        if (status != null) {
            params.add(status);
            sql.append(" AND status = ?").append(params.size());
        }
        sql.append(" ORDER BY id DESC");
        Query query = em.createNativeQuery(sql.toString()).setMaxResults(limit);
        for (int i = 0; i < params.size(); i++) {
            query.setParameter(i + 1, params.get(i));
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = query.getResultList();
        return rows.stream().map(r -> new WebhookDeliveryView(
                ((Number) r[0]).longValue(),
                (UUID) r[1],
                ((Number) r[2]).longValue(),
                WebhookUrlGuard.hostOf((String) r[3]),
                (String) r[4],
                ((Number) r[5]).intValue(),
                r[6] == null ? null : ((Number) r[6]).intValue(),
                (String) r[7],
                instant(r[8]),
                instant(r[9]),
                instant(r[10]))).toList();
    }

    static Instant instant(Object value) {
        return Timestamps.instant(value);
    }
}
