package io.creditproxy.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

/**
 * GET /admin/reports/reconciliation: the proxy's books against fal's billing events for [from, to). Money in USD
 * (fal's) and credits (the tenant's); see {@link ReconciliationService} for what each list holds.
 *
 * @param eventsFetchedFrom    the span of fal's billing events read so far (null before the first pull): a job outside
 *                             it is never called "not billed"
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ReconciliationReport(String from,
                                   String to,
                                   @JsonProperty("time_zone") String timeZone,
                                   @JsonProperty("events_fetched_from") String eventsFetchedFrom,
                                   @JsonProperty("events_fetched_through") String eventsFetchedThrough,
                                   Totals totals,
                                   @JsonProperty("under_priced") List<JobLine> underPriced,
                                   @JsonProperty("billed_but_refunded") List<JobLine> billedButRefunded,
                                   @JsonProperty("billed_unknown") List<UnknownRequest> billedUnknown,
                                   @JsonProperty("charged_not_billed") List<JobLine> chargedNotBilled) {

    /**
     * The period's totals: jobs created in it, how many fal billed, fal's cost as the proxy expects it (its own figures)
     * and as fal billed it (the jobs' events plus the requests fal billed in the period that the proxy never knew).
     */
    public record Totals(long jobs,
                         @JsonProperty("jobs_billed_by_fal") long jobsBilledByFal,
                         @JsonProperty("expected_fal_cost_usd") @JsonSerialize(using = PlainDecimal.class) BigDecimal expectedFalCostUsd,
                         @JsonProperty("actual_fal_cost_usd") @JsonSerialize(using = PlainDecimal.class) BigDecimal actualFalCostUsd,
                         @JsonProperty("difference_usd") @JsonSerialize(using = PlainDecimal.class) BigDecimal differenceUsd,
                         @JsonProperty("under_priced") Category underPriced,
                         @JsonProperty("billed_but_refunded") Category billedButRefunded,
                         @JsonProperty("billed_unknown") Category billedUnknown,
                         @JsonProperty("charged_not_billed") Category chargedNotBilled) {
    }

    /** One list's count and sums (credits charged; fal's cost in USD and at the sale price in credits). */
    public record Category(long count,
                           @JsonProperty("credits_charged") long creditsCharged,
                           @JsonProperty("fal_cost_usd") @JsonSerialize(using = PlainDecimal.class) BigDecimal falCostUsd,
                           @JsonProperty("fal_cost_credits") long falCostCredits,
                           @JsonProperty("expected_fal_cost_usd") @JsonSerialize(using = PlainDecimal.class) BigDecimal expectedFalCostUsd) {

        static Category of(List<JobLine> lines) {
            long charged = 0;
            long falCredits = 0;
            BigDecimal fal = PlainDecimal.ZERO;
            BigDecimal expected = PlainDecimal.ZERO;
            for (JobLine l : lines) {
                charged += l.creditsCharged();
                falCredits += l.falCostCredits() == null ? 0 : l.falCostCredits();
                fal = fal.add(l.falCostUsd() == null ? BigDecimal.ZERO : l.falCostUsd());
                expected = expected.add(l.expectedFalCostUsd());
            }
            return new Category(lines.size(), charged, fal, falCredits, expected);
        }

        static Category ofUnknown(List<UnknownRequest> requests) {
            BigDecimal fal = requests.stream().map(UnknownRequest::falCostUsd).reduce(PlainDecimal.ZERO, BigDecimal::add);
            return new Category(requests.size(), 0, fal, 0, PlainDecimal.ZERO);
        }
    }

    /**
     * A job of one of the lists.
     *
     * @param falCostCredits     fal's cost at the job's sale price (exchange rate x credits per CNY x the tenant's
     *                           multiplier), rounded up; null when fal billed nothing
     * @param falCostCny         fal's cost at the job's cost rate (what the operator paid)
     * @param shortfallCredits   fal_cost_credits - credits_charged (positive: the price did not cover fal's bill)
     */
    public record JobLine(@JsonProperty("job_id") UUID jobId,
                          @JsonProperty("tenant_id") long tenantId,
                          String model,
                          String status,
                          boolean ghost,
                          @JsonProperty("created_at") String createdAt,
                          @JsonProperty("fal_request_id") String falRequestId,
                          @JsonProperty("credits_charged") long creditsCharged,
                          @JsonProperty("expected_fal_cost_usd") @JsonSerialize(using = PlainDecimal.class) BigDecimal expectedFalCostUsd,
                          @JsonProperty("fal_cost_usd") @JsonSerialize(using = PlainDecimal.class) BigDecimal falCostUsd,
                          @JsonProperty("fal_units") @JsonSerialize(using = PlainDecimal.class) BigDecimal falUnits,
                          @JsonProperty("fal_unit_price") @JsonSerialize(using = PlainDecimal.class) BigDecimal falUnitPrice,
                          @JsonProperty("fal_cost_credits") Long falCostCredits,
                          @JsonProperty("fal_cost_cny") @JsonSerialize(using = PlainDecimal.class) BigDecimal falCostCny,
                          @JsonProperty("shortfall_credits") Long shortfallCredits) {
    }

    /** A request fal billed that the proxy has no job for. */
    public record UnknownRequest(@JsonProperty("request_id") String requestId,
                                 @JsonProperty("endpoint_id") String endpointId,
                                 @JsonProperty("billed_at") String billedAt,
                                 @JsonProperty("fal_units") @JsonSerialize(using = PlainDecimal.class) BigDecimal falUnits,
                                 @JsonProperty("fal_unit_price") @JsonSerialize(using = PlainDecimal.class) BigDecimal falUnitPrice,
                                 @JsonProperty("fal_cost_usd") @JsonSerialize(using = PlainDecimal.class) BigDecimal falCostUsd) {
    }
}
