package io.creditproxy.proxy;

import io.creditproxy.common.ApiException;
import io.creditproxy.config.ProxyConfig;
import io.creditproxy.tenant.Caller;
import io.creditproxy.tenant.KeyGenerator;
import io.creditproxy.tenant.KeyRevoked;
import io.creditproxy.tenant.TenantAuthenticator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;

/**
 * Authenticates tenant keys on the proxy's hot path: the key's hash maps to its tenant in Redis for a
 * short time ({@code proxy.key-cache-ttl}); a revoke evicts it at once. PostgreSQL answers on a miss.
 */
@ApplicationScoped
public class KeyCache {

    private final RedisCache cache;
    private final TenantAuthenticator authenticator;
    private final ProxyConfig config;

    public KeyCache(RedisCache cache, TenantAuthenticator authenticator, ProxyConfig config) {
        this.cache = cache;
        this.authenticator = authenticator;
        this.config = config;
    }

    /** @throws ApiException 401 for a missing, unknown or revoked key */
    public Caller authenticate(String authorizationHeader) {
        String key = TenantAuthenticator.keyFromHeader(authorizationHeader);
        if (key == null) {
            throw ApiException.unauthorized("Missing API key: send 'Authorization: Bearer <key>' or 'Authorization: Key <key>'.");
        }
        String hash = KeyGenerator.hash(key);
        String cached = cache.read(cacheKey(hash));
        if (cached != null) {
            int colon = cached.indexOf(':');
            return new Caller(Long.parseLong(cached.substring(0, colon)), Long.parseLong(cached.substring(colon + 1)));
        }
        Caller caller = authenticator.byHash(hash);
        cache.put(cacheKey(hash), caller.tenantId() + ":" + caller.keyId(), config.keyCacheTtl());
        return caller;
    }

    /** A revoked key stops working at once: its cached tenant goes when the revoke commits. */
    void onRevoked(@Observes(during = TransactionPhase.AFTER_SUCCESS) KeyRevoked revoked) {
        cache.evict(cacheKey(revoked.keyHash()));
    }

    private static String cacheKey(String hash) {
        return "cp:key:" + hash;
    }
}
