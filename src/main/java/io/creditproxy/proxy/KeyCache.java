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
 * Authenticates tenant keys on the proxy's hot path: the key's hash maps to its tenant in this process and in Redis
 * for a short time ({@code proxy.key-cache-ttl}); a revoke evicts both at once. PostgreSQL answers on a miss.
 *
 * <p>The in-process layer is safe across instances because it only says which tenant a key belongs to (which never
 * changes); whether the key may still be used (revoked, expired) is decided on every request by the controls cache,
 * which every instance drops on the revoke's invalidation message.
 */
@ApplicationScoped
public class KeyCache {

    /** Past this many keys the in-process layer starts afresh (a bound, not an LRU: misses only cost a lookup). */
    private static final int MAX_LOCAL = 100_000;

    private record Local(Caller caller, long expiresAtNanos) {
    }

    private final RedisCache cache;
    private final TenantAuthenticator authenticator;
    private final ProxyConfig config;
    private final java.util.concurrent.ConcurrentHashMap<String, Local> local = new java.util.concurrent.ConcurrentHashMap<>();

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
        Caller known = localHit(hash);
        if (known != null) {
            return known;
        }
        String cached = cache.read(cacheKey(hash));
        Caller caller;
        if (cached != null) {
            int colon = cached.indexOf(':');
            caller = new Caller(Long.parseLong(cached.substring(0, colon)), Long.parseLong(cached.substring(colon + 1)));
        } else {
            caller = authenticator.byHash(hash);
            cache.put(cacheKey(hash), caller.tenantId() + ":" + caller.keyId(), config.keyCacheTtl());
        }
        remember(hash, caller);
        return caller;
    }

    /**
     * The caller from this process' memory only, without blocking (for the event loop); null when not known here.
     *
     * @throws ApiException 401 when the header carries no key at all
     */
    public Caller cached(String authorizationHeader) {
        String key = TenantAuthenticator.keyFromHeader(authorizationHeader);
        if (key == null) {
            throw ApiException.unauthorized("Missing API key: send 'Authorization: Bearer <key>' or 'Authorization: Key <key>'.");
        }
        return localHit(KeyGenerator.hash(key));
    }

    private Caller localHit(String hash) {
        Local l = local.get(hash);
        if (l == null) {
            return null;
        }
        if (System.nanoTime() - l.expiresAtNanos() > 0) {
            local.remove(hash, l);
            return null;
        }
        return l.caller();
    }

    private void remember(String hash, Caller caller) {
        if (local.size() >= MAX_LOCAL) {
            local.clear();
        }
        local.put(hash, new Local(caller, System.nanoTime() + config.keyCacheTtl().toNanos()));
    }

    /** A revoked key stops working at once: its cached tenant goes when the revoke commits. */
    void onRevoked(@Observes(during = TransactionPhase.AFTER_SUCCESS) KeyRevoked revoked) {
        local.remove(revoked.keyHash());
        cache.evict(cacheKey(revoked.keyHash()));
    }

    private static String cacheKey(String hash) {
        return "cp:key:" + hash;
    }
}
