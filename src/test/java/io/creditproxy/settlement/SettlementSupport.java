package io.creditproxy.settlement;

import static io.creditproxy.support.ProxyCalls.eventually;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads jobs, settlements and ledger entries straight from PostgreSQL, for settlement tests. */
@ApplicationScoped
public class SettlementSupport {

    public record Settled(String outcome, long reserved, long charged, long refunded, String source, String jobStatus) {
    }

    private final EntityManager em;

    public SettlementSupport(EntityManager em) {
        this.em = em;
    }

    public Optional<Settled> settlement(String requestId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("""
                            SELECT s.outcome, s.reserved, s.charged, s.refunded, s.source, j.status
                            FROM settlements s JOIN jobs j ON j.id = s.job_id WHERE j.request_id = ?1""")
                    .setParameter(1, requestId).getResultList();
            if (rows.isEmpty()) {
                return Optional.<Settled>empty();
            }
            Object[] r = rows.get(0);
            return Optional.of(new Settled((String) r[0], ((Number) r[1]).longValue(), ((Number) r[2]).longValue(),
                    ((Number) r[3]).longValue(), (String) r[4], (String) r[5]));
        });
    }

    public Settled awaitSettlement(String requestId, Duration timeout) {
        return eventually(timeout, () -> settlement(requestId), Optional::isPresent).orElseThrow();
    }

    public int settlementRows(String requestId) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                        "SELECT count(*) FROM settlements s JOIN jobs j ON j.id = s.job_id WHERE j.request_id = ?1")
                .setParameter(1, requestId).getSingleResult()).intValue());
    }

    /** Ledger entries a job caused, by kind. */
    public Map<String, Long> ledgerOfJob(String requestId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("""
                            SELECT l.kind, sum(l.amount), count(*) FROM ledger_entries l JOIN jobs j ON j.id = l.job_id
                            WHERE j.request_id = ?1 GROUP BY l.kind""")
                    .setParameter(1, requestId).getResultList();
            Map<String, Long> out = new java.util.TreeMap<>();
            for (Object[] r : rows) {
                out.put((String) r[0], ((Number) r[1]).longValue());
                out.put(r[0] + "#count", ((Number) r[2]).longValue());
            }
            return out;
        });
    }

    public String jobIdOf(String requestId) {
        return QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery("SELECT id::text FROM jobs WHERE request_id = ?1")
                .setParameter(1, requestId).getSingleResult().toString());
    }

    public void sql(String sql, Object... params) {
        QuarkusTransaction.requiringNew().run(() -> {
            var q = em.createNativeQuery(sql);
            for (int i = 0; i < params.length; i++) {
                q.setParameter(i + 1, params[i]);
            }
            q.executeUpdate();
        });
    }

    public long scalar(String sql, Object... params) {
        return QuarkusTransaction.requiringNew().call(() -> {
            var q = em.createNativeQuery(sql);
            for (int i = 0; i < params.length; i++) {
                q.setParameter(i + 1, params[i]);
            }
            return ((Number) q.getSingleResult()).longValue();
        });
    }
}
