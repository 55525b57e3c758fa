package io.creditproxy.ledger;

import io.creditproxy.common.ApiException;
import io.creditproxy.observability.Metrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.List;

/**
 * Changes a balance. Each movement is one conditional update of the tenant row (it never takes a balance below minus
 * the tenant's credit limit) and one appended ledger entry carrying the balance after it, in the caller's
 * transaction, so balance = sum of the ledger always. The one other writer is a submit's reservation
 * ({@link ReserveStatement}): the same rule as fragments of a single statement, so that it can be group-committed.
 */
@ApplicationScoped
public class LedgerService {

    private final EntityManager em;
    private final Metrics metrics;

    public LedgerService(EntityManager em, Metrics metrics) {
        this.em = em;
        this.metrics = metrics;
    }

    /**
     * Applies a movement inside the caller's transaction.
     *
     * @throws InsufficientCreditsException when the balance does not cover a negative amount
     * @throws ApiException 404 when the tenant does not exist
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public LedgerEntry apply(Movement m) {
        if (m.amount() == 0) {
            throw ApiException.invalidParameter("amount must not be 0");
        }
        @SuppressWarnings("unchecked")
        List<Number> after = em.createNativeQuery(
                        "UPDATE tenants SET balance = balance + ?1 WHERE id = ?2 AND balance + ?1 >= -credit_limit RETURNING balance")
                .setParameter(1, m.amount())
                .setParameter(2, m.tenantId())
                .getResultList();
        if (after.isEmpty()) {
            @SuppressWarnings("unchecked")
            List<Number> current = em.createNativeQuery("SELECT balance FROM tenants WHERE id = ?1")
                    .setParameter(1, m.tenantId())
                    .getResultList();
            if (current.isEmpty()) {
                throw ApiException.notFound("unknown_tenant", "No tenant with id " + m.tenantId() + ".");
            }
            throw new InsufficientCreditsException(current.get(0).longValue(), -m.amount());
        }
        LedgerEntry entry = new LedgerEntry();
        entry.tenantId = m.tenantId();
        entry.amount = m.amount();
        entry.balanceAfter = after.get(0).longValue();
        entry.kind = m.kind().dbName();
        entry.jobId = m.jobId();
        entry.reason = m.reason();
        entry.createdBy = m.createdBy();
        entry.idempotencyKey = m.idempotencyKey();
        entry.requestHash = m.requestHash();
        em.persist(entry);
        metrics.ledgerMovement(entry.kind, entry.amount); // counted when the transaction commits
        return entry;
    }

    /**
     * Gives a key back what it had spent of a job whose hold went back (refund or release), in the caller's
     * transaction, after {@link #apply} moved the tenant's balance (tenant row locked first, then the key, as in
     * {@link ReserveStatement}). A key's spend is what its jobs' ledger entries took, net.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void returnToKey(long keyId, long amount) {
        if (amount <= 0) {
            return;
        }
        em.createNativeQuery("UPDATE api_keys SET credits_used = GREATEST(credits_used - ?1, 0) WHERE id = ?2")
                .setParameter(1, amount)
                .setParameter(2, keyId)
                .executeUpdate();
    }

    /** Newest first. */
    @Transactional
    public List<LedgerEntry> entries(long tenantId, int limit) {
        return em.createQuery("FROM LedgerEntry WHERE tenantId = ?1 ORDER BY id DESC", LedgerEntry.class)
                .setParameter(1, tenantId)
                .setMaxResults(limit)
                .getResultList();
    }
}
