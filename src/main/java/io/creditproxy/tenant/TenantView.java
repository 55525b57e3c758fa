package io.creditproxy.tenant;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * A tenant as the admin API shows it; balance and credit limit in credits, the price multiplier as an exact
 * decimal string, max_concurrent_jobs and max_keys null when unlimited. {@code held}: credits reserved by jobs not
 * settled yet (already taken from the balance); {@code available}: what submits may still take, balance + credit
 * limit. {@code default_group} and {@code allowed_groups}: the price groups its keys may be in (the default always).
 */
public record TenantView(long id, String name, long balance, long held, long available,
                         @JsonProperty("credit_limit") long creditLimit,
                         @JsonProperty("price_multiplier") @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal priceMultiplier,
                         @JsonProperty("max_concurrent_jobs") Integer maxConcurrentJobs,
                         @JsonProperty("max_keys") Integer maxKeys,
                         @JsonProperty("default_group") String defaultGroup,
                         @JsonProperty("allowed_groups") List<String> allowedGroups,
                         @JsonProperty("created_at") OffsetDateTime createdAt) {

    static TenantView of(Tenant t, long held, String defaultGroup, List<String> allowedGroups) {
        return new TenantView(t.id, t.name, t.balance, held, t.balance + t.creditLimit, t.creditLimit,
                plain(t.priceMultiplier), t.maxConcurrentJobs, t.maxKeys, defaultGroup, allowedGroups, t.createdAt);
    }

    /** An exact decimal without trailing zeros (1.2000 → 1.2, 1.0000 → 1); null → 1. */
    static BigDecimal plain(BigDecimal m) {
        BigDecimal s = (m == null ? BigDecimal.ONE : m).stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }
}
