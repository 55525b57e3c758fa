package io.creditproxy.report;

import io.creditproxy.billing.JobStatus;
import io.creditproxy.common.ApiException;
import io.creditproxy.common.QueryParams;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.hibernate.Session;
import org.hibernate.query.NativeQuery;

/** Jobs with their states, settlement and ledger entries, for the tenant ({@code /v1/usage}) and admins. */
@ApplicationScoped
@Transactional
public class JobHistoryService {

    public static final Set<String> STATUSES = Arrays.stream(JobStatus.values()).map(JobStatus::name)
            .collect(Collectors.toUnmodifiableSet());

    private static final String COLUMNS = """
            j.id, j.tenant_id, j.request_id, j.model_id, j.status, j.fal_status, j.cancel_requested, j.unit,
            j.quantity, j.usd_unit_price, j.price_factor, j.price_credits, j.delivered_units, j.billable_units,
            j.error, j.needs_review, j.created_at, j.updated_at, j.settled_at,
            s.outcome, s.source, s.reserved, s.charged, s.refunded, s.reason, s.settled_at, j.ghost""";

    /** A job with its settlement row (null columns when not settled), in {@link #COLUMNS} order. */
    record JobRow(UUID id, long tenantId, String requestId, String modelId, String status, String falStatus,
                  boolean cancelRequested, String unit, int quantity, BigDecimal usdUnitPrice, String priceFactor,
                  long priceCredits, Integer deliveredUnits, String billableUnits, String error, boolean needsReview,
                  Instant createdAt, Instant updatedAt, Instant settledAt, String outcome, String source, Long reserved,
                  Long charged, Long refunded, String reason, Instant outcomeSettledAt, boolean ghost) {
    }

    /** A ledger entry of a job. */
    record EntryRow(UUID jobId, long id, String kind, long amount, long balanceAfter, Instant createdAt) {
    }

    /**
     * What to list. Every field is optional; tenantId is forced to the caller's own for a tenant.
     *
     * @param apiKeyId only the jobs submitted with this key
     */
    public record Filter(Long tenantId, String model, String status, OffsetDateTime from, OffsetDateTime to,
                         UUID before, Long apiKeyId) {

        public Filter(Long tenantId, String model, String status, OffsetDateTime from, OffsetDateTime to, UUID before) {
            this(tenantId, model, status, from, to, before, null);
        }

        public Filter withKey(long keyId) {
            return new Filter(tenantId, model, status, from, to, before, keyId);
        }
    }

    private final EntityManager em;

    public JobHistoryService(EntityManager em) {
        this.em = em;
    }

    /** Newest first (created_at, then id), keyset paged by the last job id of the previous page. */
    public JobView.Page list(Filter f, int limit, ZoneId zone) {
        if (f.status() != null && !STATUSES.contains(f.status())) {
            throw QueryParams.invalid("status", "status must be one of " + String.join(", ", STATUSES.stream().sorted().toList()));
        }
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS
                + " FROM jobs j LEFT JOIN settlements s ON s.job_id = j.id WHERE true");
        Map<String, Object> params = new HashMap<>();
        if (f.tenantId() != null) {
            sql.append(" AND j.tenant_id = :tenant");
            params.put("tenant", f.tenantId());
        }
        if (f.apiKeyId() != null) {
            sql.append(" AND j.api_key_id = :key");
            params.put("key", f.apiKeyId());
        }
        if (f.model() != null) {
            sql.append(" AND j.model_id = :model");
            params.put("model", f.model());
        }
        if (f.status() != null) {
            sql.append(" AND j.status = :status");
            params.put("status", f.status());
        }
        if (f.from() != null) {
            sql.append(" AND j.created_at >= :from");
            params.put("from", f.from());
        }
        if (f.to() != null) {
            sql.append(" AND j.created_at < :to");
            params.put("to", f.to());
        }
        if (f.before() != null) {
            // the cursor job must be visible to the same filter (a tenant cannot page from another's job)
            sql.append(" AND (j.created_at, j.id) < (SELECT c.created_at, c.id FROM jobs c WHERE c.id = :before");
            if (f.tenantId() != null) {
                sql.append(" AND c.tenant_id = :tenant");
            }
            sql.append(")");
            params.put("before", f.before());
        }
        sql.append(" ORDER BY j.created_at DESC, j.id DESC LIMIT :limit");
        params.put("limit", limit + 1);
        NativeQuery<JobRow> query = session().createNativeQuery(sql.toString(), JobRow.class);
        params.forEach(query::setParameter);
        List<JobRow> rows = query.getResultList();
        boolean more = rows.size() > limit;
        if (more) {
            rows = rows.subList(0, limit);
        }
        List<JobView> jobs = views(rows, zone);
        return new JobView.Page(jobs, more ? jobs.get(jobs.size() - 1).id() : null);
    }

    /** @param tenantId when not null, the job must be this tenant's (else 404, like an unknown one) */
    public JobView get(UUID id, Long tenantId, ZoneId zone) {
        List<JobRow> rows = session().createNativeQuery("SELECT " + COLUMNS
                        + " FROM jobs j LEFT JOIN settlements s ON s.job_id = j.id WHERE j.id = :id", JobRow.class)
                .setParameter("id", id)
                .getResultList();
        if (rows.isEmpty() || (tenantId != null && rows.get(0).tenantId() != tenantId)) {
            throw ApiException.notFound("unknown_job", "No such job.");
        }
        return views(rows, zone).get(0);
    }

    private List<JobView> views(List<JobRow> rows, ZoneId zone) {
        Map<UUID, List<JobView.Entry>> ledger = new HashMap<>();
        if (!rows.isEmpty()) {
            List<UUID> ids = rows.stream().map(JobRow::id).toList();
            session().createNativeQuery("""
                            SELECT job_id, id, kind, amount, balance_after, created_at FROM ledger_entries
                            WHERE job_id IN (:ids) ORDER BY id""", EntryRow.class)
                    .setParameter("ids", ids)
                    .getResultList()
                    .forEach(e -> ledger.computeIfAbsent(e.jobId(), k -> new ArrayList<>())
                            .add(new JobView.Entry(e.id(), e.kind(), e.amount(), e.balanceAfter(),
                                    Sql.text(e.createdAt(), zone))));
        }
        List<JobView> views = new ArrayList<>(rows.size());
        for (JobRow r : rows) {
            List<JobView.Entry> entries = ledger.getOrDefault(r.id(), List.of());
            long reserved = 0;
            long refunded = 0;
            for (JobView.Entry e : entries) {
                if (e.kind().equals("reserve")) {
                    reserved -= e.amount();
                } else if (e.kind().equals("refund") || e.kind().equals("release")) {
                    refunded += e.amount();
                }
            }
            JobView.Settlement settlement = r.outcome() == null ? null : new JobView.Settlement(r.outcome(), r.source(),
                    r.reserved(), r.charged(), r.refunded(), r.reason(), Sql.text(r.outcomeSettledAt(), zone));
            views.add(new JobView(r.id(), r.tenantId(), r.requestId(), r.modelId(), r.status(), r.falStatus(),
                    r.cancelRequested(), r.unit(), r.quantity(), r.usdUnitPrice().toPlainString(), r.priceFactor(),
                    r.priceCredits(), reserved, refunded, reserved - refunded, r.settledAt() != null, r.deliveredUnits(),
                    r.billableUnits(), r.error(), r.needsReview(), r.ghost(), Sql.text(r.createdAt(), zone),
                    Sql.text(r.updatedAt(), zone), Sql.text(r.settledAt(), zone), settlement, entries));
        }
        return views;
    }

    private Session session() {
        return em.unwrap(Session.class);
    }
}
