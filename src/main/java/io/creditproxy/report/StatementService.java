package io.creditproxy.report;

import io.creditproxy.common.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hibernate.Session;

/**
 * Tenant statements straight from the ledger. Period membership is by the entry's created_at; the opening
 * balance is the sum of every earlier entry (not the balance_after of "the last one": created_at is the
 * transaction's start, so at a boundary the entry order by time and by id may differ), which makes
 * opening + Σ entries = closing hold exactly, whatever the boundary.
 */
@ApplicationScoped
@Transactional
public class StatementService {

    /** A ledger entry with the model of its job, if any. */
    record EntryRow(long id, Instant createdAt, String kind, long amount, long balanceAfter, UUID jobId, String modelId,
                    String reason, String createdBy) {
    }

    private final EntityManager em;

    public StatementService(EntityManager em) {
        this.em = em;
    }

    /** Read in one repeatable-read snapshot, so an entry committed meanwhile cannot unbalance it. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Statement statement(long tenantId, ReportPeriod period) {
        em.createNativeQuery("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY").executeUpdate();
        Session session = em.unwrap(Session.class);
        List<String> names = session.createNativeQuery("SELECT name FROM tenants WHERE id = :id", String.class)
                .setParameter("id", tenantId).getResultList();
        if (names.isEmpty()) {
            throw ApiException.notFound("unknown_tenant", "No tenant with id " + tenantId + ".");
        }
        long opening = session.createNativeQuery(
                        "SELECT COALESCE(sum(amount), 0)::bigint FROM ledger_entries WHERE tenant_id = :t AND created_at < :from",
                        Long.class)
                .setParameter("t", tenantId)
                .setParameter("from", period.from())
                .getSingleResult();
        List<EntryRow> rows = session.createNativeQuery("""
                        SELECT l.id, l.created_at, l.kind, l.amount, l.balance_after, l.job_id, j.model_id, l.reason,
                               l.created_by
                        FROM ledger_entries l LEFT JOIN jobs j ON j.id = l.job_id
                        WHERE l.tenant_id = :t AND l.created_at >= :from AND l.created_at < :to
                        ORDER BY l.id""", EntryRow.class)
                .setParameter("t", tenantId)
                .setParameter("from", period.from())
                .setParameter("to", period.to())
                .getResultList();
        List<Statement.Entry> entries = new ArrayList<>(rows.size());
        long total = 0;
        for (EntryRow r : rows) {
            total = Math.addExact(total, r.amount());
            entries.add(new Statement.Entry(r.id(), Sql.text(r.createdAt(), period.zone()), r.kind(), r.amount(),
                    r.balanceAfter(), r.jobId(), r.modelId(), r.reason(), r.createdBy()));
        }
        return new Statement(tenantId, names.get(0), period.fromText(), period.toText(), period.zone().getId(),
                opening, total, opening + total, entries, null);
    }
}
