package io.creditproxy.tenant;

import io.creditproxy.common.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.List;

/**
 * Resolves the tenant behind an {@code Authorization} header. Both {@code Bearer <key>} and fal's own
 * {@code Key <key>} are accepted, so fal's clients work with only the host changed.
 */
@ApplicationScoped
public class TenantAuthenticator {

    private final EntityManager em;

    public TenantAuthenticator(EntityManager em) {
        this.em = em;
    }

    /** Extracts the key from the header value, or null when there is none. */
    public static String keyFromHeader(String authorization) {
        if (authorization == null) {
            return null;
        }
        String value = authorization.trim();
        int space = value.indexOf(' ');
        if (space <= 0) {
            return null;
        }
        String scheme = value.substring(0, space);
        if (!scheme.equalsIgnoreCase("Bearer") && !scheme.equalsIgnoreCase("Key")) {
            return null;
        }
        String key = value.substring(space + 1).trim();
        return key.isEmpty() ? null : key;
    }

    /** 401 key_expired: the key is known but past its expires_at (e.g. the old key of a rotation). */
    public static ApiException expired() {
        return new ApiException(401, "key_expired", "This API key has expired.");
    }

    /** @throws ApiException 401 for a missing, unknown, revoked or expired key */
    @Transactional
    public Caller authenticate(String authorizationHeader) {
        String key = keyFromHeader(authorizationHeader);
        if (key == null) {
            throw ApiException.unauthorized("Missing API key: send 'Authorization: Bearer <key>' or 'Authorization: Key <key>'.");
        }
        return byHash(KeyGenerator.hash(key));
    }

    @Transactional
    public Caller byHash(String hash) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                        "SELECT id, tenant_id, (expires_at IS NOT NULL AND expires_at <= now()) FROM api_keys "
                                + "WHERE key_hash = ?1 AND revoked_at IS NULL")
                .setParameter(1, hash)
                .getResultList();
        if (rows.isEmpty()) {
            throw ApiException.unauthorized("Invalid or revoked API key.");
        }
        Object[] row = rows.get(0);
        if (Boolean.TRUE.equals(row[2])) {
            throw expired();
        }
        return new Caller(((Number) row[1]).longValue(), ((Number) row[0]).longValue());
    }
}
