package io.creditproxy.tenant;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.OffsetDateTime;

/** A tenant as the admin API shows it; balance and credit limit in credits. */
public record TenantView(long id, String name, long balance,
                         @JsonProperty("credit_limit") long creditLimit,
                         @JsonProperty("created_at") OffsetDateTime createdAt) {

    static TenantView of(Tenant t) {
        return new TenantView(t.id, t.name, t.balance, t.creditLimit, t.createdAt);
    }
}
