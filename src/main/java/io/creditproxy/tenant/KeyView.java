package io.creditproxy.tenant;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.creditproxy.limits.ModelPatterns;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * A key in a listing: never the key or its hash, only the visible prefix, with its controls. allowed_models null =
 * every model; rotated_to = the key that replaced it (this one then expires at the end of the grace period).
 * credit_quota null = no cap (credits_remaining is then null too); credits_used = what the key's jobs cost, net of
 * refunds (holds of open jobs included); last_used_at = its last submit.
 */
public record KeyView(long id, @JsonProperty("tenant_id") long tenantId, String prefix, String name, String group,
                      @JsonProperty("credit_quota") Long creditQuota,
                      @JsonProperty("credits_used") long creditsUsed,
                      @JsonProperty("credits_remaining") Long creditsRemaining,
                      @JsonProperty("created_at") OffsetDateTime createdAt,
                      @JsonProperty("last_used_at") OffsetDateTime lastUsedAt,
                      @JsonProperty("revoked_at") OffsetDateTime revokedAt,
                      @JsonProperty("allowed_models") List<String> allowedModels,
                      @JsonProperty("expires_at") OffsetDateTime expiresAt,
                      @JsonProperty("rate_limit_rpm") Integer rateLimitRpm,
                      @JsonProperty("rotated_to") Long rotatedTo) {

    static KeyView of(ApiKey k, String group) {
        return new KeyView(k.id, k.tenantId, k.prefix, k.name, group, k.creditQuota, k.creditsUsed,
                remaining(k.creditQuota, k.creditsUsed), k.createdAt, k.lastUsedAt, k.revokedAt,
                ModelPatterns.split(k.allowedModels), k.expiresAt, k.rateLimitRpm, k.rotatedTo);
    }

    /** quota - used, never below 0; null without a quota */
    public static Long remaining(Long quota, long used) {
        return quota == null ? null : Math.max(0, quota - used);
    }
}
