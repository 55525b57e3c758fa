package io.creditproxy.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.UUID;

/**
 * A job as its tenant and the admins see it: its states, its price, what it was charged and given back, and
 * every ledger entry it caused. reserved/refunded/charged are read from the ledger: charged = reserved - refunded
 * (for a job not settled yet, what is held).
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record JobView(UUID id,
                      @JsonProperty("tenant_id") long tenantId,
                      @JsonProperty("request_id") String requestId,
                      String model,
                      String status,
                      @JsonProperty("fal_status") String falStatus,
                      @JsonProperty("cancel_requested") boolean cancelRequested,
                      String unit,
                      int quantity,
                      @JsonProperty("usd_unit_price") String usdUnitPrice,
                      @JsonProperty("price_factor") String priceFactor,
                      @JsonProperty("price_credits") long priceCredits,
                      long reserved,
                      long refunded,
                      long charged,
                      boolean settled,
                      @JsonProperty("delivered_units") Integer deliveredUnits,
                      @JsonProperty("fal_billable_units") String falBillableUnits,
                      String error,
                      @JsonProperty("needs_review") boolean needsReview,
                      /* refunded as refused or unreachable at submit, but fal ran it (the operator bore fal's cost) */
                      boolean ghost,
                      @JsonProperty("created_at") String createdAt,
                      @JsonProperty("updated_at") String updatedAt,
                      @JsonProperty("settled_at") String settledAt,
                      Settlement settlement,
                      List<Entry> ledger) {

    /** The settlement row (one per settled job), when the job has one. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Settlement(String outcome, String source, long reserved, long charged, long refunded, String reason,
                             @JsonProperty("settled_at") String settledAt) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Entry(long id, String kind, long amount, @JsonProperty("balance_after") long balanceAfter,
                        @JsonProperty("created_at") String createdAt) {
    }

    /** A page of jobs, newest first; pass next_before as before= for the next page (null on the last). */
    public record Page(List<JobView> jobs, @JsonProperty("next_before") UUID nextBefore) {
    }
}
