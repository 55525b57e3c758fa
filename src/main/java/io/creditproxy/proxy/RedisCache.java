package io.creditproxy.proxy;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.ValueCommands;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * A small read-through string cache in Redis that never makes Redis a point of failure: when Redis
 * is unreachable the loader (PostgreSQL) answers and Redis is left alone for a few seconds.
 */
@ApplicationScoped
public class RedisCache {

    private static final Logger LOG = Logger.getLogger(RedisCache.class);
    private static final long BACKOFF_MS = 5_000;

    private final ValueCommands<String, String> values;
    private volatile long skipUntil;

    public RedisCache(RedisDataSource redis) {
        this.values = redis.value(String.class);
    }

    /** The cached value, or the loader's (cached when not null). */
    public String get(String key, Duration ttl, Supplier<String> loader) {
        String cached = read(key);
        if (cached != null) {
            return cached;
        }
        String loaded = loader.get();
        if (loaded != null) {
            put(key, loaded, ttl);
        }
        return loaded;
    }

    public String read(String key) {
        if (unavailable()) {
            return null;
        }
        try {
            return values.get(key);
        } catch (RuntimeException e) {
            markDown(e);
            return null;
        }
    }

    public void put(String key, String value, Duration ttl) {
        if (unavailable()) {
            return;
        }
        try {
            values.setex(key, Math.max(1, ttl.toSeconds()), value);
        } catch (RuntimeException e) {
            markDown(e);
        }
    }

    public void evict(String key) {
        // always try, even in back-off: a missed eviction could keep a revoked key alive until its TTL
        try {
            values.getdel(key);
        } catch (RuntimeException e) {
            markDown(e);
        }
    }

    private boolean unavailable() {
        return System.currentTimeMillis() < skipUntil;
    }

    private void markDown(RuntimeException e) {
        if (!unavailable()) {
            LOG.warnf("Redis unavailable (%s); using PostgreSQL for %d ms", e.getClass().getSimpleName(), BACKOFF_MS);
        }
        skipUntil = System.currentTimeMillis() + BACKOFF_MS;
    }
}
