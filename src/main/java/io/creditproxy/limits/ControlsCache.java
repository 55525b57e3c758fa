package io.creditproxy.limits;

import io.creditproxy.cache.Invalidation;
import io.creditproxy.common.Timestamps;
import io.creditproxy.tenant.ModelPatterns;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keys' and tenants' controls kept in this process for {@code limits.controls-cache-ttl}, read from PostgreSQL on a
 * miss. Dropped on an {@link Invalidation} (this instance's own changes at once, other instances' through Redis
 * pub/sub), so a revoked or restricted key and a changed multiplier take effect everywhere within a second.
 *
 * <p>Entries in use are reloaded in bulk before they expire ({@link #refreshInUse}, every second, two queries for
 * all of them), so a busy key never waits for PostgreSQL on its requests and polls stay on the event loop; the TTL
 * still bounds how stale an entry can be when an invalidation is lost. Entries unused for a minute are dropped.
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

    private static final class Cached<T> {
        final T value;
        final long loadedAtNanos;
        volatile long usedAtNanos;

        Cached(T value, long loadedAtNanos, long usedAtNanos) {
            this.value = value;
            this.loadedAtNanos = loadedAtNanos;
            this.usedAtNanos = usedAtNanos;
        }

        T value() {
            return value;
        }

        long loadedAtNanos() {
            return loadedAtNanos;
        }
    }

    /** Entries not read for this long are not refreshed but dropped. */
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final int REFRESH_CHUNK = 1000;

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
        long now = System.nanoTime();
        if (c != null && now - c.loadedAtNanos() < ttlNanos) {
            c.usedAtNanos = now;
            return c.value();
        }
        return null;
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
        T known = fresh(map, id);
        if (known != null) {
            return known;
        }
        long gen = generation.get();
        T value = QuarkusTransaction.joiningExisting().call(loader::get);
        if (value != null && generation.get() == gen) {
            long now = System.nanoTime();
            map.put(id, new Cached<>(value, now, now));
        }
        return value;
    }

    /**
     * Reloads, in bulk, the entries read lately that are past half their TTL; drops those unused for a minute. A
     * reload that races with an invalidation is thrown away (the next run or the next miss loads it again).
     */
    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refreshInUse() {
        refresh(keys, ids -> QuarkusTransaction.requiringNew().call(() -> loadKeys(ids)));
        refresh(tenants, ids -> QuarkusTransaction.requiringNew().call(() -> loadTenants(ids)));
    }

    private <T> void refresh(Map<Long, Cached<T>> map, java.util.function.Function<List<Long>, Map<Long, T>> loader) {
        long now = System.nanoTime();
        List<Long> due = new ArrayList<>();
        for (Map.Entry<Long, Cached<T>> e : map.entrySet()) {
            Cached<T> c = e.getValue();
            if (now - c.usedAtNanos > IDLE_NANOS) {
                map.remove(e.getKey(), c);
            } else if (now - c.loadedAtNanos() >= ttlNanos / 2) {
                due.add(e.getKey());
            }
        }
        for (int from = 0; from < due.size(); from += REFRESH_CHUNK) {
            List<Long> ids = due.subList(from, Math.min(due.size(), from + REFRESH_CHUNK));
            long gen = generation.get();
            long loadedAt = System.nanoTime();
            Map<Long, T> rows = loader.apply(ids);
            if (generation.get() != gen) {
                return;
            }
            for (Long id : ids) {
                Cached<T> old = map.get(id);
                T value = rows.get(id);
                if (old == null) {
                    continue;
                }
                if (value == null) {
                    map.remove(id, old); // deleted: the next request finds out from PostgreSQL
                } else {
                    map.replace(id, old, new Cached<>(value, loadedAt, old.usedAtNanos));
                }
            }
        }
    }

    private static final String KEY_COLUMNS = """
            SELECT id, tenant_id, revoked_at IS NOT NULL, expires_at, allowed_models, rate_limit_rpm,
                   id || '-' || CAST(floor(extract(epoch FROM created_at) * 1000000) AS bigint)
            FROM api_keys""";

    private static final String TENANT_COLUMNS = """
            SELECT id, price_multiplier, max_concurrent_jobs,
                   id || '-' || CAST(floor(extract(epoch FROM created_at) * 1000000) AS bigint)
            FROM tenants""";

    private KeyRow loadKey(long keyId) {
        return loadKeys(List.of(keyId)).get(keyId);
    }

    private TenantControls loadTenant(long tenantId) {
        return loadTenants(List.of(tenantId)).get(tenantId);
    }

    private Map<Long, KeyRow> loadKeys(List<Long> ids) {
        Map<Long, KeyRow> found = new HashMap<>();
        for (Object[] r : rows(KEY_COLUMNS, ids)) {
            KeyRow k = new KeyRow(((Number) r[0]).longValue(), ((Number) r[1]).longValue(), Boolean.TRUE.equals(r[2]),
                    Timestamps.offset(r[3]), ModelPatterns.split((String) r[4]), r[5] == null ? null : ((Number) r[5]).intValue(), (String) r[6]);
            found.put(k.keyId(), k);
        }
        return found;
    }

    private Map<Long, TenantControls> loadTenants(List<Long> ids) {
        Map<Long, TenantControls> found = new HashMap<>();
        for (Object[] r : rows(TENANT_COLUMNS, ids)) {
            long tenantId = ((Number) r[0]).longValue();
            BigDecimal m = ((BigDecimal) r[1]).stripTrailingZeros();
            found.put(tenantId, new TenantControls(tenantId, m.scale() < 0 ? m.setScale(0) : m,
                    r[2] == null ? null : ((Number) r[2]).intValue(), (String) r[3]));
        }
        return found;
    }

    @SuppressWarnings("unchecked")
    private List<Object[]> rows(String select, List<Long> ids) {
        return em.createNativeQuery(select + " WHERE id IN (?1)").setParameter(1, ids).getResultList();
    }

    /** for checks that need the pattern logic without a cache */
    static boolean allows(KeyControls c, String modelId) {
        return ModelPatterns.allows(c.allowedModels(), modelId);
    }
}
