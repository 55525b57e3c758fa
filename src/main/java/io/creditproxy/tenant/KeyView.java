package io.creditproxy.tenant;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.creditproxy.limits.ModelPatterns;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * A key in a listing: never the key or its hash, only the visible prefix, with its controls. allowed_models null =
 * every model; rotated_to = the key that replaced it (this one then expires at the end of the grace period).
 */
public record KeyView(long id, @JsonProperty("tenant_id") long tenantId, String prefix, String name,
                      @JsonProperty("created_at") OffsetDateTime createdAt,
                      @JsonProperty("revoked_at") OffsetDateTime revokedAt,
                      @JsonProperty("allowed_models") List<String> allowedModels,
                      @JsonProperty("expires_at") OffsetDateTime expiresAt,
                      @JsonProperty("rate_limit_rpm") Integer rateLimitRpm,
                      @JsonProperty("rotated_to") Long rotatedTo) {

    static KeyView of(ApiKey k) {
        return new KeyView(k.id, k.tenantId, k.prefix, k.name, k.createdAt, k.revokedAt,
                ModelPatterns.split(k.allowedModels), k.expiresAt, k.rateLimitRpm, k.rotatedTo);
    }
}
