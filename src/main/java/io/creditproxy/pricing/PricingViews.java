package io.creditproxy.pricing;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;

/** The small DTOs of the pricing admin API: rates, price history, import diffs. */
public final class PricingViews {

    private PricingViews() {
    }

    /**
     * The rates in force and the version they are: the sale rate (exchange_rate, CNY per fal USD, what tenants pay),
     * credits per CNY, and the cost rate (CNY the operator pays per USD of fal usage; fal cost and margin use it).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Rates(@JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal exchangeRate,
                        @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal creditsPerCny,
                        @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal costRate,
                        long versionId, OffsetDateTime effectiveAt, String createdBy) {
    }

    /** PUT /admin/pricing/rates: a field left out keeps its value. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record RatesUpdate(BigDecimal exchangeRate, BigDecimal creditsPerCny, BigDecimal costRate) {

        /** The sale side only; the cost rate stays. */
        public RatesUpdate(BigDecimal exchangeRate, BigDecimal creditsPerCny) {
            this(exchangeRate, creditsPerCny, null);
        }
    }

    /** One version of a model's price (a null usd_price: unpriced from then on). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PriceVersion(long id, String modelId, String unit,
                               @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal usdPrice, Integer clipSeconds,
                               String resolutionFactors, OffsetDateTime effectiveAt, String createdBy) {
    }

    /** A model whose row would change, with the fields that differ. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ModelChange(String id, List<String> fields, PriceListEntry before, PriceListEntry after) {
    }

    /**
     * What an import does (dry run) or did (applied). Models of the table that the file does not name are listed in
     * not_in_file and left alone: an import never deletes (jobs refer to models); disable them instead.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ImportResult(boolean applied, List<PriceListEntry> added, List<ModelChange> changed, int unchanged,
                               List<String> notInFile) {
    }
}
