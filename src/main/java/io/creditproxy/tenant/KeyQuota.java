package io.creditproxy.tenant;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.OffsetDateTime;

/**
 * {@code GET /v1/key}: a key's own quota, read with the key itself (the resellers' "API key quota query"). Credits;
 * credit_quota and credits_remaining null when the key has no cap (then the tenant's balance is the limit).
 * tenant_available = what the tenant's submits may still take (balance + credit limit).
 */
public record KeyQuota(String name, String group, @JsonProperty("credit_quota") Long creditQuota,
                       @JsonProperty("credits_used") long creditsUsed,
                       @JsonProperty("credits_remaining") Long creditsRemaining,
                       @JsonProperty("tenant_balance") long tenantBalance,
                       @JsonProperty("tenant_available") long tenantAvailable,
                       @JsonProperty("expires_at") OffsetDateTime expiresAt) {
}
