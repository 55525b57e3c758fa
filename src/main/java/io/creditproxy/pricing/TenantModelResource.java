package io.creditproxy.pricing;

import io.creditproxy.tenant.TenantAuthenticator;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

/** GET /v1/models: what a tenant can buy and what it costs, for any valid tenant key. */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
public class TenantModelResource {

    private final TenantAuthenticator authenticator;
    private final PricingService pricing;

    public TenantModelResource(TenantAuthenticator authenticator, PricingService pricing) {
        this.authenticator = authenticator;
        this.pricing = pricing;
    }

    @GET
    public ModelOffer.Catalog models(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        authenticator.authenticate(authorization);
        return pricing.catalog();
    }
}
