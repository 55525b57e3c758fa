package io.creditproxy.pricing;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.math.BigDecimal;

/**
 * An admin's change to a model (PUT /admin/models/{id}). A null field keeps what is there; an empty string clears
 * an optional text field (e.g. allowed_quantities ""). For a model not yet in the table, unit, usd_price,
 * quantity_param and default_quantity are required and the rest defaults to empty; enabled defaults to true when
 * a usd_price is given and to false without one (an unpriced model is listed but never served).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ModelUpdate(
        String unit,
        BigDecimal usdPrice,
        String quantityParam,
        Integer defaultQuantity,
        String allowedQuantities,
        Integer minQuantity,
        Integer maxQuantity,
        Integer clipSeconds,
        String resolutionParam,
        String defaultResolution,
        String resolutionFactors,
        String description,
        Boolean enabled) {

    public static ModelUpdate price(BigDecimal usdPrice) {
        return new ModelUpdate(null, usdPrice, null, null, null, null, null, null, null, null, null, null, null);
    }

    public static ModelUpdate enabled(boolean enabled) {
        return new ModelUpdate(null, null, null, null, null, null, null, null, null, null, null, null, enabled);
    }

    /** This change applied to a model (null = a new one). */
    PriceListEntry applyTo(String id, PriceListEntry current) {
        return new PriceListEntry(id,
                pick(unit, current == null ? null : current.unit()),
                usdPrice != null ? usdPrice : current == null ? null : current.usdPrice(),
                pick(quantityParam, current == null ? null : current.quantityParam()),
                defaultQuantity != null ? defaultQuantity : current == null ? 0 : current.defaultQuantity(),
                pick(allowedQuantities, current == null ? null : current.allowedQuantities()),
                minQuantity != null ? minQuantity : current == null ? null : current.minQuantity(),
                maxQuantity != null ? maxQuantity : current == null ? null : current.maxQuantity(),
                clipSeconds != null ? clipSeconds : current == null ? null : current.clipSeconds(),
                pick(resolutionParam, current == null ? null : current.resolutionParam()),
                pick(defaultResolution, current == null ? null : current.defaultResolution()),
                pick(resolutionFactors, current == null ? null : current.resolutionFactors()),
                pick(description, current == null ? null : current.description()),
                enabled != null ? enabled : current == null ? usdPrice != null : current.enabled());
    }

    private static String pick(String given, String current) {
        if (given == null) {
            return current;
        }
        return given.isBlank() ? null : given.trim();
    }
}
