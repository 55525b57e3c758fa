package io.creditproxy.admin;

import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.config.JWTAuthContextInfoProvider;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;

/**
 * Verifies admin JWTs with {@link AdminJwtKeys#verificationKey()}, which may come from PostgreSQL and so is known
 * only at run time, not from configuration. It replaces SmallRye JWT's own {@link JWTAuthContextInfo} (an
 * alternative with priority wins over the default producer) and keeps every other setting of it: issuer, header,
 * clock skew, algorithms.
 */
@Dependent
@Alternative
@Priority(1)
public class AdminJwtVerification {

    @Produces
    @ApplicationScoped
    JWTAuthContextInfo contextInfo(JWTAuthContextInfoProvider defaults, AdminJwtKeys keys) {
        JWTAuthContextInfo info = new JWTAuthContextInfo(defaults.getContextInfo());
        // the key object is used as it is; no location or inline content is read again
        info.setPublicKeyLocation(null);
        info.setPublicKeyContent(null);
        info.setPublicVerificationKey(keys.verificationKey());
        return info;
    }
}
