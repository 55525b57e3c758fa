package io.creditproxy.admin;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.OffsetDateTime;

/** An admin user as the API shows it: never the password hash. */
public record AdminView(long id, String username, String role, @JsonProperty("created_at") OffsetDateTime createdAt,
                        boolean disabled, @JsonProperty("disabled_at") OffsetDateTime disabledAt) {

    static AdminView of(Admin a) {
        return new AdminView(a.id, a.username, a.role, a.createdAt, a.disabledAt != null, a.disabledAt);
    }
}
