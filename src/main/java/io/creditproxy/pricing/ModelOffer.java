package io.creditproxy.pricing;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * A model as tenants see it in GET /v1/models.
 *
 * @param usdPrice        fal's price per unit, exact decimal as a string
 * @param creditsPerUnit  one unit (image, second, clip, megapixel) at the default resolution
 * @param defaultCredits  a submit that sets none of the pricing parameters (null when the model requires one:
 *                        a megapixel model without a default size)
 * @param sizeParam       for unit megapixel: the body field with the image size; defaultSize its default (null:
 *                        required)
 * @param allowedQuantities the enumerated values of quantity_param, or null when it is an integer in min..max
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ModelOffer(String id, String unit, String usdPrice, long creditsPerUnit, Long defaultCredits,
                         String quantityParam, int defaultQuantity, List<Integer> allowedQuantities,
                         Integer minQuantity, Integer maxQuantity, Integer clipSeconds, String resolutionParam,
                         String defaultResolution, List<String> resolutions, String description, String sizeParam,
                         String defaultSize, String multiplierParam, Integer maxMultiplier) {

    /** The answer of GET /v1/models. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Catalog(String exchangeRate, String creditsPerCny, List<ModelOffer> models) {
    }
}
