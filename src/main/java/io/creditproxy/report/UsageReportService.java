package io.creditproxy.report;

import static io.creditproxy.billing.JobStatus.CANCELLED;
import static io.creditproxy.billing.JobStatus.COMPLETED;
import static io.creditproxy.billing.JobStatus.EXPIRED;
import static io.creditproxy.billing.JobStatus.FAILED;
import static io.creditproxy.billing.JobStatus.REJECTED;
import static io.creditproxy.billing.JobStatus.RESERVED;
import static io.creditproxy.billing.JobStatus.SUBMITTED;

import io.creditproxy.billing.JobStatus;
import io.creditproxy.pricing.Fraction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.hibernate.Session;
import org.hibernate.query.NativeQuery;

/**
 * Usage, revenue, cost and margin, aggregated in PostgreSQL from the jobs (prices frozen at submit, outcome)
 * and the ledger (what went back to the tenant). Read-only; one SQL statement per report.
 */
@ApplicationScoped
@Transactional
public class UsageReportService {

    /** fal's X-Fal-Billable-Units of a job (j) as a number, where it is one. */
    static final String BILLABLE =
            "CASE WHEN j.billable_units ~ '^[0-9]+(\\.[0-9]+){0,1}$' THEN CAST(j.billable_units AS numeric) END";

    /**
     * The units fal is expected to have been paid for, of a job (j) with its give-backs (g): a job that succeeded, or
     * expired with its charge kept, or a ghost; an image job for the images delivered, a megapixel job for the megapixels reserved, a
     * video job for its billed seconds or clips.
     */
    static final String COST_UNITS = """
            CASE WHEN j.status = %1$s
                      OR (j.status = %2$s AND j.price_credits > COALESCE(g.amount, 0))
                      OR j.ghost
                 THEN CASE WHEN j.unit = 'image' THEN COALESCE(j.delivered_units, j.quantity)
                           WHEN j.unit = 'megapixel' THEN j.quantity
                           ELSE j.quantity * COALESCE(j.delivered_units, 1) END
                 ELSE 0 END""".formatted(COMPLETED.sql(), EXPIRED.sql());

    /** A job's (j) rate version (rv: its cost rate), fal's billing event (f) and its give-backs (g). */
    static final String JOINS = """
            LEFT JOIN rate_versions rv ON rv.id = j.rate_version_id
            LEFT JOIN fal_billing_events f ON f.job_id = j.id AND f.billed_at >= :givebacks_from
            LEFT JOIN (SELECT job_id, sum(amount) AS amount FROM ledger_entries
                       WHERE kind IN ('refund', 'release') AND created_at >= :givebacks_from
                       GROUP BY job_id) g ON g.job_id = j.id""";

    /**
     * Per job: what went back (refund + release entries of the ledger), its cost rate (its rate version's, frozen
     * with it), fal's own cost where reconciliation read it ({@code fal_billing_events}), fal's billable units where
     * the proxy saw them, and the units fal is expected to have been paid for: a job that succeeded (or expired with
     * its charge kept: fal may have billed it, or is a ghost: refunded to the tenant, but fal ran it), an image job
     * for the images delivered, a video job for its billed seconds or clips once the video was delivered. A give-back
     * (and a billing event) is written after its job, so only those from a day before the period are read (the day is
     * a margin for transactions that started before the job's).
     */
    private static final String PER_JOB = """
            SELECT j.tenant_id, j.model_id, j.status, j.created_at, j.unit, j.price_credits, j.usd_unit_price,
                   j.price_factor, j.exchange_rate, j.credits_per_cny, COALESCE(rv.cost_rate, j.exchange_rate) AS cost_rate,
                   COALESCE(g.amount, 0) AS given_back, f.cost_usd AS reconciled_usd,
                   %1$s AS billable,
                   j.ghost,
                   %2$s AS cost_units
            FROM jobs j
            %3$s
            WHERE j.created_at >= :from AND j.created_at < :to""".formatted(BILLABLE, COST_UNITS, JOINS);

    /**
     * Whole numbers only (counts and sums of credits and units) and exact decimal sums: PostgreSQL adds those fast.
     * The money is computed in Java per row and frozen price (see {@link #money}); the frozen price columns are
     * grouped on. fal's cost of a job, in order of trust: fal's billed cost (reconciled); else fal's billable units at
     * the frozen unit price (not for clip units: fal counts seconds there, the price is per clip); else the units above.
     */
    private static final String FIGURES = """
            usd_unit_price, price_factor, exchange_rate, credits_per_cny, cost_rate,
            count(*),
            count(*) FILTER (WHERE status = %1$s),
            count(*) FILTER (WHERE status IN (%2$s)),
            count(*) FILTER (WHERE status = %3$s),
            count(*) FILTER (WHERE ghost),
            count(*) FILTER (WHERE status = %4$s),
            count(*) FILTER (WHERE status = %5$s),
            count(*) FILTER (WHERE status IN (%6$s)),
            sum(price_credits)::bigint,
            sum(given_back)::bigint,
            sum(cost_units) FILTER (WHERE reconciled_usd IS NULL AND (billable IS NULL OR unit = 'clip' OR cost_units = 0))::bigint,
            sum(billable) FILTER (WHERE reconciled_usd IS NULL AND billable IS NOT NULL AND unit <> 'clip' AND cost_units > 0),
            sum(reconciled_usd),
            sum(billable),
            count(billable)""".formatted(COMPLETED.sql(), JobStatus.sqlList(FAILED, REJECTED), REJECTED.sql(),
            CANCELLED.sql(), EXPIRED.sql(), JobStatus.sqlList(RESERVED, SUBMITTED));

    /**
     * One result row: the row's dimensions (null where not grouped by), one frozen price, and the whole-number
     * figures of its jobs at that price, in {@link #FIGURES} order.
     */
    record FigureRow(Long tenantId, String modelId, String period, BigDecimal usdUnitPrice, String priceFactor,
                     BigDecimal exchangeRate, BigDecimal creditsPerCny, BigDecimal costRate, long submitted,
                     long succeeded, long failed, long rejected, long ghost, long cancelled, long expired, long open,
                     Long reserved, Long refunded, Long costUnits, BigDecimal billableCostUnits, BigDecimal reconciledUsd,
                     BigDecimal billable, long withBillable) {
    }

    record TenantName(long id, String name) {
    }

    private final EntityManager em;

    public UsageReportService(EntityManager em) {
        this.em = em;
    }

    /**
     * @param tenantId only this tenant's jobs (a tenant's own view, or an admin filter); null = all
     * @param model    only this model; null = all
     */
    public UsageReport report(ReportPeriod period, GroupBy groupBy, Long tenantId, String model) {
        return report(period, groupBy, tenantId, model, null);
    }

    /** @param apiKeyId only the jobs submitted with this key (within the tenant's); null = all */
    public UsageReport report(ReportPeriod period, GroupBy groupBy, Long tenantId, String model, Long apiKeyId) {
        // every dimension is selected (null where not grouped by), so each result row has the shape of a FigureRow
        String bucket = groupBy.period() == null ? "NULL::text"
                : "to_char(created_at AT TIME ZONE :tz, '" + (groupBy.period() == GroupBy.Granularity.day ? "YYYY-MM-DD" : "YYYY-MM") + "')";
        StringBuilder sql = new StringBuilder("SELECT ")
                .append(groupBy.tenant() ? "tenant_id" : "NULL::bigint").append(", ")
                .append(groupBy.model() ? "model_id" : "NULL::text").append(", ")
                .append(bucket).append(", ")
                .append(FIGURES).append("\nFROM (").append(PER_JOB);
        if (tenantId != null) {
            sql.append(" AND j.tenant_id = :tenant");
        }
        if (model != null) {
            sql.append(" AND j.model_id = :model");
        }
        if (apiKeyId != null) {
            sql.append(" AND j.api_key_id = :key");
        }
        sql.append(") per_job GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8");
        // a one-off scan of many rows: no JIT compile (it costs more than it saves here), sorts in memory
        em.createNativeQuery("SET LOCAL jit = off").executeUpdate();
        em.createNativeQuery("SET LOCAL work_mem = '64MB'").executeUpdate();
        NativeQuery<FigureRow> query = em.unwrap(Session.class).createNativeQuery(sql.toString(), FigureRow.class)
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
        if (apiKeyId != null) {
            query.setParameter("key", apiKeyId);
        }
        List<FigureRow> result = query.getResultList();

        Map<Long, String> names = groupBy.tenant() ? tenantNames(result) : Map.of();
        // consecutive result rows with the same dimensions (ordered so) are one report row, one per frozen price
        List<UsageRow> rows = new ArrayList<>();
        UsageFigures totals = UsageFigures.ZERO;
        for (FigureRow r : result) {
            UsageFigures figures = figures(r);
            UsageRow last = rows.isEmpty() ? null : rows.get(rows.size() - 1);
            if (last != null && Objects.equals(last.tenantId(), r.tenantId()) && Objects.equals(last.model(), r.modelId())
                    && Objects.equals(last.period(), r.period())) {
                rows.set(rows.size() - 1, new UsageRow(last.tenantId(), last.tenantName(), last.model(), last.period(),
                        last.figures().plus(figures)));
            } else {
                rows.add(new UsageRow(r.tenantId(), r.tenantId() == null ? null : names.get(r.tenantId()), r.modelId(),
                        r.period(), figures));
            }
            totals = totals.plus(figures);
        }
        return new UsageReport(period.fromText(), period.toText(), period.zone().getId(), groupBy.names(), tenantId,
                model, rows, totals);
    }

    /**
     * The figures of the jobs of one row at one frozen price. Money, exact and rounded half-up to 6 places once
     * per (row, frozen price) (with the default settings every division here is exact, so nothing is rounded):
     * revenue CNY = credits charged / credits per CNY; fal cost USD = fal's billed cost where reconciled, plus USD
     * unit price x (fal's billable units, or the units delivered) x price factor for the others; fal cost CNY = fal
     * cost USD x the frozen cost rate (CNY the operator pays per fal USD); margin CNY = revenue CNY - fal cost CNY.
     */
    private static UsageFigures figures(FigureRow r) {
        Fraction factor = Fraction.parse(r.priceFactor());
        long reserved = whole(r.reserved());
        long refunded = whole(r.refunded());
        BigDecimal revenue = money(BigDecimal.valueOf(reserved - refunded), r.creditsPerCny());
        BigDecimal denominator = new BigDecimal(factor.denominator());
        BigDecimal units = BigDecimal.valueOf(whole(r.costUnits())).add(orZero(r.billableCostUnits()));
        BigDecimal costUsd = money(r.usdUnitPrice().multiply(units).multiply(new BigDecimal(factor.numerator()))
                .add(orZero(r.reconciledUsd()).multiply(denominator)), denominator);
        BigDecimal costCny = costUsd.multiply(r.costRate()).setScale(PlainDecimal.SCALE, RoundingMode.HALF_UP);
        return new UsageFigures(r.submitted(), r.succeeded(), r.failed(), r.rejected(), r.ghost(), r.cancelled(),
                r.expired(), r.open(), reserved, refunded, reserved - refunded,
                revenue, costUsd, costCny, revenue.subtract(costCny), PlainDecimal.of(r.billable()), r.withBillable());
    }

    private static BigDecimal orZero(BigDecimal value) {
        return value == null ? BigDecimal.ZERO : value;
    }

    private static BigDecimal money(BigDecimal numerator, BigDecimal denominator) {
        return numerator.divide(denominator, PlainDecimal.SCALE, RoundingMode.HALF_UP);
    }

    private Map<Long, String> tenantNames(List<FigureRow> result) {
        List<Long> ids = result.stream().map(FigureRow::tenantId).distinct().toList();
        Map<Long, String> names = new HashMap<>();
        if (ids.isEmpty()) {
            return names;
        }
        em.unwrap(Session.class).createNativeQuery("SELECT id, name FROM tenants WHERE id IN (:ids)", TenantName.class)
                .setParameter("ids", ids)
                .getResultList()
                .forEach(t -> names.put(t.id(), t.name()));
        return names;
    }

    /** A sum over no rows is null. */
    private static long whole(Long value) {
        return value == null ? 0 : value;
    }
}
