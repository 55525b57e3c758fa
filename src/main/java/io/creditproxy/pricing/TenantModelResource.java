package io.creditproxy.pricing;

import io.creditproxy.limits.ControlsCache;
import io.creditproxy.tenant.Caller;
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
    private final PriceTable pricing;
    private final ControlsCache controls;

    public TenantModelResource(TenantAuthenticator authenticator, PriceTable pricing, ControlsCache controls) {
        this.authenticator = authenticator;
        this.pricing = pricing;
        this.controls = controls;
    }

    @GET
    public ModelOffer.Catalog models(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        Caller caller = authenticator.authenticate(authorization);
        // credits as this tenant pays them (its price multiplier included)
        ControlsCache.TenantControls tenant = controls.tenant(caller.tenantId());
        return pricing.catalog(tenant == null ? null : tenant.priceMultiplier());
    }
}
