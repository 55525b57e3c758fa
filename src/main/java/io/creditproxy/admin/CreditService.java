package io.creditproxy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.creditproxy.common.ApiException;
import io.creditproxy.common.Hashing;
import io.creditproxy.ledger.InsufficientCreditsException;
import io.creditproxy.ledger.LedgerEntryView;
import io.creditproxy.ledger.LedgerKind;
import io.creditproxy.ledger.LedgerReader;
import io.creditproxy.ledger.LedgerReader.IdempotentEntry;
import io.creditproxy.ledger.Movement;
import io.creditproxy.tenant.TenantService;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Admin top-ups and adjustments, with Stripe-style idempotency keys. The unique constraint
 * {@code ledger_admin_idempotency} is what guarantees one movement per key: a request that loses the
 * race is rolled back whole and answers with the winner's entry.
 */
@ApplicationScoped
public class CreditService {

    public static final long MAX_AMOUNT = 1_000_000_000_000L;
    public static final int MAX_REASON = 1000;
    public static final int MAX_IDEMPOTENCY_KEY = 255;
    static final String IDEMPOTENCY_CONSTRAINT = "ledger_admin_idempotency";

    /** @param replayed true when the entry was written by an earlier request with the same key */
    public record CreditResult(LedgerEntryView entry, boolean replayed) {
    }

    private final CreditWriter writer;
    private final LedgerReader reader;
    private final TenantService tenants;

    public CreditService(CreditWriter writer, LedgerReader reader, TenantService tenants) {
        this.writer = writer;
        this.reader = reader;
        this.tenants = tenants;
    }

    /**
     * @param amount         a JSON integer: positive tops up, negative adjusts down
     * @param idempotencyKey optional; a replay with the same body returns the first entry and moves nothing
     * @param actor          the admin, recorded as {@code created_by}
     * @throws ApiException 422 bad amount/reason/key or key reused with another body, 402 not enough
     *                      credits, 404 unknown tenant
     */
    public CreditResult credit(long tenantId, JsonNode amount, String reason, String idempotencyKey, String actor) {
        long credits = requireAmount(amount);
        String why = reason == null ? "" : reason.trim();
        if (why.isEmpty() || why.length() > MAX_REASON) {
            throw ApiException.invalidParameter("reason must be 1-" + MAX_REASON + " characters");
        }
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY)) {
            throw ApiException.invalidParameter("Idempotency-Key must be 1-" + MAX_IDEMPOTENCY_KEY + " characters");
        }
        String requestHash = Hashing.sha256Hex(credits + "\n" + why);
        if (idempotencyKey != null) {
            Optional<IdempotentEntry> prior = reader.byIdempotencyKey(tenantId, idempotencyKey);
            if (prior.isPresent()) {
                return replay(prior.get(), requestHash);
            }
        }
        LedgerKind kind = credits > 0 ? LedgerKind.TOPUP : LedgerKind.ADJUSTMENT;
        Movement movement = new Movement(tenantId, credits, kind, null, why, actor, idempotencyKey, requestHash);
        try {
            return new CreditResult(writer.write(movement), false);
        } catch (RuntimeException e) {
            // A concurrent request with the same key committed first: either our insert hit the unique
            // constraint, or (for a debit) the winner already used the balance we needed.
            if (idempotencyKey != null && (isIdempotencyViolation(e) || e instanceof InsufficientCreditsException)) {
                Optional<IdempotentEntry> winner = reader.byIdempotencyKey(tenantId, idempotencyKey);
                if (winner.isPresent()) {
                    return replay(winner.get(), requestHash);
                }
            }
            throw e;
        }
    }

    /** Newest first; keyset paging with {@code beforeId}. */
    public List<LedgerEntryView> ledger(long tenantId, Integer limit, Long beforeId) {
        int size = TenantService.pageSize(limit);
        tenants.requireExists(tenantId);
        return reader.page(tenantId, size, beforeId);
    }

    private static CreditResult replay(IdempotentEntry prior, String requestHash) {
        if (!requestHash.equals(prior.requestHash())) {
            throw new ApiException(422, "idempotency_key_reused",
                    "This Idempotency-Key was already used with a different request.");
        }
        return new CreditResult(prior.entry(), true);
    }

    static long requireAmount(JsonNode amount) {
        if (amount == null || !amount.isIntegralNumber() || !amount.canConvertToLong()) {
            throw ApiException.invalidParameter("amount must be an integer number of credits");
        }
        long credits = amount.longValue();
        if (credits == 0 || credits > MAX_AMOUNT || credits < -MAX_AMOUNT) {
            throw ApiException.invalidParameter("amount must be non-zero and at most " + MAX_AMOUNT + " in absolute value");
        }
        return credits;
    }

    static boolean isIdempotencyViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.hibernate.exception.ConstraintViolationException c
                    && IDEMPOTENCY_CONSTRAINT.equals(c.getConstraintName())) {
                return true;
            }
            if (t instanceof SQLException s && "23505".equals(s.getSQLState())
                    && String.valueOf(s.getMessage()).contains(IDEMPOTENCY_CONSTRAINT)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
