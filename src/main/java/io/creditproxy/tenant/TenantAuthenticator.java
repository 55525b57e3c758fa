package io.creditproxy.tenant;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.creditproxy.cache.Caches;
import io.creditproxy.cache.RedisCache;
import io.creditproxy.common.ApiException;
import io.creditproxy.config.ProxyConfig;
import io.creditproxy.limits.ControlsCache;
import io.creditproxy.limits.KeyControls;
import io.creditproxy.limits.ModelPatterns;
import io.creditproxy.limits.RateLimiter;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * The one place a tenant key is checked, for every tenant-facing route: the fal passthrough ({@code proxy/ProxyRoutes})
 * and the {@code /v1} API (through {@link TenantKeyFilter}). Both {@code Bearer <key>} and fal's own {@code Key <key>}
 * are accepted, so fal's clients work with only the host changed.
 *
 * <ol>
 *   <li>Lookup: the key's SHA-256 names its key and tenant; that never changes, so it is kept in this process
 *       (Caffeine, dropped when unused for {@code proxy.key-cache-ttl}) and in Redis, PostgreSQL answering a miss.</li>
 *   <li>Revocation and expiry: decided on every request from the key's controls ({@link ControlsCache}), which every
 *       instance drops on the revoke's invalidation message, so a revoked key stops at once everywhere.</li>
 *   <li>Allowed models (submits only): 403 before anything else is counted.</li>
 *   <li>Requests per minute ({@code rate_limit_rpm}): submits and {@code /v1} calls each count in a window of their
 *       own ({@link RateLimiter.Budget}), so reading the account never takes a submit's place; polls of a job are not
 *       limited.</li>
 * </ol>
 */
@ApplicationScoped
public class TenantAuthenticator {

    /** A submit that may go on, and the tenant's and the key's group's multipliers to price it with. */
    public record Admission(Caller caller, BigDecimal priceMultiplier, KeyControls.Group group) {
    }

    private static final int MAX_LOCAL = 100_000;

    private final EntityManager em;
    private final RedisCache redis;
    private final ControlsCache controls;
    private final RateLimiter rateLimiter;
    private final ProxyConfig config;
    private final Cache<String, Caller> callers;

    public TenantAuthenticator(EntityManager em, RedisCache redis, ControlsCache controls, RateLimiter rateLimiter,
                               ProxyConfig config) {
        this.em = em;
        this.redis = redis;
        this.controls = controls;
        this.rateLimiter = rateLimiter;
        this.config = config;
        this.callers = Caffeine.newBuilder()
                .executor(Caches.UPKEEP)
                .maximumSize(MAX_LOCAL)
                .expireAfterAccess(config.keyCacheTtl())
                .build();
    }

    /**
     * A submit: the key is valid, may use this model, and is within its submits per minute. Refusals move no credit.
     *
     * @throws ApiException 401 unauthorized or key_expired, 403 model_not_allowed or group_disabled, 429 rate_limited
     */
    public Admission admitSubmit(String authorization, String modelId) {
        KeyControls c = usable(authorization);
        if (!ModelPatterns.allows(c.allowedModels(), modelId)) {
            throw new ApiException(403, "model_not_allowed", "This API key may not use model '" + shorten(modelId) + "'.",
                    Map.of("allowed_models", c.allowedModels()));
        }
        if (!c.group().enabled()) {
            throw new ApiException(403, "group_disabled", "This API key's price group '" + c.group().name()
                    + "' is disabled; ask for the key to be moved to another group.", Map.of("group", c.group().name()));
        }
        limit(c, RateLimiter.Budget.SUBMITS);
        return new Admission(caller(c), c.priceMultiplier(), c.group());
    }

    /**
     * A call of the tenant API ({@code /v1}): the key is valid and within its API calls per minute.
     *
     * @throws ApiException 401 unauthorized or key_expired, 429 rate_limited
     */
    public Caller authenticateApi(String authorization) {
        return controlsForApi(authorization).caller();
    }

    /** A key's own controls as a {@code /v1} call sees them: {@link #authenticateApi}, with the key's controls. */
    public ApiCaller controlsForApi(String authorization) {
        KeyControls c = usable(authorization);
        limit(c, RateLimiter.Budget.API);
        return new ApiCaller(caller(c), c);
    }

    /** A {@code /v1} caller with its key's controls. */
    public record ApiCaller(Caller caller, KeyControls controls) {
    }

    /**
     * A poll of a job (status, result, cancel, stream), on a worker thread: the key is valid. Not rate limited.
     *
     * @throws ApiException 401 unauthorized or key_expired
     */
    public Caller authenticatePoll(String authorization) {
        return caller(usable(authorization));
    }

    /**
     * {@link #authenticatePoll} from this process' memory only, for the event loop: null when the key or its controls
     * must be loaded (then call {@link #authenticatePoll} on a worker thread).
     *
     * @throws ApiException 401 for a header without a key, or a key known here to be revoked or expired
     */
    public Caller pollFromMemory(String authorization) {
        Caller caller = callers.getIfPresent(hash(authorization));
        KeyControls c = caller == null ? null : controls.peekKey(caller.keyId());
        return c == null ? null : caller(check(c));
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

    /** A revoked key's lookup goes when the revoke commits (its controls already say revoked on every instance). */
    void onRevoked(@Observes(during = TransactionPhase.AFTER_SUCCESS) KeyRevoked revoked) {
        callers.invalidate(revoked.keyHash());
        redis.evict(redisKey(revoked.keyHash()));
    }

    private KeyControls usable(String authorization) {
        String hash = hash(authorization);
        Caller caller = callers.getIfPresent(hash);
        if (caller == null) {
            caller = redis.get(redisKey(hash), Caller.class, config.keyCacheTtl(), () -> byHash(hash));
            if (caller == null) {
                throw invalid();
            }
            callers.put(hash, caller);
        }
        return check(controls.key(caller.keyId()));
    }

    private static KeyControls check(KeyControls c) {
        if (c == null || c.revoked()) {
            throw invalid();
        }
        if (c.expiredAt(OffsetDateTime.now())) {
            throw new ApiException(401, "key_expired", "This API key has expired.");
        }
        return c;
    }

    private void limit(KeyControls c, RateLimiter.Budget budget) {
        if (c.rateLimitRpm() != null) {
            rateLimiter.check(budget, c.redisScope(), c.rateLimitRpm());
        }
    }

    /** The key and tenant a hash names (revoked or not: that is for the controls to say), or null. */
    private Caller byHash(String hash) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = QuarkusTransaction.joiningExisting().call(() -> em.createNativeQuery(
                        "SELECT id, tenant_id FROM api_keys WHERE key_hash = ?1")
                .setParameter(1, hash)
                .getResultList());
        return rows.isEmpty() ? null : new Caller(((Number) rows.get(0)[1]).longValue(), ((Number) rows.get(0)[0]).longValue());
    }

    /** @throws ApiException 401 when the header carries no key */
    private static String hash(String authorization) {
        String key = keyFromHeader(authorization);
        if (key == null) {
            throw ApiException.unauthorized("Missing API key: send 'Authorization: Bearer <key>' or 'Authorization: Key <key>'.");
        }
        return KeyGenerator.hash(key);
    }

    private static Caller caller(KeyControls c) {
        return new Caller(c.tenantId(), c.keyId());
    }

    private static ApiException invalid() {
        return ApiException.unauthorized("Invalid or revoked API key.");
    }

    private static String redisKey(String hash) {
        return "cp:caller:" + hash;
    }

    private static String shorten(String s) {
        return s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
