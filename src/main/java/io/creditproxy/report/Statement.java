package io.creditproxy.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

/**
 * A tenant's statement for [from, to): the balance before the period, every ledger entry in it (oldest first)
 * and the balance after it. opening_balance + Σ amount = closing_balance, always.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Statement(@JsonProperty("tenant_id") long tenantId,
                        @JsonProperty("tenant_name") String tenantName,
                        String from,
                        String to,
                        @JsonProperty("time_zone") String timeZone,
                        @JsonProperty("opening_balance") long openingBalance,
                        @JsonProperty("total_credits") long totalCredits,
                        @JsonProperty("closing_balance") long closingBalance,
                        List<Entry> entries,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage) {

    /** The statement with the period's money figures (the admin's statement; tenants never see fal cost). */
    public Statement withUsage(Usage figures) {
        return new Statement(tenantId, tenantName, from, to, timeZone, openingBalance, totalCredits, closingBalance,
                entries, figures);
    }

    /** The period's revenue, fal cost (at the jobs' frozen cost rates) and margin, from the usage report's totals. */
    public record Usage(@JsonProperty("revenue_cny") @JsonSerialize(using = PlainDecimal.class) BigDecimal revenueCny,
                        @JsonProperty("fal_cost_usd") @JsonSerialize(using = PlainDecimal.class) BigDecimal falCostUsd,
                        @JsonProperty("fal_cost_cny") @JsonSerialize(using = PlainDecimal.class) BigDecimal falCostCny,
                        @JsonProperty("margin_cny") @JsonSerialize(using = PlainDecimal.class) BigDecimal marginCny) {

        static Usage of(UsageFigures f) {
            return new Usage(f.revenueCny(), f.falCostUsd(), f.falCostCny(), f.marginCny());
        }
    }

    /** One ledger entry, with the model of its job when it belongs to one. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Entry(long id,
                        @JsonProperty("created_at") String createdAt,
                        String kind,
                        long amount,
                        @JsonProperty("balance_after") long balanceAfter,
                        @JsonProperty("job_id") UUID jobId,
                        String model,
                        String reason,
                        @JsonProperty("created_by") String createdBy) {
    }
}
