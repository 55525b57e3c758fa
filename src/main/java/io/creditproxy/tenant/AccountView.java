package io.creditproxy.tenant;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code GET /v1/account}: what a tenant may see of itself. */
public record AccountView(@JsonProperty("tenant_id") long tenantId, String name, long balance) {
}
