package io.creditproxy.pricing;

import io.creditproxy.limits.ControlsCache;
import io.creditproxy.limits.ModelPatterns;
import io.creditproxy.tenant.GroupService;
import io.creditproxy.tenant.KeyService;
import io.creditproxy.tenant.KeyView;
import io.creditproxy.tenant.TenantUserToken;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.math.BigDecimal;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code GET /v1/keys/{id}/models} (System API, tenant user's token): the models one of the tenant's keys may call
 * (its allowed_models among the enabled ones), each with its price in credits in the key's group.
 */
@Path("/v1/keys/{id}/models")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(TenantUserToken.ROLE)
@Tag(name = "system")
public class TenantKeyModelsResource {

    private final TenantUserToken user;
    private final KeyService keys;
    private final GroupService groups;
    private final PriceTable pricing;
    private final ControlsCache controls;

    public TenantKeyModelsResource(TenantUserToken user, KeyService keys, GroupService groups, PriceTable pricing,
                                   ControlsCache controls) {
        this.user = user;
        this.keys = keys;
        this.groups = groups;
        this.pricing = pricing;
        this.controls = controls;
    }

    @GET
    public TenantModelResource.GroupCatalog models(@PathParam("id") long keyId) {
        long tenantId = user.tenantId();
        KeyView key = keys.getOwned(tenantId, keyId);
        ControlsCache.TenantControls tenant = controls.tenant(tenantId);
        BigDecimal multiplier = tenant == null ? BigDecimal.ONE : tenant.priceMultiplier();
        TenantModelResource.GroupCatalog all = TenantModelResource.catalog(multiplier, groups.named(key.group()), pricing);
        return new TenantModelResource.GroupCatalog(all.group(), all.effectiveMultiplier(), all.exchangeRate(),
                all.creditsPerCny(), all.models().stream()
                .filter(m -> ModelPatterns.allows(key.allowedModels(), m.id())).toList());
    }
}
