package io.creditproxy.ledger;

import java.util.UUID;

/**
 * A change of one tenant's balance, as it will be written to the ledger.
 *
 * @param amount credits, positive to add, negative to take
 */
public record Movement(long tenantId, long amount, LedgerKind kind, UUID jobId, String reason, String createdBy,
                       String idempotencyKey, String requestHash) {

    public static Movement forJob(long tenantId, long amount, LedgerKind kind, UUID jobId) {
        return new Movement(tenantId, amount, kind, jobId, null, null, null, null);
    }
}
