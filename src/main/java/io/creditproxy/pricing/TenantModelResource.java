package io.creditproxy.pricing;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.creditproxy.limits.ControlsCache;
import io.creditproxy.tenant.CurrentCaller;
import io.creditproxy.tenant.GroupService;
import io.creditproxy.tenant.GroupView;
import io.creditproxy.tenant.TenantKey;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.math.BigDecimal;
import java.util.List;

/**
 * What a tenant can buy and what it costs, with an API key or a tenant user's token: {@code GET /v1/models}
 * ({@code ?group=NAME}: at that group's prices; default the key's group, or with a token the tenant's default group).
 */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
@TenantKey
public class TenantModelResource {

    /** A group as a tenant sees it: its multiplier, and the multiplier the tenant pays in it (× its own). */
    public record TenantGroup(String name, String description,
                              @JsonProperty("price_multiplier") @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal priceMultiplier,
                              @JsonProperty("effective_multiplier") @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal effectiveMultiplier,
                              @JsonProperty("default") boolean isDefault, boolean enabled) {
    }

    /** {@code GET /v1/models}: the catalog at one group's prices. */
    public record GroupCatalog(String group,
                               @JsonProperty("effective_multiplier") @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal effectiveMultiplier,
                               @JsonProperty("exchange_rate") String exchangeRate,
                               @JsonProperty("credits_per_cny") String creditsPerCny, List<ModelOffer> models) {
    }

    private final CurrentCaller caller;
    private final PriceTable pricing;
    private final ControlsCache controls;
    private final GroupService groups;

    public TenantModelResource(CurrentCaller caller, PriceTable pricing, ControlsCache controls, GroupService groups) {
        this.caller = caller;
        this.pricing = pricing;
        this.controls = controls;
        this.groups = groups;
    }

    @GET
    public GroupCatalog models(@QueryParam("group") String group) {
        long tenantId = caller.get().tenantId();
        GroupView g = group != null ? groups.usableView(tenantId, group)
                : caller.key() != null ? groups.byId(caller.key().group().id()) : groups.defaultOf(tenantId);
        return catalog(tenantMultiplier(controls, tenantId), g, pricing);
    }

    /** The catalog at a tenant's multiplier in a group (credits as the tenant pays them). */
    static GroupCatalog catalog(BigDecimal tenantMultiplier, GroupView g, PriceTable pricing) {
        BigDecimal m = PriceCalculator.combined(tenantMultiplier, g.priceMultiplier());
        ModelOffer.Catalog c = pricing.catalog(m);
        return new GroupCatalog(g.name(), plain(m), c.exchangeRate(), c.creditsPerCny(), c.models());
    }

    static BigDecimal tenantMultiplier(ControlsCache controls, long tenantId) {
        ControlsCache.TenantControls tenant = controls.tenant(tenantId);
        return tenant == null ? BigDecimal.ONE : tenant.priceMultiplier();
    }

    static BigDecimal plain(BigDecimal m) {
        BigDecimal s = m.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }
}
