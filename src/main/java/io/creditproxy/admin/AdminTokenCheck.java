package io.creditproxy.admin;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import io.creditproxy.tenant.TenantUserToken;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Every request with a JWT: a validly signed token is accepted only while its admin (or, for a token with role
 * {@code tenant}, its tenant user, in the tenant the token names) exists, is not disabled and still has the token
 * version the token names. A token carrying role {@code tenant} together with any other role is refused (none is
 * ever issued). Disabling an admin or changing its password bumps the version, so older tokens
 * are refused at once, on every instance. One primary-key read per admin request, not cached: admin traffic is light,
 * and a cache would need cross-instance invalidation to stay correct.
 */
@ApplicationScoped
public class AdminTokenCheck implements SecurityIdentityAugmentor {

    private final DataSource dataSource;

    public AdminTokenCheck(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken token)) {
            return Uni.createFrom().item(identity);
        }
        return context.runBlocking(() -> {
            if (!isCurrent(token)) {
                throw new AuthenticationFailedException("admin token revoked");
            }
            return identity;
        });
    }

    private boolean isCurrent(JsonWebToken token) {
        Long id = TenantUserToken.claimAsLong(token.getSubject());
        Long version = TenantUserToken.claimAsLong(token.getClaim(AuthService.TOKEN_VERSION));
        if (id == null || version == null) {
            return false;
        }
        boolean tenantUser = token.getGroups().contains(TenantUserToken.ROLE);
        Long tenantId = TenantUserToken.tenantIdOf(token.getClaim(TenantUserToken.TENANT_ID));
        if (tenantUser && (token.getGroups().size() != 1 || tenantId == null)) {
            return false;
        }
        if (!tenantUser && tenantId != null) {
            return false;
        }
        String sql = tenantUser
                ? "SELECT username, token_version, disabled_at IS NOT NULL, tenant_id FROM tenant_users WHERE id = ?"
                : "SELECT username, token_version, disabled_at IS NOT NULL, NULL FROM admins WHERE id = ?";
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(sql)) {
            s.setLong(1, id);
            try (ResultSet r = s.executeQuery()) {
                return r.next() && r.getString(1).equals(token.getName()) && r.getLong(2) == version && !r.getBoolean(3)
                        && (!tenantUser || r.getLong(4) == tenantId);
            }
        } catch (SQLException e) {
            // fail closed: without the check, a revoked token must not pass
            throw new IllegalStateException("could not check the admin token", e);
        }
    }
}
