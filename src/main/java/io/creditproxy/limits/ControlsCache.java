package io.creditproxy.limits;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.creditproxy.cache.BatchLoader;
import io.creditproxy.cache.Caches;
import io.creditproxy.cache.Invalidation;
import io.creditproxy.common.Timestamps;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import org.hibernate.Session;
import org.jboss.logging.Logger;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Keys' and tenants' controls kept in this process (Caffeine, bounded), read from PostgreSQL on a miss. An entry is
 * kept at most {@code limits.controls-cache-ttl} after it was read, and read again in the background once it is half
 * that old and was used in the last minute, in bulk ({@link BatchLoader}: a few queries a second for all keys in use),
 * so a key in use never waits for PostgreSQL and its polls stay on the event loop. Dropped on an {@link Invalidation} (this
 * instance's own changes at once, other instances' through Redis pub/sub), so a revoked or restricted key and a
 * changed multiplier take effect everywhere within a second; the TTL bounds staleness when a message is lost.
 */
@ApplicationScoped
public class ControlsCache {

    private static final Logger LOG = Logger.getLogger(ControlsCache.class);

    /**
     * The tenant half, also needed without a key (a slot is taken per tenant).
     *
     * @param redisScope names the tenant's Redis state: id and creation time, so that a recreated database (tests,
     *                   a restored backup) never inherits another tenant's counters under a reused id
     */
    public record TenantControls(long tenantId, BigDecimal priceMultiplier, Integer maxConcurrentJobs, String redisScope) {
    }

    private record KeyRow(long keyId, long tenantId, boolean revoked, OffsetDateTime expiresAt, List<String> allowedModels,
                          Integer rateLimitRpm, String redisScope, KeyControls.Group group) {
    }

    private static final int MAX_ENTRIES = 100_000;
    /** Entries not read for this long are dropped rather than kept warm. */
    private static final Duration IDLE = Duration.ofSeconds(60);
    private static final int BATCH = 1000;

    private final EntityManager em;
    private final AsyncLoadingCache<Long, KeyRow> keys;
    private final AsyncLoadingCache<Long, TenantControls> tenants;
    private final Duration refreshAt;

    /**
     * The refreshes' own thread: it starts them every second and reads their rows. On the shared worker pool (and
     * Quarkus' scheduler, which uses it) they queued behind the submits under load and landed after the entries had
     * expired; every submit then read its key and tenant from PostgreSQL one by one, which took about 40 % of the
     * submit path's worker time (bench/RESULTS.md).
     */
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "controls-refresh");
        t.setDaemon(true);
        return t;
    });

    public ControlsCache(EntityManager em, LimitsConfig config) {
        this.em = em;
        // the refresher runs every second and a refresh gathers for a tenth of the TTL: start early enough to land in time
        this.refreshAt = config.controlsCacheTtl().dividedBy(4);
        this.keys = cache(config.controlsCacheTtl(), refresher, this::loadKeys);
        this.tenants = cache(config.controlsCacheTtl(), refresher, this::loadTenants);
        refresher.scheduleWithFixedDelay(this::refreshInUse, 1, 1, TimeUnit.SECONDS);
    }

    @PreDestroy
    void stop() {
        refresher.shutdownNow();
    }

    private static <V> AsyncLoadingCache<Long, V> cache(Duration ttl, Executor workers, Function<List<Long>, Map<Long, V>> read) {
        return Caffeine.newBuilder()
                .executor(Caches.UPKEEP)
                .maximumSize(MAX_ENTRIES)
                .expireAfterWrite(ttl)
                .expireAfterAccess(IDLE)
                .refreshAfterWrite(ttl.dividedBy(2))
                // a refresh starts at half the TTL; gathering for a tenth of it still lands well before expiry
                .buildAsync(new BatchLoader<>(read, workers, ttl.dividedBy(10), BATCH));
    }

    /**
     * Keeps warm what was used lately: every entry read in the last {@link #IDLE} and past a quarter of its TTL is
     * refreshed (in bulk, by the {@link BatchLoader}), so that a key used every few seconds never expires between two
     * uses and waits for PostgreSQL on its submit (a refresh on read alone only helps keys read more often than that).
     * Caffeine discards a refresh that an invalidation overtook.
     */
    void refreshInUse() {
        try {
            refreshDue(keys, refreshAt);
            refreshDue(tenants, refreshAt);
        } catch (RuntimeException e) {
            // a failed round must not end the schedule: the next one tries again, and a miss reads PostgreSQL anyway
            LOG.warnf("controls refresh: %s", e.toString());
        }
    }

    private static void refreshDue(AsyncLoadingCache<Long, ?> cache, Duration refreshAt) {
        var byWrite = cache.synchronous().policy().expireAfterWrite().orElseThrow();
        List<Long> due = cache.asMap().keySet().stream()
                .filter(id -> byWrite.ageOf(id).map(age -> age.compareTo(refreshAt) >= 0).orElse(false))
                .toList();
        if (!due.isEmpty()) {
            cache.synchronous().refreshAll(due);
        }
    }

    /** null when the key does not exist */
    public KeyControls key(long keyId) {
        KeyRow k = Caches.get(keys, keyId, id -> loadKeys(List.of(id)).get(id));
        if (k == null) {
            return null;
        }
        TenantControls t = tenant(k.tenantId());
        return new KeyControls(k.keyId(), k.tenantId(), k.revoked(), k.expiresAt(), k.allowedModels(), k.rateLimitRpm(),
                t == null ? BigDecimal.ONE : t.priceMultiplier(), t == null ? null : t.maxConcurrentJobs(), k.redisScope(),
                k.group());
    }

    /** The key's controls when this process holds them, else null; never blocks (for the event loop). */
    public KeyControls peekKey(long keyId) {
        KeyRow k = Caches.peek(keys, keyId);
        TenantControls t = k == null ? null : Caches.peek(tenants, k.tenantId());
        if (t == null) {
            return null;
        }
        return new KeyControls(k.keyId(), k.tenantId(), k.revoked(), k.expiresAt(), k.allowedModels(), k.rateLimitRpm(),
                t.priceMultiplier(), t.maxConcurrentJobs(), k.redisScope(), k.group());
    }

    /** null when the tenant does not exist */
    public TenantControls tenant(long tenantId) {
        return Caches.get(tenants, tenantId, id -> loadTenants(List.of(id)).get(id));
    }

    void onInvalidation(@Observes Invalidation invalidation) {
        apply(invalidation);
    }

    /** Drops what the message names (public so a test can stand a second cache for another instance). */
    public void apply(Invalidation invalidation) {
        Long id = invalidation.idAsLong();
        switch (invalidation.topic()) {
            case Invalidation.KEY -> drop(keys, id);
            case Invalidation.TENANT -> drop(tenants, id);
            case Invalidation.PRICING -> {
                // prices are not cached here
            }
            // a group's multiplier or state is part of every key in it
            case Invalidation.GROUP -> drop(keys, null);
            default -> {
                drop(keys, null);
                drop(tenants, null);
            }
        }
    }

    /** A load in flight for a dropped id is not kept (Caffeine drops its future with the entry). */
    private static void drop(AsyncLoadingCache<Long, ?> cache, Long id) {
        if (id == null) {
            cache.synchronous().invalidateAll();
        } else {
            cache.synchronous().invalidate(id);
        }
    }

    private static final String KEY_COLUMNS = """
            SELECT k.id, k.tenant_id, k.revoked_at IS NOT NULL, k.expires_at, k.allowed_models, k.rate_limit_rpm,
                   k.id || '-' || CAST(floor(extract(epoch FROM k.created_at) * 1000000) AS bigint),
                   g.id, g.name, g.price_multiplier, g.enabled
            FROM api_keys k JOIN price_groups g ON g.id = k.group_id""";

    private static final String TENANT_COLUMNS = """
            SELECT id, price_multiplier, max_concurrent_jobs,
                   id || '-' || CAST(floor(extract(epoch FROM created_at) * 1000000) AS bigint)
            FROM tenants""";

    private static BigDecimal plain(BigDecimal m) {
        BigDecimal s = m.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }

    private Map<Long, KeyRow> loadKeys(List<Long> ids) {
        return QuarkusTransaction.joiningExisting().call(() -> {
            Map<Long, KeyRow> found = new HashMap<>();
            for (Object[] r : rows(KEY_COLUMNS, ids)) {
                KeyRow k = new KeyRow(((Number) r[0]).longValue(), ((Number) r[1]).longValue(), Boolean.TRUE.equals(r[2]),
                        Timestamps.offset(r[3]), ModelPatterns.split((String) r[4]), r[5] == null ? null : ((Number) r[5]).intValue(),
                        (String) r[6], new KeyControls.Group(((Number) r[7]).longValue(), (String) r[8],
                        plain((BigDecimal) r[9]), Boolean.TRUE.equals(r[10])));
                found.put(k.keyId(), k);
            }
            return found;
        });
    }

    private Map<Long, TenantControls> loadTenants(List<Long> ids) {
        return QuarkusTransaction.joiningExisting().call(() -> {
            Map<Long, TenantControls> found = new HashMap<>();
            for (Object[] r : rows(TENANT_COLUMNS, ids)) {
                long tenantId = ((Number) r[0]).longValue();
                found.put(tenantId, new TenantControls(tenantId, plain((BigDecimal) r[1]),
                        r[2] == null ? null : ((Number) r[2]).intValue(), (String) r[3]));
            }
            return found;
        });
    }

    /**
     * The rows for these ids, the ids bound as one array ({@code = ANY(?)}): a refresh reads up to {@link #BATCH} ids a
     * query, and an {@code IN} list of that many parameters cost more to bind and plan than to read (bench/RESULTS.md).
     */
    private List<Object[]> rows(String select, List<Long> ids) {
        String column = select.contains(" k JOIN ") ? "k.id" : "id";
        return em.unwrap(Session.class).doReturningWork(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(select + " WHERE " + column + " = ANY(?)")) {
                statement.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
                List<Object[]> out = new ArrayList<>(ids.size());
                try (ResultSet rs = statement.executeQuery()) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        Object[] row = new Object[columns];
                        for (int i = 0; i < columns; i++) {
                            row[i] = rs.getObject(i + 1);
                        }
                        out.add(row);
                    }
                }
                return out;
            }
        });
    }
}
