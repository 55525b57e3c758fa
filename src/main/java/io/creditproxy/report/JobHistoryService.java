package io.creditproxy.report;

import io.creditproxy.common.QueryParams;
import io.creditproxy.common.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Jobs with their states, settlement and ledger entries, for the tenant ({@code /v1/usage}) and admins. */
@ApplicationScoped
@Transactional
public class JobHistoryService {

    public static final Set<String> STATUSES = Set.of("RESERVED", "SUBMITTED", "REJECTED", "COMPLETED", "FAILED",
            "CANCELLED", "EXPIRED");

    private static final String COLUMNS = """
            j.id, j.tenant_id, j.request_id, j.model_id, j.status, j.fal_status, j.cancel_requested, j.unit,
            j.quantity, j.usd_unit_price, j.price_factor, j.price_credits, j.delivered_units, j.billable_units,
            j.error, j.needs_review, j.created_at, j.updated_at, j.settled_at,
            s.outcome, s.source, s.reserved, s.charged, s.refunded, s.reason, s.settled_at, j.ghost""";

    /** What to list. Every field is optional; tenantId is forced to the caller's own for a tenant. */
    public record Filter(Long tenantId, String model, String status, OffsetDateTime from, OffsetDateTime to,
                         UUID before) {
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
        Query query = em.createNativeQuery(sql.toString());
        params.forEach(query::setParameter);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = query.getResultList();
        boolean more = rows.size() > limit;
        if (more) {
            rows = rows.subList(0, limit);
        }
        List<JobView> jobs = views(rows, zone);
        return new JobView.Page(jobs, more ? jobs.get(jobs.size() - 1).id() : null);
    }

    /** @param tenantId when not null, the job must be this tenant's (else 404, like an unknown one) */
    public JobView get(UUID id, Long tenantId, ZoneId zone) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT " + COLUMNS
                        + " FROM jobs j LEFT JOIN settlements s ON s.job_id = j.id WHERE j.id = :id")
                .setParameter("id", id)
                .getResultList();
        if (rows.isEmpty() || (tenantId != null && Sql.longValue(rows.get(0)[1]) != tenantId)) {
            throw ApiException.notFound("unknown_job", "No such job.");
        }
        return views(rows, zone).get(0);
    }

    private List<JobView> views(List<Object[]> rows, ZoneId zone) {
        Map<UUID, List<JobView.Entry>> ledger = new HashMap<>();
        if (!rows.isEmpty()) {
            List<UUID> ids = rows.stream().map(r -> Sql.uuid(r[0])).toList();
            @SuppressWarnings("unchecked")
            List<Object[]> entries = em.createNativeQuery("""
                            SELECT job_id, id, kind, amount, balance_after, created_at FROM ledger_entries
                            WHERE job_id IN (:ids) ORDER BY id""")
                    .setParameter("ids", ids)
                    .getResultList();
            for (Object[] e : entries) {
                ledger.computeIfAbsent(Sql.uuid(e[0]), k -> new ArrayList<>())
                        .add(new JobView.Entry(Sql.longValue(e[1]), (String) e[2], Sql.longValue(e[3]),
                                Sql.longValue(e[4]), Sql.text(e[5], zone)));
            }
        }
        List<JobView> views = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            UUID id = Sql.uuid(r[0]);
            List<JobView.Entry> entries = ledger.getOrDefault(id, List.of());
            long reserved = 0;
            long refunded = 0;
            for (JobView.Entry e : entries) {
                if (e.kind().equals("reserve")) {
                    reserved -= e.amount();
                } else if (e.kind().equals("refund") || e.kind().equals("release")) {
                    refunded += e.amount();
                }
            }
            JobView.Settlement settlement = r[19] == null ? null : new JobView.Settlement((String) r[19], (String) r[20],
                    Sql.longValue(r[21]), Sql.longValue(r[22]), Sql.longValue(r[23]), (String) r[24], Sql.text(r[25], zone));
            views.add(new JobView(id, Sql.longValue(r[1]), (String) r[2], (String) r[3], (String) r[4], (String) r[5],
                    Boolean.TRUE.equals(r[6]), (String) r[7], ((Number) r[8]).intValue(),
                    ((BigDecimal) r[9]).toPlainString(), (String) r[10], Sql.longValue(r[11]), reserved, refunded,
                    reserved - refunded, r[18] != null, Sql.nullableInt(r[12]), (String) r[13], (String) r[14],
                    Boolean.TRUE.equals(r[15]), Boolean.TRUE.equals(r[26]), Sql.text(r[16], zone), Sql.text(r[17], zone),
                    Sql.text(r[18], zone),
                    settlement, entries));
        }
        return views;
    }
}
