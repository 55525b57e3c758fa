package io.creditproxy.tenant;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.OffsetDateTime;

/** The answer to issuing a key: the only time the key itself is shown. */
public record IssuedKey(long id, @JsonProperty("tenant_id") long tenantId, String key, String prefix, String name,
                        String group, @JsonProperty("credit_quota") Long creditQuota,
                        @JsonProperty("created_at") OffsetDateTime createdAt) {
}
