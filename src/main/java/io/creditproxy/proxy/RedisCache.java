package io.creditproxy.proxy;

import io.creditproxy.common.OutsideTransaction;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
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
    private final ReactiveValueCommands<String, String> asyncValues;
    private volatile long skipUntil;

    public RedisCache(RedisDataSource redis, ReactiveRedisDataSource reactive) {
        this.values = redis.value(String.class);
        this.asyncValues = reactive.value(String.class);
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

    /**
     * Stores a value without waiting for Redis (nobody waits for a cache fill on the hot path; what is cached here is
     * also held in the caller's memory, and a lost write only costs a later miss).
     */
    public void put(String key, String value, Duration ttl) {
        if (unavailable()) {
            return;
        }
        try {
            OutsideTransaction.start(() -> asyncValues.setex(key, Math.max(1, ttl.toSeconds()), value).subscribe().with(ok -> {
            }, failure -> markDown(failure instanceof RuntimeException r ? r : new RuntimeException(failure))));
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
