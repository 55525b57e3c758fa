package io.creditproxy.report;

import com.fasterxml.jackson.annotation.JsonProperty;
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
 * The OpenAI-style billing endpoints that quota-query tools and chat clients read, answered for the API key they are
 * called with. Their "usd" fields are in the reseller's unit, 1 = {@code credits_per_cny} credits (1 CNY = 10,000
 * credits by default), to 2 decimals rounded down; {@code total_usage} is in hundredths of that unit (OpenAI gives
 * cents):
 * <ul>
 *   <li>{@code hard_limit_usd} = {@code soft_limit_usd} = {@code system_hard_limit_usd}: what the key may spend in all,
 *       its credit quota, or without one what it has used plus what the tenant has available;</li>
 *   <li>{@code total_usage}: the key's credits used (all time, net of refunds), whatever the dates asked, so that
 *       hard limit − usage is what remains (as the resellers' gateways answer it);</li>
 *   <li>{@code access_until}: the key's expiry in Unix seconds, 0 when it never expires.</li>
 * </ul>
 */
@Path("/v1/dashboard/billing")
@Produces(MediaType.APPLICATION_JSON)
@TenantKey
@Tag(name = "tenant")
public class BillingDashboardResource {

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

    public BillingDashboardResource(CurrentCaller current, KeyService keys, PriceTable pricing) {
        this.current = current;
        this.keys = keys;
        this.pricing = pricing;
    }

    @GET
    @Path("subscription")
    public Subscription subscription() {
        KeyQuota q = keys.quota(KeyQuotaResource.requireKey(current).keyId());
        long limit = q.creditQuota() != null ? q.creditQuota() : q.creditsUsed() + Math.max(0, q.tenantAvailable());
        BigDecimal units = KeyQuotaResource.units(pricing, limit, 2);
        return new Subscription("billing_subscription", true, units, units, units,
                q.expiresAt() == null ? 0 : q.expiresAt().toEpochSecond());
    }

    /** {@code start_date} and {@code end_date} are accepted (clients send them) and do not narrow the total. */
    @GET
    @Path("usage")
    public Usage usage(@QueryParam("start_date") String startDate, @QueryParam("end_date") String endDate) {
        KeyQuota q = keys.quota(KeyQuotaResource.requireKey(current).keyId());
        BigDecimal hundredths = KeyQuotaResource.units(pricing, q.creditsUsed(), 2).movePointRight(2);
        return new Usage("list", hundredths.setScale(0, RoundingMode.DOWN), List.of());
    }
}
