package io.creditproxy.limits;

import io.creditproxy.cache.Invalidation;
import io.creditproxy.tenant.ModelPatterns;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keys' and tenants' controls kept in this process for {@code limits.controls-cache-ttl}, read from PostgreSQL on a
 * miss. Dropped on an {@link Invalidation} (this instance's own changes at once, other instances' through Redis
 * pub/sub), so a revoked or restricted key and a changed multiplier take effect everywhere within a second.
 */
@ApplicationScoped
public class ControlsCache {

    /**
     * The tenant half, also needed without a key (a slot is taken per tenant).
     *
     * @param redisScope names the tenant's Redis state: id and creation time, so that a recreated database (tests,
     *                   a restored backup) never inherits another tenant's counters under a reused id
     */
    public record TenantControls(long tenantId, BigDecimal priceMultiplier, Integer maxConcurrentJobs, String redisScope) {
    }

    private record KeyRow(long keyId, long tenantId, boolean revoked, OffsetDateTime expiresAt, List<String> allowedModels,
                          Integer rateLimitRpm, String redisScope) {
    }

    private record Cached<T>(T value, long loadedAtNanos) {
    }

    private final EntityManager em;
    private final long ttlNanos;
    private final Map<Long, Cached<KeyRow>> keys = new ConcurrentHashMap<>();
    private final Map<Long, Cached<TenantControls>> tenants = new ConcurrentHashMap<>();
    // bumped on every invalidation, so that a load racing with one is not kept
    private final AtomicLong generation = new AtomicLong();

    public ControlsCache(EntityManager em, LimitsConfig config) {
        this.em = em;
        this.ttlNanos = config.controlsCacheTtl().toNanos();
    }

    /** null when the key does not exist */
    public KeyControls key(long keyId) {
        KeyRow k = cached(keys, keyId, () -> loadKey(keyId));
        if (k == null) {
            return null;
        }
        TenantControls t = tenant(k.tenantId());
        return new KeyControls(k.keyId(), k.tenantId(), k.revoked(), k.expiresAt(), k.allowedModels(), k.rateLimitRpm(),
                t == null ? BigDecimal.ONE : t.priceMultiplier(), t == null ? null : t.maxConcurrentJobs(), k.redisScope());
    }

    /** The key's controls when this process holds them fresh, else null; never blocks (for the event loop). */
    public KeyControls peekKey(long keyId) {
        KeyRow k = fresh(keys, keyId);
        TenantControls t = k == null ? null : fresh(tenants, k.tenantId());
        if (t == null) {
            return null;
        }
        return new KeyControls(k.keyId(), k.tenantId(), k.revoked(), k.expiresAt(), k.allowedModels(), k.rateLimitRpm(),
                t.priceMultiplier(), t.maxConcurrentJobs(), k.redisScope());
    }

    private <T> T fresh(Map<Long, Cached<T>> map, long id) {
        Cached<T> c = map.get(id);
        return c != null && System.nanoTime() - c.loadedAtNanos() < ttlNanos ? c.value() : null;
    }

    /** null when the tenant does not exist */
    public TenantControls tenant(long tenantId) {
        return cached(tenants, tenantId, () -> loadTenant(tenantId));
    }

    void onInvalidation(@Observes Invalidation invalidation) {
        apply(invalidation);
    }

    /** Drops what the message names (public so a test can stand a second cache for another instance). */
    public void apply(Invalidation invalidation) {
        generation.incrementAndGet();
        Long id = invalidation.idAsLong();
        switch (invalidation.topic()) {
            case Invalidation.KEY -> {
                if (id == null) {
                    keys.clear();
                } else {
                    keys.remove(id);
                }
            }
            case Invalidation.TENANT -> {
                if (id == null) {
                    tenants.clear();
                } else {
                    tenants.remove(id);
                }
            }
            case Invalidation.PRICING -> {
                // prices are not cached here
            }
            default -> {
                keys.clear();
                tenants.clear();
            }
        }
    }

    private <T> T cached(Map<Long, Cached<T>> map, long id, java.util.function.Supplier<T> loader) {
        Cached<T> c = map.get(id);
        if (c != null && System.nanoTime() - c.loadedAtNanos() < ttlNanos) {
            return c.value();
        }
        long gen = generation.get();
        T value = QuarkusTransaction.joiningExisting().call(loader::get);
        if (value != null && generation.get() == gen) {
            map.put(id, new Cached<>(value, System.nanoTime()));
        }
        return value;
    }

    private KeyRow loadKey(long keyId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        SELECT id, tenant_id, revoked_at IS NOT NULL, expires_at, allowed_models, rate_limit_rpm,
                               id || '-' || CAST(floor(extract(epoch FROM created_at) * 1000000) AS bigint)
                        FROM api_keys WHERE id = ?1""")
                .setParameter(1, keyId)
                .getResultList();
        if (rows.isEmpty()) {
            return null;
        }
        Object[] r = rows.get(0);
        return new KeyRow(((Number) r[0]).longValue(), ((Number) r[1]).longValue(), Boolean.TRUE.equals(r[2]),
                time(r[3]), ModelPatterns.split((String) r[4]), r[5] == null ? null : ((Number) r[5]).intValue(), (String) r[6]);
    }

    private TenantControls loadTenant(long tenantId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        SELECT id, price_multiplier, max_concurrent_jobs,
                               id || '-' || CAST(floor(extract(epoch FROM created_at) * 1000000) AS bigint)
                        FROM tenants WHERE id = ?1""")
                .setParameter(1, tenantId)
                .getResultList();
        if (rows.isEmpty()) {
            return null;
        }
        Object[] r = rows.get(0);
        BigDecimal m = ((BigDecimal) r[1]).stripTrailingZeros();
        return new TenantControls(tenantId, m.scale() < 0 ? m.setScale(0) : m, r[2] == null ? null : ((Number) r[2]).intValue(),
                (String) r[3]);
    }

    private static OffsetDateTime time(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof OffsetDateTime t) {
            return t;
        }
        if (o instanceof java.time.Instant i) {
            return i.atOffset(java.time.ZoneOffset.UTC);
        }
        if (o instanceof java.sql.Timestamp ts) {
            return ts.toInstant().atOffset(java.time.ZoneOffset.UTC);
        }
        throw new IllegalStateException("unexpected time type " + o.getClass());
    }

    /** for checks that need the pattern logic without a cache */
    static boolean allows(KeyControls c, String modelId) {
        return ModelPatterns.allows(c.allowedModels(), modelId);
    }
}
