package io.creditproxy.pricing;

import io.creditproxy.limits.ControlsCache;
import io.creditproxy.tenant.CurrentCaller;
import io.creditproxy.tenant.TenantKey;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** GET /v1/models: what a tenant can buy and what it costs, for any valid tenant key. */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
@TenantKey
public class TenantModelResource {

    private final CurrentCaller caller;
    private final PriceTable pricing;
    private final ControlsCache controls;

    public TenantModelResource(CurrentCaller caller, PriceTable pricing, ControlsCache controls) {
        this.caller = caller;
        this.pricing = pricing;
        this.controls = controls;
    }

    @GET
    public ModelOffer.Catalog models() {
        // credits as this tenant pays them (its price multiplier included)
        ControlsCache.TenantControls tenant = controls.tenant(caller.get().tenantId());
        return pricing.catalog(tenant == null ? null : tenant.priceMultiplier());
    }
}
