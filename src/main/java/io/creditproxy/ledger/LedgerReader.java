package io.creditproxy.ledger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.Optional;

/** Read-only queries over the ledger. Nothing here moves money; {@link LedgerService#apply} does. */
@ApplicationScoped
@Transactional
public class LedgerReader {

    private final EntityManager em;

    public LedgerReader(EntityManager em) {
        this.em = em;
    }

    /** A tenant's entries, newest first, with ids below {@code beforeId} when given (keyset paging). */
    public List<LedgerEntryView> page(long tenantId, int limit, Long beforeId) {
        return em.createQuery("FROM LedgerEntry WHERE tenantId = ?1 AND id < ?2 ORDER BY id DESC", LedgerEntry.class)
                .setParameter(1, tenantId)
                .setParameter(2, beforeId == null ? Long.MAX_VALUE : beforeId)
                .setMaxResults(limit)
                .getResultList()
                .stream().map(LedgerEntryView::of).toList();
    }

    /** The entry an admin movement wrote under this idempotency key, with the hash of its request. */
    public Optional<IdempotentEntry> byIdempotencyKey(long tenantId, String idempotencyKey) {
        return em.createQuery("FROM LedgerEntry WHERE tenantId = ?1 AND idempotencyKey = ?2", LedgerEntry.class)
                .setParameter(1, tenantId)
                .setParameter(2, idempotencyKey)
                .getResultStream()
                .findFirst()
                .map(e -> new IdempotentEntry(LedgerEntryView.of(e), e.requestHash));
    }

    public record IdempotentEntry(LedgerEntryView entry, String requestHash) {
    }
}
