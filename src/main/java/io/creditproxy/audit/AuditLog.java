package io.creditproxy.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditproxy.common.ApiException;
import io.creditproxy.common.Timestamps;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.ContextNotActiveException;
import jakarta.enterprise.inject.Instance;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.List;

/**
 * The append-only audit log of admin actions (a database trigger refuses UPDATE and DELETE). Each write is made
 * in the transaction of the change it describes, so a change and its audit line commit or roll back together.
 * The actor is the logged-in admin; work started by the application itself (automatic revocation) is "system".
 */
@ApplicationScoped
public class AuditLog {

    public static final String SYSTEM = "system";
    public static final int DEFAULT_PAGE = 50;
    public static final int MAX_PAGE = 500;

    /** The filters of GET /admin/audit; null = any. */
    public record Filter(Long tenantId, String modelId, String actor, String action, Long beforeId, Integer limit) {
    }

    private final EntityManager em;
    private final ObjectMapper json;
    private final Instance<SecurityIdentity> identity;

    public AuditLog(EntityManager em, ObjectMapper json, Instance<SecurityIdentity> identity) {
        this.em = em;
        this.json = json;
        this.identity = identity;
    }

    /**
     * @param action what was done, e.g. {@code tenant.update}
     * @param before the state before (a view record, map or null), stored as JSON
     * @param after  the state after, stored as JSON
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(String action, Long tenantId, String modelId, String target, Object before, Object after) {
        String[] who = actor();
        em.createNativeQuery("""
                        INSERT INTO audit_log(actor, actor_role, action, tenant_id, model_id, target, before, after)
                        VALUES (?1, ?2, ?3, ?4, ?5, ?6, CAST(?7 AS jsonb), CAST(?8 AS jsonb))""")
                .setParameter(1, who[0])
                .setParameter(2, who[1])
                .setParameter(3, action)
                .setParameter(4, tenantId)
                .setParameter(5, modelId)
                .setParameter(6, target)
                .setParameter(7, toJson(before))
                .setParameter(8, toJson(after))
                .executeUpdate();
    }

    /** Newest first, keyset paging with before_id. */
    @Transactional
    public List<AuditEntry> find(Filter f) {
        int limit = f.limit() == null ? DEFAULT_PAGE : f.limit();
        if (limit < 1 || limit > MAX_PAGE) {
            throw ApiException.invalidParameter("limit must be between 1 and " + MAX_PAGE);
        }
        StringBuilder sql = new StringBuilder("""
                SELECT id, at, actor, actor_role, action, tenant_id, model_id, target,
                       CAST(before AS text), CAST(after AS text)
                FROM audit_log WHERE true""");
        List<Object> params = new ArrayList<>();
        if (f.tenantId() != null) {
            params.add(f.tenantId());
            sql.append(" AND tenant_id = ?").append(params.size());
        }
        if (f.modelId() != null && !f.modelId().isBlank()) {
            params.add(f.modelId().trim());
            sql.append(" AND model_id = ?").append(params.size());
        }
        if (f.actor() != null && !f.actor().isBlank()) {
            params.add(f.actor().trim());
            sql.append(" AND actor = ?").append(params.size());
        }
        if (f.action() != null && !f.action().isBlank()) {
            params.add(f.action().trim());
            sql.append(" AND action = ?").append(params.size());
        }
        if (f.beforeId() != null) {
            params.add(f.beforeId());
            sql.append(" AND id < ?").append(params.size());
        }
        sql.append(" ORDER BY id DESC LIMIT ").append(limit);
        var query = em.createNativeQuery(sql.toString());
        for (int i = 0; i < params.size(); i++) {
            query.setParameter(i + 1, params.get(i));
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = query.getResultList();
        return rows.stream().map(this::entry).toList();
    }

    private AuditEntry entry(Object[] r) {
        return new AuditEntry(((Number) r[0]).longValue(), Timestamps.offset(r[1]), (String) r[2], (String) r[3], (String) r[4],
                r[5] == null ? null : ((Number) r[5]).longValue(), (String) r[6], (String) r[7],
                parse((String) r[8]), parse((String) r[9]));
    }

    private com.fasterxml.jackson.databind.JsonNode parse(String text) {
        if (text == null) {
            return null;
        }
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private String toJson(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit: cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** The admin behind the current request, or "system". */
    public String currentActor() {
        return actor()[0];
    }

    /** {name, role}; "system" outside an admin request */
    private String[] actor() {
        try {
            SecurityIdentity id = identity.get();
            if (id != null && !id.isAnonymous()) {
                String role = id.getRoles().contains("admin") ? "admin" : id.getRoles().stream().findFirst().orElse(null);
                return new String[] {id.getPrincipal().getName(), role};
            }
        } catch (ContextNotActiveException | IllegalStateException e) {
            // no request: the application acting on its own
        }
        return new String[] {SYSTEM, null};
    }
}
