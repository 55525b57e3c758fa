package io.creditproxy.report;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Usage, revenue, cost and margin, aggregated in PostgreSQL from the jobs (prices frozen at submit, outcome)
 * and the ledger (what went back to the tenant). Read-only; one SQL statement per report.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class UsageReportService {

    /**
     * Per job: what went back (refund + release entries of the ledger), fal's cost in USD and fal's own billable
     * units where the proxy saw them. fal's cost is the frozen USD unit price x the units fal delivered x the
     * frozen price factor, for a job that succeeded (or expired with its charge kept: fal may have billed it);
     * an image job counts delivered images, a video job its billed seconds or clips once the video was delivered.
     * Money is rounded per job to 6 places, so every group and the totals are exact sums of the same numbers.
     */
    private static final String PER_JOB = """
            SELECT j.tenant_id, j.model_id, j.status, j.created_at, j.price_credits, j.credits_per_cny,
                   j.exchange_rate, COALESCE(g.amount, 0) AS given_back,
                   CASE WHEN j.billable_units ~ '^[0-9]+(\\.[0-9]+){0,1}$' THEN CAST(j.billable_units AS numeric) END
                       AS billable,
                   round(j.usd_unit_price
                         * CASE WHEN j.status = 'COMPLETED'
                                     OR (j.status = 'EXPIRED' AND j.price_credits > COALESCE(g.amount, 0))
                                THEN CASE WHEN j.unit = 'image' THEN COALESCE(j.delivered_units, j.quantity)
                                          ELSE j.quantity * COALESCE(j.delivered_units, 1) END
                                ELSE 0 END
                         * CAST(split_part(j.price_factor, '/', 1) AS numeric)
                         / CAST(COALESCE(NULLIF(split_part(j.price_factor, '/', 2), ''), '1') AS numeric), 6)
                       AS cost_usd
            FROM jobs j
            LEFT JOIN (SELECT job_id, sum(amount) AS amount FROM ledger_entries
                       WHERE kind IN ('refund', 'release') GROUP BY job_id) g ON g.job_id = j.id
            WHERE j.created_at >= :from AND j.created_at < :to""";

    private static final String FIGURES = """
            count(*),
            count(*) FILTER (WHERE status = 'COMPLETED'),
            count(*) FILTER (WHERE status IN ('FAILED', 'REJECTED')),
            count(*) FILTER (WHERE status = 'REJECTED'),
            count(*) FILTER (WHERE status = 'CANCELLED'),
            count(*) FILTER (WHERE status = 'EXPIRED'),
            count(*) FILTER (WHERE status IN ('RESERVED', 'SUBMITTED')),
            sum(price_credits),
            sum(given_back),
            sum(round((price_credits - given_back) / credits_per_cny, 6)),
            sum(cost_usd),
            sum(round(cost_usd * exchange_rate, 6)),
            sum(billable),
            count(billable)""";

    private final EntityManager em;

    public UsageReportService(EntityManager em) {
        this.em = em;
    }

    /**
     * @param tenantId only this tenant's jobs (a tenant's own view, or an admin filter); null = all
     * @param model    only this model; null = all
     */
    public UsageReport report(ReportPeriod period, GroupBy groupBy, Long tenantId, String model) {
        List<String> dims = new ArrayList<>();
        if (groupBy.tenant()) {
            dims.add("tenant_id");
        }
        if (groupBy.model()) {
            dims.add("model_id");
        }
        if (groupBy.period() != null) {
            String pattern = groupBy.period() == GroupBy.Granularity.day ? "YYYY-MM-DD" : "YYYY-MM";
            dims.add("to_char(created_at AT TIME ZONE :tz, '" + pattern + "')");
        }
        StringBuilder sql = new StringBuilder("SELECT ");
        for (String dim : dims) {
            sql.append(dim).append(", ");
        }
        sql.append(FIGURES).append("\nFROM (").append(PER_JOB);
        if (tenantId != null) {
            sql.append(" AND j.tenant_id = :tenant");
        }
        if (model != null) {
            sql.append(" AND j.model_id = :model");
        }
        sql.append(") per_job");
        if (!dims.isEmpty()) {
            StringBuilder ordinals = new StringBuilder();
            for (int i = 1; i <= dims.size(); i++) {
                ordinals.append(i == 1 ? "" : ", ").append(i);
            }
            sql.append(" GROUP BY ").append(ordinals).append(" ORDER BY ").append(ordinals);
        }
        Query query = em.createNativeQuery(sql.toString())
                .setParameter("from", period.from())
                .setParameter("to", period.to());
        if (groupBy.period() != null) {
            query.setParameter("tz", period.zone().getId());
        }
        if (tenantId != null) {
            query.setParameter("tenant", tenantId);
        }
        if (model != null) {
            query.setParameter("model", model);
        }
        @SuppressWarnings("unchecked")
        List<Object[]> result = query.getResultList();

        Map<Long, String> names = groupBy.tenant() ? tenantNames(result) : Map.of();
        List<UsageRow> rows = new ArrayList<>();
        UsageFigures totals = UsageFigures.ZERO;
        for (Object[] r : result) {
            if (!groupBy.any() && ((Number) r[0]).longValue() == 0) {
                continue; // no jobs at all: no row, totals of zero
            }
            int i = 0;
            Long tenant = groupBy.tenant() ? ((Number) r[i++]).longValue() : null;
            String modelId = groupBy.model() ? (String) r[i++] : null;
            String bucket = groupBy.period() != null ? (String) r[i++] : null;
            UsageFigures figures = figures(r, i);
            rows.add(new UsageRow(tenant, tenant == null ? null : names.get(tenant), modelId, bucket, figures));
            totals = totals.plus(figures);
        }
        return new UsageReport(period.fromText(), period.toText(), period.zone().getId(), groupBy.names(), tenantId,
                model, rows, totals);
    }

    private static UsageFigures figures(Object[] r, int i) {
        long reserved = whole(r[i + 7]);
        long refunded = whole(r[i + 8]);
        BigDecimal revenue = PlainDecimal.of(r[i + 9]);
        BigDecimal costUsd = PlainDecimal.of(r[i + 10]);
        BigDecimal costCny = PlainDecimal.of(r[i + 11]);
        return new UsageFigures(whole(r[i]), whole(r[i + 1]), whole(r[i + 2]), whole(r[i + 3]), whole(r[i + 4]),
                whole(r[i + 5]), whole(r[i + 6]), reserved, refunded, reserved - refunded,
                revenue, costUsd, costCny, revenue.subtract(costCny), PlainDecimal.of(r[i + 12]), whole(r[i + 13]));
    }

    private Map<Long, String> tenantNames(List<Object[]> result) {
        List<Long> ids = result.stream().map(r -> ((Number) r[0]).longValue()).distinct().toList();
        Map<Long, String> names = new HashMap<>();
        if (ids.isEmpty()) {
            return names;
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT id, name FROM tenants WHERE id IN (:ids)")
                .setParameter("ids", ids)
                .getResultList();
        for (Object[] row : rows) {
            names.put(((Number) row[0]).longValue(), (String) row[1]);
        }
        return names;
    }

    /** sum(bigint) is numeric in PostgreSQL; the sums here are whole by construction. */
    static long whole(Object value) {
        if (value == null) {
            return 0;
        }
        return value instanceof BigDecimal d ? d.longValueExact() : ((Number) value).longValue();
    }
}
