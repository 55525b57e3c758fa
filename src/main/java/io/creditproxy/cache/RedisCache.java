package io.creditproxy.cache;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.redis.datasource.value.ValueCommands;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * A small read-through cache of typed values (records, as JSON) in Redis, shared by the instances, that never makes
 * Redis a point of failure: behind the {@link RedisBreaker}, a failed or skipped read is a miss and the loader
 * (PostgreSQL) answers.
 */
@ApplicationScoped
public class RedisCache {

    private static final Logger LOG = Logger.getLogger(RedisCache.class);

    private final ValueCommands<String, String> values;
    private final ReactiveValueCommands<String, String> asyncValues;
    private final RedisBreaker breaker;
    private final ObjectMapper json;

    public RedisCache(RedisDataSource redis, ReactiveRedisDataSource reactive, RedisBreaker breaker, ObjectMapper json) {
        this.values = redis.value(String.class);
        this.asyncValues = reactive.value(String.class);
        this.breaker = breaker;
        this.json = json;
    }

    /** The cached value, or the loader's (cached when not null). */
    public <T> T get(String key, Class<T> type, Duration ttl, Supplier<T> loader) {
        T cached = read(key, type);
        if (cached != null) {
            return cached;
        }
        T loaded = loader.get();
        if (loaded != null) {
            put(key, loaded, ttl);
        }
        return loaded;
    }

    /** null when absent, unreadable (another version's value) or Redis is unavailable */
    public <T> T read(String key, Class<T> type) {
        String text = breaker.call(() -> values.get(key));
        if (text == null) {
            return null;
        }
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException e) {
            LOG.debugf("cache: %s holds no %s; treated as a miss", key, type.getSimpleName());
            return null;
        }
    }

    /**
     * Stores a value without waiting for Redis (nobody waits for a cache fill on the hot path; what is cached here is
     * also held in the caller's memory, and a lost write only costs a later miss).
     */
    public void put(String key, Object value, Duration ttl) {
        String text;
        try {
            text = json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cache: cannot write " + value.getClass().getSimpleName(), e);
        }
        breaker.send(() -> asyncValues.setex(key, Math.max(1, ttl.toSeconds()), text));
    }

    public void evict(String key) {
        // past the breaker: a missed eviction could keep a stale entry until its TTL
        try {
            values.getdel(key);
        } catch (RuntimeException e) {
            breaker.failed(e);
        }
    }
}
