package io.creditproxy.tenant;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code GET /v1/account}: what a tenant may see of itself. {@code balance}: the ledger balance (every hold already
 * taken); {@code held}: credits reserved by jobs not settled yet (they come back, in part or whole, if a job fails or
 * delivers less); {@code available}: what new submits may still take (balance + credit limit).
 */
public record AccountView(@JsonProperty("tenant_id") long tenantId, String name, long balance, long held,
                          long available, @JsonProperty("credit_limit") long creditLimit,
                          @JsonProperty("default_group") String defaultGroup) {
}
