package io.creditproxy.ledger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.OffsetDateTime;
import java.util.UUID;

/** One ledger entry as the APIs show it (never the idempotency key's request hash). */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record LedgerEntryView(long id,
                              @JsonProperty("tenant_id") long tenantId,
                              long amount,
                              @JsonProperty("balance_after") long balanceAfter,
                              String kind,
                              @JsonProperty("job_id") UUID jobId,
                              String reason,
                              @JsonProperty("created_by") String createdBy,
                              @JsonProperty("created_at") OffsetDateTime createdAt) {

    public static LedgerEntryView of(LedgerEntry e) {
        return new LedgerEntryView(e.id, e.tenantId, e.amount, e.balanceAfter, e.kind, e.jobId, e.reason,
                e.createdBy, e.createdAt);
    }
}
