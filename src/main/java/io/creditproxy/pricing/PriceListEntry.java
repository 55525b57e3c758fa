package io.creditproxy.pricing;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.math.BigDecimal;

/**
 * One model of the price table, exactly as a row of {@code models} (and of {@code pricing/models.csv}) holds it,
 * with the table's notations: allowed quantities "5,10", resolution factors "360p=1,540p=1,720p=4/3,1080p=8/3@5"
 * ({@code @5}: only these quantities at that resolution, several joined by "|"). Optional fields are null.
 * Also the admins' view of a model. {@link PriceRule#parse} validates it.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PriceListEntry(
        String id,
        String unit,
        @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal usdPrice,
        String quantityParam,
        int defaultQuantity,
        String allowedQuantities,
        Integer minQuantity,
        Integer maxQuantity,
        Integer clipSeconds,
        String resolutionParam,
        String defaultResolution,
        String resolutionFactors,
        String description,
        boolean enabled) {

    public PriceListEntry {
        // numeric(14,6) comes back as 0.025000: keep one spelling of each price
        usdPrice = usdPrice == null ? null : normalize(usdPrice);
    }

    static BigDecimal normalize(BigDecimal d) {
        BigDecimal s = d.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }
}
