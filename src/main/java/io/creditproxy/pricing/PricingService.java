package io.creditproxy.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.enterprise.context.ApplicationScoped;

/** Prices a submit from the price table in PostgreSQL. (Stub: implemented in the pricing work.) */
@ApplicationScoped
public class PricingService {

    /**
     * @param body the submit's JSON body (an object)
     * @throws io.creditproxy.common.ApiException 404 unknown_model for an unknown or disabled model,
     *         422 invalid_parameter for a bad quantity or resolution
     */
    public Quote quote(String modelId, JsonNode body) {
        throw new UnsupportedOperationException("not yet");
    }
}
