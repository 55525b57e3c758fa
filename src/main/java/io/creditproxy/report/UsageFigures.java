package io.creditproxy.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.math.BigDecimal;

/**
 * The figures of one report row (or of the totals). Every figure is a sum over jobs, and each money figure is
 * rounded per job before summing, so the totals row is exactly the sum of the rows. Definitions: README "Reports".
 */
public record UsageFigures(
        @JsonProperty("jobs_submitted") long jobsSubmitted,
        @JsonProperty("jobs_succeeded") long jobsSucceeded,
        @JsonProperty("jobs_failed") long jobsFailed,
        @JsonProperty("jobs_rejected") long jobsRejected,
        @JsonProperty("jobs_ghost") long jobsGhost,
        @JsonProperty("jobs_cancelled") long jobsCancelled,
        @JsonProperty("jobs_expired") long jobsExpired,
        @JsonProperty("jobs_open") long jobsOpen,
        @JsonProperty("credits_reserved") long creditsReserved,
        @JsonProperty("credits_refunded") long creditsRefunded,
        @JsonProperty("credits_charged") long creditsCharged,
        @JsonProperty("revenue_cny") @JsonSerialize(using = PlainDecimal.class) BigDecimal revenueCny,
        @JsonProperty("fal_cost_usd") @JsonSerialize(using = PlainDecimal.class) BigDecimal falCostUsd,
        @JsonProperty("fal_cost_cny") @JsonSerialize(using = PlainDecimal.class) BigDecimal falCostCny,
        @JsonProperty("margin_cny") @JsonSerialize(using = PlainDecimal.class) BigDecimal marginCny,
        @JsonProperty("fal_billable_units") @JsonSerialize(using = PlainDecimal.class) BigDecimal falBillableUnits,
        @JsonProperty("jobs_with_fal_billable_units") long jobsWithFalBillableUnits) {

    public static final UsageFigures ZERO = new UsageFigures(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            PlainDecimal.ZERO, PlainDecimal.ZERO, PlainDecimal.ZERO, PlainDecimal.ZERO, PlainDecimal.ZERO, 0);

    public UsageFigures plus(UsageFigures o) {
        return new UsageFigures(jobsSubmitted + o.jobsSubmitted, jobsSucceeded + o.jobsSucceeded,
                jobsFailed + o.jobsFailed, jobsRejected + o.jobsRejected, jobsGhost + o.jobsGhost,
                jobsCancelled + o.jobsCancelled,
                jobsExpired + o.jobsExpired, jobsOpen + o.jobsOpen,
                Math.addExact(creditsReserved, o.creditsReserved), Math.addExact(creditsRefunded, o.creditsRefunded),
                Math.addExact(creditsCharged, o.creditsCharged),
                revenueCny.add(o.revenueCny), falCostUsd.add(o.falCostUsd), falCostCny.add(o.falCostCny),
                marginCny.add(o.marginCny), falBillableUnits.add(o.falBillableUnits),
                jobsWithFalBillableUnits + o.jobsWithFalBillableUnits);
    }

    /** Column names of the figures, in CSV order (the same names as in JSON). */
    public static final String[] COLUMNS = {"jobs_submitted", "jobs_succeeded", "jobs_failed", "jobs_rejected",
            "jobs_ghost", "jobs_cancelled", "jobs_expired", "jobs_open", "credits_reserved", "credits_refunded",
            "credits_charged", "revenue_cny", "fal_cost_usd", "fal_cost_cny", "margin_cny", "fal_billable_units",
            "jobs_with_fal_billable_units"};

    /** The figures as CSV cells, in {@link #COLUMNS} order. */
    public Object[] cells() {
        return new Object[]{jobsSubmitted, jobsSucceeded, jobsFailed, jobsRejected, jobsGhost, jobsCancelled, jobsExpired,
                jobsOpen, creditsReserved, creditsRefunded, creditsCharged, revenueCny.toPlainString(),
                falCostUsd.toPlainString(), falCostCny.toPlainString(), marginCny.toPlainString(),
                falBillableUnits.toPlainString(), jobsWithFalBillableUnits};
    }
}
