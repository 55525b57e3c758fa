package io.creditproxy.proxy;

import io.creditproxy.common.ApiException;
import io.creditproxy.ledger.LedgerKind;
import io.creditproxy.ledger.LedgerService;
import io.creditproxy.ledger.Movement;
import io.creditproxy.pricing.Quote;
import io.creditproxy.settlement.Outcome;
import io.creditproxy.settlement.SettlementConfig;
import io.creditproxy.settlement.SettlementService;
import io.creditproxy.tenant.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.UUID;

/**
 * Where a submit is charged. {@link #reserve} takes the price from the balance and writes the job row and
 * the ledger entry in one transaction, before anything is forwarded; {@link #accepted} and
 * {@link #rejected} record fal's answer, and a rejection gives the whole price back exactly once.
 */
@ApplicationScoped
@Transactional
public class ReservationService {

    /** The outcome of {@link #reserve}: a fresh reservation, or the stored answer of an idempotent replay. */
    public sealed interface Reservation permits Reserved, Replay {
    }

    public record Reserved(UUID jobId) implements Reservation {
    }

    public record Replay(int status, String body) implements Reservation {
    }

    private final EntityManager em;
    private final LedgerService ledger;
    private final SettlementService settlements;
    private final SettlementConfig settlementConfig;

    public ReservationService(EntityManager em, LedgerService ledger, SettlementService settlements,
                              SettlementConfig settlementConfig) {
        this.em = em;
        this.ledger = ledger;
        this.settlements = settlements;
        this.settlementConfig = settlementConfig;
    }

    /**
     * @throws io.creditproxy.ledger.InsufficientCreditsException 402, nothing written
     * @throws ApiException 422 when the Idempotency-Key was used with another body, 409 while its first
     *                      request is still being forwarded
     */
    public Reservation reserve(Caller caller, Quote quote, String idempotencyKey, String requestHash, String tenantWebhook) {
        return reserve(caller, quote, UUID.randomUUID(), idempotencyKey, requestHash, tenantWebhook);
    }

    /** The same with the job id chosen by the caller (it already holds the job's concurrency slot under that id). */
    public Reservation reserve(Caller caller, Quote quote, UUID jobId, String idempotencyKey, String requestHash,
                               String tenantWebhook) {
        // The unique (tenant_id, idempotency_key) constraint decides which of two racing replays wins;
        // the loser waits for the winner's commit here and then sees its row.
        int inserted = em.createNativeQuery("""
                        INSERT INTO jobs (id, tenant_id, api_key_id, model_id, status, unit, quantity, usd_unit_price,
                                          price_factor, exchange_rate, credits_per_cny, price_credits, tenant_webhook,
                                          idempotency_key, request_hash, updated_at,
                                          price_version_id, rate_version_id, price_multiplier)
                        VALUES (?1, ?2, ?3, ?4, 'RESERVED', ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, now(), ?15, ?16, ?17)
                        ON CONFLICT (tenant_id, idempotency_key) DO NOTHING""")
                .setParameter(1, jobId)
                .setParameter(2, caller.tenantId())
                .setParameter(3, caller.keyId())
                .setParameter(4, quote.modelId())
                .setParameter(5, quote.unit())
                .setParameter(6, quote.quantity())
                .setParameter(7, quote.usdUnitPrice())
                .setParameter(8, quote.factor())
                .setParameter(9, quote.exchangeRate())
                .setParameter(10, quote.creditsPerCny())
                .setParameter(11, quote.credits())
                .setParameter(12, tenantWebhook)
                .setParameter(13, idempotencyKey)
                .setParameter(14, requestHash)
                // the price version, rate version and tenant multiplier in force are frozen with the job
                .setParameter(15, quote.priceVersionId())
                .setParameter(16, quote.rateVersionId())
                .setParameter(17, quote.priceMultiplier())
                .executeUpdate();
        if (inserted == 0) {
            return replay(caller.tenantId(), idempotencyKey, requestHash);
        }
        ledger.apply(Movement.forJob(caller.tenantId(), -quote.credits(), LedgerKind.RESERVE, jobId));
        return new Reserved(jobId);
    }

    private Replay replay(long tenantId, String idempotencyKey, String requestHash) {
        Job first = em.createQuery("FROM Job WHERE tenantId = ?1 AND idempotencyKey = ?2", Job.class)
                .setParameter(1, tenantId)
                .setParameter(2, idempotencyKey)
                .getSingleResult();
        if (!first.requestHash.equals(requestHash)) {
            throw new ApiException(422, "idempotency_key_reused",
                    "This Idempotency-Key was already used with a different request.");
        }
        if (first.responseStatus == null) {
            throw ApiException.conflict("idempotency_in_progress",
                    "The first request with this Idempotency-Key is still being processed; retry shortly.");
        }
        return new Replay(first.responseStatus, first.responseBody);
    }

    /** fal accepted the submit: remember its request id and URLs (ownership), and the answer for replays. */
    public void accepted(UUID jobId, String requestId, String statusUrl, String responseUrl, String cancelUrl,
                         int httpStatus, String body) {
        em.createNativeQuery("""
                        UPDATE jobs SET status = 'SUBMITTED', request_id = ?2, status_url = ?3, response_url = ?4,
                               cancel_url = ?5, response_status = ?6, response_body = ?7, fal_status = 'IN_QUEUE',
                               next_check_at = now() + make_interval(secs => ?8), updated_at = now()
                        WHERE id = ?1 AND status = 'RESERVED'""")
                .setParameter(1, jobId)
                .setParameter(2, requestId)
                .setParameter(3, statusUrl)
                .setParameter(4, responseUrl)
                .setParameter(5, cancelUrl)
                .setParameter(6, httpStatus)
                .setParameter(7, body)
                .setParameter(8, (double) settlementConfig.firstCheckAfter().toMillis() / 1000)
                .executeUpdate();
    }

    /**
     * fal refused the submit or could not be reached: the reservation is voided (the whole price goes back),
     * exactly once like every settlement, and fal's answer is kept for idempotent replays.
     */
    public void rejected(UUID jobId, int httpStatus, String body) {
        em.createNativeQuery("""
                        UPDATE jobs SET response_status = ?2, response_body = ?3, updated_at = now()
                        WHERE id = ?1 AND status = 'RESERVED'""")
                .setParameter(1, jobId)
                .setParameter(2, httpStatus)
                .setParameter(3, body)
                .executeUpdate();
        settlements.settle(jobId, Outcome.voided(Job.REJECTED, "fal refused the submit (HTTP " + httpStatus + ")", null), "submit");
    }
}
