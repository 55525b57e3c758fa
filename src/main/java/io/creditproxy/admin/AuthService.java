package io.creditproxy.admin;

import io.creditproxy.audit.AuditLog;
import io.creditproxy.common.ApiException;
import io.creditproxy.config.AdminConfig;
import io.creditproxy.tenant.TenantUserToken;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Admin login and password changes: checks a password against its bcrypt hash (throttled per user name and per
 * client address, see {@link LoginThrottle}) and issues a signed JWT that names the admin's current token version.
 */
@ApplicationScoped
public class AuthService {

    private static final Logger LOG = Logger.getLogger(AuthService.class);

    public static final String ISSUER = "credit-proxy";
    /** the claim checked on every admin request against admins.token_version (see {@link AdminTokenCheck}) */
    public static final String TOKEN_VERSION = "token_version";

    private final AdminUserService users;
    private final AdminConfig config;
    private final LoginThrottle throttle;
    private final AuditLog audit;
    private final AdminJwtKeys keys;
    private final TenantUserService tenantUsers;

    public AuthService(AdminUserService users, AdminConfig config, LoginThrottle throttle, AuditLog audit,
                       AdminJwtKeys keys, TenantUserService tenantUsers) {
        this.tenantUsers = tenantUsers;
        this.users = users;
        this.config = config;
        this.throttle = throttle;
        this.audit = audit;
        this.keys = keys;
    }

    /**
     * @param address the client's address, for the per-address throttle
     * @return a token whose {@code groups} claim carries the admin's role
     * @throws ApiException 401, the same for an unknown user, a wrong password and a disabled admin; 429 while the
     *                      name or the address is locked after too many failures
     */
    public String login(String username, String password, String address) {
        if (username == null || username.isEmpty() || password == null || password.isEmpty()) {
            throw ApiException.invalidParameter("username and password are required");
        }
        refuseIfLocked(username, address);
        Optional<AdminUserService.Credentials> admin = users.credentials(username);
        boolean ok;
        if (admin.isPresent()) {
            ok = Passwords.matches(password, admin.get().passwordHash()) && !admin.get().disabled();
        } else {
            // same bcrypt work as a real check, so the answer's timing does not reveal which names exist
            Passwords.burnEqualTime(password);
            ok = false;
        }
        if (!ok) {
            failed(username, address);
            throw new ApiException(401, "invalid_credentials", "Invalid username or password.");
        }
        throttle.succeeded(username);
        return token(admin.get());
    }

    /**
     * A tenant user's login ({@code POST /v1/login}): the same bcrypt check, the same throttle (its user names counted
     * apart from the admins', under {@code tenant:<name>}; the address shared) and the same key pair as an admin login.
     *
     * @return a token with role {@code tenant} (and no other), the user's id, its tenant's id and its token version
     * @throws ApiException 401 for an unknown user, a wrong password and a disabled user alike; 429 while locked
     */
    public String tenantLogin(String username, String password, String address) {
        if (username == null || username.isEmpty() || password == null || password.isEmpty()) {
            throw ApiException.invalidParameter("username and password are required");
        }
        String throttled = TENANT_THROTTLE_PREFIX + username;
        refuseIfLocked(throttled, address);
        Optional<TenantUserService.Credentials> user = tenantUsers.credentials(username);
        boolean ok;
        if (user.isPresent()) {
            ok = Passwords.matches(password, user.get().passwordHash()) && !user.get().disabled();
        } else {
            Passwords.burnEqualTime(password);
            ok = false;
        }
        if (!ok) {
            failed(throttled, address);
            throw new ApiException(401, "invalid_credentials", "Invalid username or password.");
        }
        throttle.succeeded(throttled);
        TenantUserService.Credentials u = user.get();
        return Jwt.issuer(ISSUER)
                .upn(u.username())
                .subject(String.valueOf(u.id()))
                .groups(TenantUserToken.ROLE)
                .claim(TenantUserToken.TENANT_ID, u.tenantId())
                .claim(TOKEN_VERSION, u.tokenVersion())
                .expiresIn(config.tokenLifespan())
                .sign(keys.signingKey());
    }

    /** Tenant users' names are throttled apart from admins' (an admin and a tenant user may share a name). */
    static final String TENANT_THROTTLE_PREFIX = "tenant:";

    /**
     * The logged-in admin changes its own password. Every token issued before (this one included) stops working.
     *
     * @throws ApiException 403 for a wrong current password (counted like a failed login), 422 for a new password
     *                      that breaks the rules, 429 while locked
     */
    public void changePassword(long adminId, String currentPassword, String newPassword, String address) {
        if (currentPassword == null || currentPassword.isEmpty() || newPassword == null) {
            throw ApiException.invalidParameter("current_password and new_password are required");
        }
        AdminUserService.Credentials admin = users.credentials(adminId)
                .orElseThrow(() -> ApiException.unauthorized("The admin token is invalid or expired."));
        refuseIfLocked(admin.username(), address);
        if (!Passwords.matches(currentPassword, admin.passwordHash())) {
            failed(admin.username(), address);
            throw new ApiException(403, "invalid_credentials", "The current password is wrong.");
        }
        Passwords.requireAcceptable(newPassword);
        if (Passwords.matches(newPassword, admin.passwordHash())) {
            throw ApiException.invalidParameter("new_password must differ from the current password");
        }
        users.changePassword(adminId, Passwords.hash(newPassword));
        throttle.succeeded(admin.username());
    }

    String token(AdminUserService.Credentials a) {
        return Jwt.issuer(ISSUER)
                .upn(a.username())
                .subject(String.valueOf(a.id()))
                .groups(a.role())
                .claim(TOKEN_VERSION, a.tokenVersion())
                .expiresIn(config.tokenLifespan())
                .sign(keys.signingKey());
    }

    private void refuseIfLocked(String username, String address) {
        LoginThrottle.Lock lock = throttle.check(username, address);
        if (lock != null) {
            throw new ApiException(429, "too_many_login_failures",
                    "Too many failed logins for this user name or from this address; retry in "
                            + lock.retryAfterSeconds() + " s.",
                    Map.of("retry_after", lock.retryAfterSeconds()));
        }
    }

    /** Counts the failure; a lockout it starts goes to the audit log, in a transaction of its own. */
    private void failed(String username, String address) {
        List<LoginThrottle.Lockout> lockouts = throttle.failed(username, address);
        for (LoginThrottle.Lockout lockout : lockouts) {
            String name = username.length() > 100 ? username.substring(0, 100) : username;
            Map<String, Object> what = new LinkedHashMap<>();
            what.put("scope", lockout.scope().name().toLowerCase(java.util.Locale.ROOT));
            what.put("username", name);
            what.put("address", LoginThrottle.clientKey(address));
            what.put("failures", lockout.failures());
            what.put("locked_for_seconds", lockout.lockedForSeconds());
            String target = lockout.scope() == LoginThrottle.Scope.USERNAME ? "login:" + name
                    : "address:" + LoginThrottle.clientKey(address);
            // the user name is not logged (people type passwords into it); the audit log, read by admins, has it
            LOG.warnf("admin login locked for %d s after %d failures (%s)", lockout.lockedForSeconds(),
                    lockout.failures(), what.get("scope"));
            QuarkusTransaction.requiringNew().run(() -> audit.record("login.lockout", null, null, target, null, what));
        }
    }
}
