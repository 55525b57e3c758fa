package io.creditproxy.tenant;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.OffsetDateTime;

/** The answer to a rotation: the new key (shown only here) and until when the old one still works. */
public record RotatedKey(@JsonProperty("new_key") IssuedKey newKey,
                         @JsonProperty("old_key_id") long oldKeyId,
                         @JsonProperty("old_key_expires_at") OffsetDateTime oldKeyExpiresAt) {
}
