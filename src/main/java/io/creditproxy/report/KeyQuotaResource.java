package io.creditproxy.report;

import com.fasterxml.jackson.annotation.JsonProperty;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Quota queries made with the API key itself: {@code GET /v1/key} (the resellers' "API key quota query"), and the
 * OpenAI-style billing endpoints that quota-query tools and chat clients read. Their "usd" fields are in the
 * reseller's currency unit, 1 = {@code credits_per_cny} credits (1 CNY = 10,000 credits by default), to 2 decimals
 * rounded down; {@code total_usage} is in hundredths of that unit (OpenAI gives cents):
 * <ul>
 *   <li>{@code hard_limit_usd} = {@code soft_limit_usd} = {@code system_hard_limit_usd}: what the key may spend in all,
 *       its credit quota, or without one what it has used plus what the tenant has available;</li>
 *   <li>{@code total_usage}: the key's credits used (all time, net of refunds), whatever the dates asked, so that
 *       hard limit − usage is what remains (as the resellers' gateways answer it);</li>
 *   <li>{@code access_until}: the key's expiry in Unix seconds, 0 when it never expires.</li>
 * </ul>
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@TenantKey
@Tag(name = "tenant")
public class KeyQuotaResource {

    /** OpenAI's {@code billing_subscription}, in the reseller's unit (see the class comment). */
    public record Subscription(String object, @JsonProperty("has_payment_method") boolean hasPaymentMethod,
                               @JsonProperty("soft_limit_usd") BigDecimal softLimitUsd,
                               @JsonProperty("hard_limit_usd") BigDecimal hardLimitUsd,
                               @JsonProperty("system_hard_limit_usd") BigDecimal systemHardLimitUsd,
                               @JsonProperty("access_until") long accessUntil) {
    }

    /** OpenAI's billing usage: total in hundredths of the reseller's unit. */
    public record Usage(String object, @JsonProperty("total_usage") BigDecimal totalUsage,
                        @JsonProperty("daily_costs") List<Object> dailyCosts) {
    }

    private final CurrentCaller current;
    private final KeyService keys;
    private final PriceTable pricing;

    public KeyQuotaResource(CurrentCaller current, KeyService keys, PriceTable pricing) {
        this.current = current;
        this.keys = keys;
        this.pricing = pricing;
    }

    /** {@code {"name","group","credit_quota","credits_used","credits_remaining","tenant_balance","expires_at"}} */
    @GET
    @Path("key")
    public KeyQuota key() {
        return keys.quota(requireKey().keyId());
    }

    @GET
    @Path("dashboard/billing/subscription")
    public Subscription subscription() {
        KeyQuota q = keys.quota(requireKey().keyId());
        long limit = q.creditQuota() != null ? q.creditQuota() : q.creditsUsed() + Math.max(0, q.tenantAvailable());
        BigDecimal units = units(limit, 2);
        return new Subscription("billing_subscription", true, units, units, units,
                q.expiresAt() == null ? 0 : q.expiresAt().toEpochSecond());
    }

    /** {@code start_date} and {@code end_date} are accepted (clients send them) and do not narrow the total. */
    @GET
    @Path("dashboard/billing/usage")
    public Usage usage(@QueryParam("start_date") String startDate, @QueryParam("end_date") String endDate) {
        KeyQuota q = keys.quota(requireKey().keyId());
        return new Usage("list", units(q.creditsUsed(), 2).movePointRight(2).setScale(0, RoundingMode.DOWN), List.of());
    }

    private KeyControls requireKey() {
        KeyControls key = current.key();
        if (key == null) {
            throw ApiException.badRequest("This route answers for an API key: call it with the key itself "
                    + "(Authorization: Bearer <key>), not with a user's token.");
        }
        return key;
    }

    /** credits in the reseller's unit (credits ÷ credits per CNY), rounded down */
    private BigDecimal units(long credits, int scale) {
        BigDecimal perUnit = pricing.creditsPerCny();
        return BigDecimal.valueOf(credits).divide(perUnit, scale, RoundingMode.DOWN);
    }
}
