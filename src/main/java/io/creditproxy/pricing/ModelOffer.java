package io.creditproxy.pricing;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * A model as tenants see it in GET /v1/models.
 *
 * @param usdPrice        fal's price per unit, exact decimal as a string
 * @param creditsPerUnit  one unit (image, second, clip) at the default resolution
 * @param defaultCredits  a submit that sets none of the pricing parameters
 * @param allowedQuantities the enumerated values of quantity_param, or null when it is an integer in min..max
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ModelOffer(String id, String unit, String usdPrice, long creditsPerUnit, long defaultCredits,
                         String quantityParam, int defaultQuantity, List<Integer> allowedQuantities,
                         Integer minQuantity, Integer maxQuantity, Integer clipSeconds, String resolutionParam,
                         String defaultResolution, List<String> resolutions, String description) {

    /** The answer of GET /v1/models. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Catalog(String exchangeRate, String creditsPerCny, List<ModelOffer> models) {
    }
}
