package io.creditproxy.admin;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.creditproxy.audit.AuditLog;
import io.creditproxy.common.ApiException;
import io.creditproxy.common.Timestamps;
import io.creditproxy.tenant.TenantService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Tenant users: the people of a tenant who log in at {@code POST /v1/login} and manage its keys. Admins create them
 * (same password rules as admins, bcrypt), list, disable, enable and reset their passwords; disabling and a reset bump
 * the user's token version, so every token issued before is refused at once ({@link AdminTokenCheck}). User names are
 * unique over all tenants, in any letter case (a login names no tenant).
 */
@ApplicationScoped
@Transactional
public class TenantUserService {

    /** A tenant user as the admin API shows it: never the password hash. */
    public record TenantUserView(long id, @JsonProperty("tenant_id") long tenantId, String username,
                                 @JsonProperty("created_at") OffsetDateTime createdAt, boolean disabled,
                                 @JsonProperty("disabled_at") OffsetDateTime disabledAt) {
    }

    /** what a login needs to know */
    public record Credentials(long id, long tenantId, String username, String passwordHash, long tokenVersion,
                              boolean disabled) {
    }

    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@-]{1,100}");
    private static final String COLUMNS = "id, tenant_id, username, created_at, disabled_at IS NOT NULL, disabled_at";

    private final EntityManager em;
    private final AuditLog audit;
    private final TenantService tenants;

    public TenantUserService(EntityManager em, AuditLog audit, TenantService tenants) {
        this.em = em;
        this.audit = audit;
        this.tenants = tenants;
    }

    /** @throws ApiException 404 unknown tenant, 422 bad username or password, 409 username_taken */
    public TenantUserView create(long tenantId, String username, String password) {
        tenants.requireExists(tenantId);
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw ApiException.invalidParameter("username must be 1-100 characters of letters, digits, '.', '_', '@' or '-'");
        }
        Passwords.requireAcceptable(password);
        @SuppressWarnings("unchecked")
        List<Number> ids = em.createNativeQuery("""
                        INSERT INTO tenant_users (tenant_id, username, password_hash) VALUES (?1, ?2, ?3)
                        ON CONFLICT DO NOTHING RETURNING id""")
                .setParameter(1, tenantId).setParameter(2, username).setParameter(3, Passwords.hash(password))
                .getResultList();
        if (ids.isEmpty()) {
            throw ApiException.conflict("username_taken", "A tenant user named '" + username + "' already exists.");
        }
        TenantUserView view = view(ids.get(0).longValue()).orElseThrow();
        audit.record("tenant_user.create", tenantId, null, "tenant_user:" + view.id(), null, view);
        return view;
    }

    /** @throws ApiException 404 unknown tenant */
    @Transactional
    public List<TenantUserView> list(long tenantId) {
        tenants.requireExists(tenantId);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT " + COLUMNS + " FROM tenant_users WHERE tenant_id = ?1 ORDER BY id")
                .setParameter(1, tenantId).getResultList();
        return rows.stream().map(TenantUserService::view).toList();
    }

    /** The user can no longer log in and its tokens are refused at once. @throws ApiException 404 */
    public TenantUserView disable(long tenantId, long userId) {
        return change(tenantId, userId, "tenant_user.disable",
                "UPDATE tenant_users SET disabled_at = now(), token_version = token_version + 1 WHERE id = ?1 AND disabled_at IS NULL",
                null);
    }

    /** The user may log in again (its old tokens stay refused). @throws ApiException 404 */
    public TenantUserView enable(long tenantId, long userId) {
        return change(tenantId, userId, "tenant_user.enable",
                "UPDATE tenant_users SET disabled_at = NULL WHERE id = ?1 AND disabled_at IS NOT NULL", null);
    }

    /** A new password set by an admin; every token issued before is refused. @throws ApiException 404, 422 */
    public TenantUserView resetPassword(long tenantId, long userId, String password) {
        Passwords.requireAcceptable(password);
        return change(tenantId, userId, "tenant_user.password_reset",
                "UPDATE tenant_users SET password_hash = ?2, token_version = token_version + 1 WHERE id = ?1",
                Passwords.hash(password));
    }

    Optional<Credentials> credentials(String username) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        SELECT id, tenant_id, username, password_hash, token_version, disabled_at IS NOT NULL
                        FROM tenant_users WHERE lower(username) = lower(?1)""")
                .setParameter(1, username).getResultList();
        return rows.stream().findFirst().map(r -> new Credentials(((Number) r[0]).longValue(), ((Number) r[1]).longValue(),
                (String) r[2], (String) r[3], ((Number) r[4]).longValue(), Boolean.TRUE.equals(r[5])));
    }

    private TenantUserView change(long tenantId, long userId, String action, String sql, String hash) {
        TenantUserView before = view(userId).filter(u -> u.tenantId() == tenantId)
                .orElseThrow(() -> ApiException.notFound("unknown_user", "No user " + userId + " in tenant " + tenantId + "."));
        var q = em.createNativeQuery(sql).setParameter(1, userId);
        if (hash != null) {
            q.setParameter(2, hash);
        }
        if (q.executeUpdate() > 0) {
            TenantUserView after = view(userId).orElseThrow();
            // never the password or its hash
            audit.record(action, tenantId, null, "tenant_user:" + userId, before, after);
            return after;
        }
        return before;
    }

    private Optional<TenantUserView> view(long userId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT " + COLUMNS + " FROM tenant_users WHERE id = ?1")
                .setParameter(1, userId).getResultList();
        return rows.stream().findFirst().map(TenantUserService::view);
    }

    private static TenantUserView view(Object[] r) {
        return new TenantUserView(((Number) r[0]).longValue(), ((Number) r[1]).longValue(), (String) r[2],
                Timestamps.offset(r[3]), Boolean.TRUE.equals(r[4]), Timestamps.offset(r[5]));
    }
}
