package io.creditproxy.report;

import io.creditproxy.common.ApiException;
import io.creditproxy.limits.KeyControls;
import io.creditproxy.pricing.PriceTable;
import io.creditproxy.tenant.CurrentCaller;
import io.creditproxy.tenant.KeyQuota;
import io.creditproxy.tenant.KeyService;
import io.creditproxy.tenant.TenantKey;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code GET /v1/key}: the quota query made with the API key itself (the resellers' "API key quota query"); see
 * {@link BillingDashboardResource} for the OpenAI-style form of the same figures.
 */
@Path("/v1/key")
@Produces(MediaType.APPLICATION_JSON)
@TenantKey
@Tag(name = "tenant")
public class KeyQuotaResource {

    private final CurrentCaller current;
    private final KeyService keys;

    public KeyQuotaResource(CurrentCaller current, KeyService keys) {
        this.current = current;
        this.keys = keys;
    }

    /** {@code {"name","group","credit_quota","credits_used","credits_remaining","tenant_balance","expires_at"}} */
    @GET
    public KeyQuota key() {
        return keys.quota(requireKey(current).keyId());
    }

    /** @throws ApiException 400 when the caller used a tenant user's token: these figures are a key's */
    static KeyControls requireKey(CurrentCaller current) {
        KeyControls key = current.key();
        if (key == null) {
            throw ApiException.badRequest("This route answers for an API key: call it with the key itself "
                    + "(Authorization: Bearer <key>), not with a user's token.");
        }
        return key;
    }

    /** credits in the reseller's unit (credits ÷ credits per CNY), rounded down */
    static BigDecimal units(PriceTable pricing, long credits, int scale) {
        return BigDecimal.valueOf(credits).divide(pricing.creditsPerCny(), scale, RoundingMode.DOWN);
    }
}
