package io.creditproxy.admin;

import io.creditproxy.common.ApiException;
import io.creditproxy.config.AdminConfig;
import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.Optional;

/** Admin login: checks the password against its bcrypt hash and issues a signed JWT. */
@ApplicationScoped
public class AuthService {

    public static final String ISSUER = "credit-proxy";

    private final AdminRepository admins;
    private final AdminConfig config;
    private final AdminJwtKeys keys;

    public AuthService(AdminRepository admins, AdminConfig config, AdminJwtKeys keys) {
        this.admins = admins;
        this.config = config;
        this.keys = keys;
    }

    /**
     * @return a token whose {@code groups} claim carries the admin's role
     * @throws ApiException 401, the same for an unknown user and a wrong password
     */
    @Transactional
    public String login(String username, String password) {
        if (username == null || username.isEmpty() || password == null || password.isEmpty()) {
            throw ApiException.invalidParameter("username and password are required");
        }
        Optional<Admin> admin = admins.findByUsername(username);
        boolean ok;
        if (admin.isPresent()) {
            ok = Passwords.matches(password, admin.get().passwordHash);
        } else {
            // same bcrypt work as a real check, so the answer's timing does not reveal which names exist
            Passwords.burnEqualTime(password);
            ok = false;
        }
        if (!ok) {
            throw new ApiException(401, "invalid_credentials", "Invalid username or password.");
        }
        Admin a = admin.get();
        return Jwt.issuer(ISSUER)
                .upn(a.username)
                .subject(String.valueOf(a.id))
                .groups(a.role)
                .expiresIn(config.tokenLifespan())
                .sign(keys.signingKey());
    }
}
