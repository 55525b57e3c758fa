package io.creditproxy.report;

import static io.creditproxy.billing.JobStatus.COMPLETED;
import static io.creditproxy.billing.JobStatus.EXPIRED;

import io.creditproxy.billing.JobStatus;
import io.creditproxy.pricing.Fraction;
import io.creditproxy.report.ReconciliationReport.Category;
import io.creditproxy.report.ReconciliationReport.JobLine;
import io.creditproxy.report.ReconciliationReport.Totals;
import io.creditproxy.report.ReconciliationReport.UnknownRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hibernate.Session;

/**
 * The proxy's books against fal's bill for the jobs created in [from, to) (and fal's requests billed in it that the
 * proxy never knew), from fal's billing events stored by billing/FalBillingReconciliation. Lists, with totals:
 * <ul>
 * <li><b>under_priced</b>: fal billed more for the job than the tenant was charged, comparing at the job's frozen sale
 * price (fal's USD x exchange rate x credits per CNY x the tenant's multiplier, rounded up): the price did not cover
 * fal's bill;</li>
 * <li><b>billed_but_refunded</b>: fal billed a job the tenant paid nothing for (a ghost, a failure, a cancel);</li>
 * <li><b>billed_unknown</b>: fal billed a request the proxy has no job for;</li>
 * <li><b>charged_not_billed</b>: the tenant was charged for a settled job, fal's events were read for its time, and
 * fal billed nothing.</li>
 * </ul>
 * and the period's expected fal cost (what the proxy's own figures say: fal's billable units or the units delivered
 * at the frozen price) against the actual (fal's billing events).
 */
@ApplicationScoped
@Transactional
public class ReconciliationService {

    /** Per job of the period: the figures the categories are decided from. */
    private static final String PER_JOB = """
            SELECT j.id, j.tenant_id, j.model_id, j.status, j.ghost, j.created_at, j.settled_at,
                   COALESCE(j.request_id, j.ghost_request_id) AS fal_request_id, j.unit,
                   (j.price_credits - COALESCE(g.amount, 0))::bigint AS charged, j.usd_unit_price, j.price_factor, j.exchange_rate,
                   j.credits_per_cny, j.price_multiplier, COALESCE(rv.cost_rate, j.exchange_rate) AS cost_rate,
                   CASE WHEN %2$s > 0 AND j.unit <> 'clip' AND %1$s IS NOT NULL THEN %1$s ELSE %2$s END AS expected_units,
                   f.cost_usd, f.output_units, f.unit_price
            FROM jobs j
            %3$s
            WHERE j.created_at >= :from AND j.created_at < :to""".formatted(UsageReportService.BILLABLE,
            UsageReportService.COST_UNITS, UsageReportService.JOINS);

    /** The jobs to list: billed by fal and refunded or under-priced, or charged, settled and not billed by fal. */
    private static final String LISTED = """
            SELECT id, tenant_id, model_id, status, ghost, created_at, fal_request_id, charged, usd_unit_price,
                   price_factor, exchange_rate, credits_per_cny, price_multiplier, cost_rate, expected_units,
                   cost_usd, output_units, unit_price
            FROM (%s) per_job
            WHERE (cost_usd IS NOT NULL
                   AND (charged = 0 OR cost_usd * exchange_rate * credits_per_cny * price_multiplier > charged))
               OR (cost_usd IS NULL AND charged > 0 AND status IN (%s)
                   AND created_at >= :fetched_from AND settled_at < :fetched_through)
            ORDER BY created_at, id""".formatted(PER_JOB, JobStatus.sqlList(COMPLETED, EXPIRED));

    /** The expected units and fal's billed cost of every job of the period, by frozen price. */
    private static final String EXPECTED = """
            SELECT usd_unit_price, price_factor, sum(expected_units), sum(cost_usd), count(*), count(cost_usd)
            FROM (%s) per_job GROUP BY 1, 2 ORDER BY 1, 2""".formatted(PER_JOB);

    record Row(UUID id, long tenantId, String modelId, String status, boolean ghost, Instant createdAt,
               String falRequestId, long charged, BigDecimal usdUnitPrice, String priceFactor, BigDecimal exchangeRate,
               BigDecimal creditsPerCny, BigDecimal priceMultiplier, BigDecimal costRate, BigDecimal expectedUnits,
               BigDecimal costUsd, BigDecimal outputUnits, BigDecimal unitPrice) {
    }

    record ExpectedRow(BigDecimal usdUnitPrice, String priceFactor, BigDecimal units, BigDecimal billedUsd, long jobs,
                       long billedJobs) {
    }

    record Unknown(String requestId, String endpointId, Instant billedAt, BigDecimal outputUnits, BigDecimal unitPrice,
                   BigDecimal costUsd) {
    }

    record State(Instant fetchedFrom, Instant fetchedThrough) {
    }

    private final EntityManager em;

    public ReconciliationService(EntityManager em) {
        this.em = em;
    }

    public ReconciliationReport report(ReportPeriod period) {
        Session session = em.unwrap(Session.class);
        em.createNativeQuery("SET LOCAL jit = off").executeUpdate();
        State state = session.createNativeQuery("SELECT fetched_from, fetched_through FROM fal_reconciliation_state WHERE id = 1",
                State.class).getResultList().stream().findFirst().orElse(new State(null, null));
        // before the first pull nothing can be "not billed": an empty window
        Instant windowFrom = state.fetchedFrom() == null ? Instant.EPOCH : state.fetchedFrom();
        Instant windowTo = state.fetchedThrough() == null ? Instant.EPOCH : state.fetchedThrough();

        List<Row> rows = session.createNativeQuery(LISTED, Row.class)
                .setParameter("from", period.from()).setParameter("to", period.to())
                .setParameter("givebacks_from", period.from().minusDays(1))
                .setParameter("fetched_from", windowFrom).setParameter("fetched_through", windowTo)
                .getResultList();
        List<JobLine> underPriced = new ArrayList<>();
        List<JobLine> refunded = new ArrayList<>();
        List<JobLine> notBilled = new ArrayList<>();
        for (Row r : rows) {
            JobLine line = line(r, period);
            if (r.costUsd() == null) {
                notBilled.add(line);
            } else if (r.charged() == 0) {
                refunded.add(line);
            } else {
                underPriced.add(line);
            }
        }
        List<UnknownRequest> unknown = session.createNativeQuery("""
                        SELECT request_id, endpoint_id, billed_at, output_units, unit_price, cost_usd
                        FROM fal_billing_events WHERE job_id IS NULL AND billed_at >= :from AND billed_at < :to
                        ORDER BY billed_at, request_id""", Unknown.class)
                .setParameter("from", period.from()).setParameter("to", period.to())
                .getResultList().stream()
                .map(u -> new UnknownRequest(u.requestId(), u.endpointId(), Sql.text(u.billedAt(), period.zone()),
                        u.outputUnits(), u.unitPrice(), money(u.costUsd())))
                .toList();

        BigDecimal expected = PlainDecimal.ZERO;
        BigDecimal billedForJobs = BigDecimal.ZERO;
        long jobs = 0;
        long billedJobs = 0;
        for (ExpectedRow e : session.createNativeQuery(EXPECTED, ExpectedRow.class)
                .setParameter("from", period.from()).setParameter("to", period.to())
                .setParameter("givebacks_from", period.from().minusDays(1))
                .getResultList()) {
            expected = expected.add(cost(e.usdUnitPrice(), e.priceFactor(), e.units()));
            billedForJobs = billedForJobs.add(e.billedUsd() == null ? BigDecimal.ZERO : e.billedUsd());
            jobs += e.jobs();
            billedJobs += e.billedJobs();
        }
        BigDecimal unknownUsd = unknown.stream().map(UnknownRequest::falCostUsd).reduce(BigDecimal.ZERO, BigDecimal::add);
        BigDecimal actual = money(billedForJobs).add(unknownUsd);
        Totals totals = new Totals(jobs, billedJobs, expected, actual, actual.subtract(expected),
                Category.of(underPriced), Category.of(refunded), Category.ofUnknown(unknown), Category.of(notBilled));
        return new ReconciliationReport(period.fromText(), period.toText(), period.zone().getId(),
                Sql.text(state.fetchedFrom(), period.zone()), Sql.text(state.fetchedThrough(), period.zone()), totals,
                underPriced, refunded, unknown, notBilled);
    }

    private static JobLine line(Row r, ReportPeriod period) {
        BigDecimal falCredits = null;
        BigDecimal falCny = null;
        if (r.costUsd() != null) {
            // what fal's bill costs at the job's own sale price, rounded up like a quote
            falCredits = r.costUsd().multiply(r.exchangeRate()).multiply(r.creditsPerCny()).multiply(r.priceMultiplier())
                    .setScale(0, RoundingMode.CEILING);
            falCny = money(r.costUsd().multiply(r.costRate()));
        }
        return new JobLine(r.id(), r.tenantId(), r.modelId(), r.status(), r.ghost(), Sql.text(r.createdAt(), period.zone()),
                r.falRequestId(), r.charged(), cost(r.usdUnitPrice(), r.priceFactor(), r.expectedUnits()),
                r.costUsd() == null ? null : money(r.costUsd()), r.outputUnits(), r.unitPrice(),
                falCredits == null ? null : falCredits.longValueExact(), falCny,
                falCredits == null ? null : falCredits.longValueExact() - r.charged());
    }

    /** USD unit price x units x the price factor, rounded half-up to 6 places. */
    private static BigDecimal cost(BigDecimal unitPrice, String priceFactor, BigDecimal units) {
        Fraction factor = Fraction.parse(priceFactor);
        return unitPrice.multiply(units == null ? BigDecimal.ZERO : units).multiply(new BigDecimal(factor.numerator()))
                .divide(new BigDecimal(factor.denominator()), PlainDecimal.SCALE, RoundingMode.HALF_UP);
    }

    private static BigDecimal money(BigDecimal value) {
        return value.setScale(PlainDecimal.SCALE, RoundingMode.HALF_UP);
    }
}
