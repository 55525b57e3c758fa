package io.creditproxy.pricing;

import io.creditproxy.limits.ControlsCache;
import io.creditproxy.tenant.CurrentCaller;
import io.creditproxy.tenant.GroupService;
import io.creditproxy.tenant.GroupView;
import io.creditproxy.tenant.TenantKey;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.math.BigDecimal;
import java.util.List;

/** {@code GET /v1/groups}: the price groups the tenant may put keys in (its default first), with an API key or a token. */
@Path("/v1/groups")
@Produces(MediaType.APPLICATION_JSON)
@TenantKey
public class TenantGroupResource {

    private final CurrentCaller caller;
    private final ControlsCache controls;
    private final GroupService groups;

    public TenantGroupResource(CurrentCaller caller, ControlsCache controls, GroupService groups) {
        this.caller = caller;
        this.controls = controls;
        this.groups = groups;
    }

    @GET
    public List<TenantModelResource.TenantGroup> groups() {
        long tenantId = caller.get().tenantId();
        BigDecimal tenant = TenantModelResource.tenantMultiplier(controls, tenantId);
        List<GroupView> usable = groups.forTenant(tenantId);
        return usable.stream().map(g -> new TenantModelResource.TenantGroup(g.name(), g.description(), g.priceMultiplier(),
                TenantModelResource.plain(PriceCalculator.combined(tenant, g.priceMultiplier())), g == usable.get(0),
                g.enabled())).toList();
    }
}
