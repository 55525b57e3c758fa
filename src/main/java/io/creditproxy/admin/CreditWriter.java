package io.creditproxy.admin;

import io.creditproxy.audit.AuditLog;
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
    private final AuditLog audit;

    public CreditWriter(LedgerService ledger, EntityManager em, AuditLog audit) {
        this.ledger = ledger;
        this.em = em;
        this.audit = audit;
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public LedgerEntryView write(Movement movement) {
        LedgerEntry entry = ledger.apply(movement);
        em.flush();
        em.refresh(entry); // created_at comes from the column default
        LedgerEntryView view = LedgerEntryView.of(entry);
        // in the same transaction as the movement: both commit or neither
        audit.record(movement.amount() > 0 ? "credits.topup" : "credits.adjust", movement.tenantId(), null,
                "ledger:" + view.id(), java.util.Map.of("balance", view.balanceAfter() - view.amount()), view);
        return view;
    }
}
