package io.creditproxy.config;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/** The admin JWT key pair kept in PostgreSQL when no key files are configured (io.creditproxy.admin.AdminJwtKeys). */
@ConfigMapping(prefix = "admin.jwt")
public interface AdminJwtConfig {

    /**
     * When set ({@code ADMIN_JWT_KEY_SECRET}), the private key stored in PostgreSQL is encrypted with it; a stored key
     * that is encrypted needs it to start. Never logged.
     */
    Optional<String> keySecret();
}
