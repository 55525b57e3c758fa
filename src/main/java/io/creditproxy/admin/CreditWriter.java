package io.creditproxy.admin;

import io.creditproxy.ledger.LedgerEntry;
import io.creditproxy.ledger.LedgerEntryView;
import io.creditproxy.ledger.LedgerService;
import io.creditproxy.ledger.Movement;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * Writes one admin movement in its own transaction, so that a refusal (unique idempotency key,
 * insufficient credits) rolls back everything it did and the caller can then look up the winner.
 */
@ApplicationScoped
public class CreditWriter {

    private final LedgerService ledger;
    private final EntityManager em;

    public CreditWriter(LedgerService ledger, EntityManager em) {
        this.ledger = ledger;
        this.em = em;
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public LedgerEntryView write(Movement movement) {
        LedgerEntry entry = ledger.apply(movement);
        em.flush();
        em.refresh(entry); // created_at comes from the column default
        return LedgerEntryView.of(entry);
    }
}
