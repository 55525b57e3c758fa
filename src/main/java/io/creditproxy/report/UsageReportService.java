package io.creditproxy.report;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;
import io.creditproxy.pricing.Fraction;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Usage, revenue, cost and margin, aggregated in PostgreSQL from the jobs (prices frozen at submit, outcome)
 * and the ledger (what went back to the tenant). Read-only; one SQL statement per report.
 */
@ApplicationScoped
@Transactional
public class UsageReportService {

    /**
     * Per job: what went back (refund + release entries of the ledger), the units fal was paid for, and fal's own
     * billable units where the proxy saw them. fal is paid for a job that succeeded (or expired with its charge
     * kept: fal may have billed it, or is a ghost: refunded to the tenant, but fal ran it): an image job for the
     * images delivered, a video job for its billed seconds or clips once the video was delivered. A give-back is written after its job, so only give-backs from a day
     * before the period are read (the day is a margin for transactions that started before the job's).
     */
    private static final String PER_JOB = """
            SELECT j.tenant_id, j.model_id, j.status, j.created_at, j.price_credits, j.usd_unit_price, j.price_factor,
                   j.exchange_rate, j.credits_per_cny, COALESCE(g.amount, 0) AS given_back,
                   CASE WHEN j.billable_units ~ '^[0-9]+(\\.[0-9]+){0,1}$' THEN CAST(j.billable_units AS numeric) END
                       AS billable,
                   j.ghost,
                   CASE WHEN j.status = 'COMPLETED'
                             OR (j.status = 'EXPIRED' AND j.price_credits > COALESCE(g.amount, 0))
                             OR j.ghost
                        THEN CASE WHEN j.unit = 'image' THEN COALESCE(j.delivered_units, j.quantity)
                                  ELSE j.quantity * COALESCE(j.delivered_units, 1) END
                        ELSE 0 END AS cost_units
            FROM jobs j
            LEFT JOIN (SELECT job_id, sum(amount) AS amount FROM ledger_entries
                       WHERE kind IN ('refund', 'release') AND created_at >= :givebacks_from
                       GROUP BY job_id) g ON g.job_id = j.id
            WHERE j.created_at >= :from AND j.created_at < :to""";

    /**
     * Whole numbers only (counts and sums of credits and units): PostgreSQL adds those fast. The money is
     * computed in Java per row and frozen price (see {@link #money}); the frozen price columns are grouped on.
     */
    private static final String FIGURES = """
            usd_unit_price, price_factor, exchange_rate, credits_per_cny,
            count(*),
            count(*) FILTER (WHERE status = 'COMPLETED'),
            count(*) FILTER (WHERE status IN ('FAILED', 'REJECTED')),
            count(*) FILTER (WHERE status = 'REJECTED'),
            count(*) FILTER (WHERE ghost),
            count(*) FILTER (WHERE status = 'CANCELLED'),
            count(*) FILTER (WHERE status = 'EXPIRED'),
            count(*) FILTER (WHERE status IN ('RESERVED', 'SUBMITTED')),
            sum(price_credits),
            sum(given_back),
            sum(cost_units),
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
        StringBuilder groups = new StringBuilder();
        for (int i = 1; i <= dims.size() + 4; i++) {
            groups.append(i == 1 ? "" : ", ").append(i);
        }
        sql.append(" GROUP BY ").append(groups).append(" ORDER BY ").append(groups);
        // a one-off scan of many rows: no JIT compile (it costs more than it saves here), sorts in memory
        em.createNativeQuery("SET LOCAL jit = off").executeUpdate();
        em.createNativeQuery("SET LOCAL work_mem = '64MB'").executeUpdate();
        Query query = em.createNativeQuery(sql.toString())
                .setParameter("from", period.from())
                .setParameter("to", period.to())
                .setParameter("givebacks_from", period.from().minusDays(1));
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
        // consecutive result rows with the same dimensions (ordered so) are one report row, one per frozen price
        List<UsageRow> rows = new ArrayList<>();
        UsageFigures totals = UsageFigures.ZERO;
        UsageRow current = null;
        List<Object> currentKey = null;
        for (Object[] r : result) {
            int d = dims.size();
            List<Object> key = java.util.Arrays.asList(java.util.Arrays.copyOf(r, d));
            UsageFigures figures = figures(r, d);
            if (current != null && key.equals(currentKey)) {
                current = new UsageRow(current.tenantId(), current.tenantName(), current.model(), current.period(),
                        current.figures().plus(figures));
                rows.set(rows.size() - 1, current);
            } else {
                int i = 0;
                Long tenant = groupBy.tenant() ? ((Number) r[i++]).longValue() : null;
                String modelId = groupBy.model() ? (String) r[i++] : null;
                String bucket = groupBy.period() != null ? (String) r[i] : null;
                current = new UsageRow(tenant, tenant == null ? null : names.get(tenant), modelId, bucket, figures);
                currentKey = key;
                rows.add(current);
            }
            totals = totals.plus(figures);
        }
        return new UsageReport(period.fromText(), period.toText(), period.zone().getId(), groupBy.names(), tenantId,
                model, rows, totals);
    }

    /**
     * The figures of the jobs of one row at one frozen price. Money, exact and rounded half-up to 6 places once
     * per (row, frozen price) (with the default settings every division here is exact, so nothing is rounded):
     * revenue CNY = credits charged / credits per CNY; fal cost USD = USD unit price x units x price factor;
     * fal cost CNY = fal cost USD x the frozen exchange rate; margin CNY = revenue CNY - fal cost CNY.
     */
    private static UsageFigures figures(Object[] r, int i) {
        BigDecimal usdUnitPrice = (BigDecimal) r[i];
        Fraction factor = Fraction.parse((String) r[i + 1]);
        BigDecimal exchangeRate = (BigDecimal) r[i + 2];
        BigDecimal creditsPerCny = (BigDecimal) r[i + 3];
        int f = i + 4;
        long reserved = whole(r[f + 8]);
        long refunded = whole(r[f + 9]);
        long costUnits = whole(r[f + 10]);
        BigDecimal revenue = money(BigDecimal.valueOf(reserved - refunded), creditsPerCny);
        BigDecimal costUsd = money(usdUnitPrice.multiply(BigDecimal.valueOf(costUnits))
                .multiply(new BigDecimal(factor.numerator())), new BigDecimal(factor.denominator()));
        BigDecimal costCny = costUsd.multiply(exchangeRate).setScale(PlainDecimal.SCALE, RoundingMode.HALF_UP);
        return new UsageFigures(whole(r[f]), whole(r[f + 1]), whole(r[f + 2]), whole(r[f + 3]), whole(r[f + 4]),
                whole(r[f + 5]), whole(r[f + 6]), whole(r[f + 7]), reserved, refunded, reserved - refunded,
                revenue, costUsd, costCny, revenue.subtract(costCny), PlainDecimal.of(r[f + 11]), whole(r[f + 12]));
    }

    private static BigDecimal money(BigDecimal numerator, BigDecimal denominator) {
        return numerator.divide(denominator, PlainDecimal.SCALE, RoundingMode.HALF_UP);
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
