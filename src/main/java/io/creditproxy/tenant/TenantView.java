package io.creditproxy.tenant;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.OffsetDateTime;

/**
 * A tenant as the admin API shows it; balance and credit limit in credits, the price multiplier as an exact
 * decimal string, max_concurrent_jobs null when unlimited.
 */
public record TenantView(long id, String name, long balance,
                         @JsonProperty("credit_limit") long creditLimit,
                         @JsonProperty("price_multiplier") @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal priceMultiplier,
                         @JsonProperty("max_concurrent_jobs") Integer maxConcurrentJobs,
                         @JsonProperty("created_at") OffsetDateTime createdAt) {

    static TenantView of(Tenant t) {
        BigDecimal m = t.priceMultiplier == null ? BigDecimal.ONE : t.priceMultiplier.stripTrailingZeros();
        return new TenantView(t.id, t.name, t.balance, t.creditLimit, m.scale() < 0 ? m.setScale(0) : m,
                t.maxConcurrentJobs, t.createdAt);
    }
}
