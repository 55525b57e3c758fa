package io.creditproxy.tenant;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.OffsetDateTime;

/** A key in a listing: never the key or its hash, only the visible prefix. */
public record KeyView(long id, @JsonProperty("tenant_id") long tenantId, String prefix, String name,
                      @JsonProperty("created_at") OffsetDateTime createdAt,
                      @JsonProperty("revoked_at") OffsetDateTime revokedAt) {

    static KeyView of(ApiKey k) {
        return new KeyView(k.id, k.tenantId, k.prefix, k.name, k.createdAt, k.revokedAt);
    }
}
