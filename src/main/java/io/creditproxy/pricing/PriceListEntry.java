package io.creditproxy.pricing;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.math.BigDecimal;

/**
 * One model of the price table, exactly as a row of {@code models} (and of {@code pricing/models.csv}) holds it,
 * with the table's notations: allowed quantities "5,10" (or fal's spelling with a unit, "4s,6s,8s"), resolution factors
 * "360p=1,540p=1,720p=4/3,1080p=8/3@5" ({@code @5}: only these quantities at that resolution, several joined by "|").
 * A model priced per megapixel names the body field with the image size ({@code size_param}, fal's {@code image_size})
 * and fal's default size ({@code default_size}, a preset name; empty when fal sizes the output from an input image,
 * so the proxy requires the field); {@code multiplier_param} is a second count fal multiplies its bill by (seedream's
 * {@code max_images}), at most {@code max_multiplier}. Optional fields are null.
 * Also the admins' view of a model. {@link PriceRule#parse} validates it.
 *
 * <p>The body of PUT /admin/models/{id} is the same record read as a change ({@link #appliedTo}): a null field keeps
 * what is there, an empty string clears an optional text field (e.g. allowed_quantities ""), the id comes from the
 * path. For a model not yet in the table, unit, usd_price, quantity_param and default_quantity are required and the
 * rest defaults to empty; enabled defaults to true when a usd_price is given and to false without one (an unpriced
 * model is listed but never served). An entry read from the table or a price list has every required field.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PriceListEntry(
        String id,
        String unit,
        @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal usdPrice,
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
        Boolean enabled,
        String sizeParam,
        String defaultSize,
        String multiplierParam,
        Integer maxMultiplier) {

    /** An entry without the megapixel and multiplier fields (every unit but megapixel, most models). */
    public PriceListEntry(String id, String unit, BigDecimal usdPrice, String quantityParam, Integer defaultQuantity,
                          String allowedQuantities, Integer minQuantity, Integer maxQuantity, Integer clipSeconds,
                          String resolutionParam, String defaultResolution, String resolutionFactors, String description,
                          Boolean enabled) {
        this(id, unit, usdPrice, quantityParam, defaultQuantity, allowedQuantities, minQuantity, maxQuantity, clipSeconds,
                resolutionParam, defaultResolution, resolutionFactors, description, enabled, null, null, null, null);
    }

    public PriceListEntry {
        // numeric(14,6) comes back as 0.025000: keep one spelling of each price
        usdPrice = usdPrice == null ? null : normalize(usdPrice);
    }

    /** A change of the price only. */
    public static PriceListEntry changePrice(BigDecimal usdPrice) {
        return new PriceListEntry(null, null, usdPrice, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** A change of enabled only. */
    public static PriceListEntry changeEnabled(boolean enabled) {
        return new PriceListEntry(null, null, null, null, null, null, null, null, null, null, null, null, null, enabled);
    }

    /** This entry read as a change, applied to the model {@code id} as it is ({@code current} null: a new one). */
    PriceListEntry appliedTo(String id, PriceListEntry current) {
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
                enabled != null ? enabled : current == null ? usdPrice != null : current.enabled(),
                pick(sizeParam, current == null ? null : current.sizeParam()),
                pick(defaultSize, current == null ? null : current.defaultSize()),
                pick(multiplierParam, current == null ? null : current.multiplierParam()),
                maxMultiplier != null ? maxMultiplier : current == null ? null : current.maxMultiplier());
    }

    private static String pick(String given, String current) {
        if (given == null) {
            return current;
        }
        return given.isBlank() ? null : given.trim();
    }

    static BigDecimal normalize(BigDecimal d) {
        BigDecimal s = d.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }
}
