package io.creditproxy.report;

import io.creditproxy.common.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.List;

/**
 * Tenant statements straight from the ledger. Period membership is by the entry's created_at; the opening
 * balance is the sum of every earlier entry (not the balance_after of "the last one": created_at is the
 * transaction's start, so at a boundary the entry order by time and by id may differ), which makes
 * opening + Σ entries = closing hold exactly, whatever the boundary.
 */
@ApplicationScoped
@Transactional
public class StatementService {

    private final EntityManager em;

    public StatementService(EntityManager em) {
        this.em = em;
    }

    /** Read in one repeatable-read snapshot, so an entry committed meanwhile cannot unbalance it. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Statement statement(long tenantId, ReportPeriod period) {
        em.createNativeQuery("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY").executeUpdate();
        @SuppressWarnings("unchecked")
        List<String> names = em.createNativeQuery("SELECT name FROM tenants WHERE id = :id")
                .setParameter("id", tenantId).getResultList();
        if (names.isEmpty()) {
            throw ApiException.notFound("unknown_tenant", "No tenant with id " + tenantId + ".");
        }
        long opening = Sql.longValue(em.createNativeQuery(
                        "SELECT COALESCE(sum(amount), 0) FROM ledger_entries WHERE tenant_id = :t AND created_at < :from")
                .setParameter("t", tenantId)
                .setParameter("from", period.from())
                .getSingleResult());
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        SELECT l.id, l.created_at, l.kind, l.amount, l.balance_after, l.job_id, j.model_id, l.reason,
                               l.created_by
                        FROM ledger_entries l LEFT JOIN jobs j ON j.id = l.job_id
                        WHERE l.tenant_id = :t AND l.created_at >= :from AND l.created_at < :to
                        ORDER BY l.id""")
                .setParameter("t", tenantId)
                .setParameter("from", period.from())
                .setParameter("to", period.to())
                .getResultList();
        List<Statement.Entry> entries = new ArrayList<>(rows.size());
        long total = 0;
        for (Object[] r : rows) {
            long amount = Sql.longValue(r[3]);
            total = Math.addExact(total, amount);
            entries.add(new Statement.Entry(Sql.longValue(r[0]), Sql.text(r[1], period.zone()), (String) r[2], amount,
                    Sql.longValue(r[4]), Sql.uuid(r[5]), (String) r[6], (String) r[7], (String) r[8]));
        }
        return new Statement(tenantId, names.get(0), period.fromText(), period.toText(), period.zone().getId(),
                opening, total, opening + total, entries);
    }
}
