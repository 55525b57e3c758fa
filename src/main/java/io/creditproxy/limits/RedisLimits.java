package io.creditproxy.limits;

import io.creditproxy.cache.RedisBreaker;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * The limits' atomic Redis operations, each one Lua script (Redis runs a script alone, so check and update cannot
 * interleave between instances; time is Redis' own clock, the same for every instance).
 *
 * <p>Redis is not the truth: when it fails, {@link #eval} answers null and the caller lets the request through (fail
 * open; money stays safe in PostgreSQL); the {@link RedisBreaker} then leaves Redis alone for a while.
 */
@ApplicationScoped
public class RedisLimits {

    /**
     * Sliding-window log: at most ARGV[1] members in the last ARGV[2] ms. KEYS[1] sorted set of request ids scored
     * by time. Returns {1, remaining} or {0, ms until the oldest leaves the window}.
     */
    static final String RATE_LIMIT = """
            local limit = tonumber(ARGV[1])
            local window = tonumber(ARGV[2])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
            local n = redis.call('ZCARD', KEYS[1])
            if n >= limit then
              local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
              local wait = tonumber(oldest[2]) + window - now
              if wait < 1 then wait = 1 end
              return {0, wait}
            end
            redis.call('ZADD', KEYS[1], now, ARGV[3])
            redis.call('PEXPIRE', KEYS[1], window)
            return {1, limit - n - 1}
            """;

    /**
     * Concurrent-job slots of a tenant: KEYS[1] sorted set of job ids scored by when they were taken; entries older
     * than ARGV[3] ms are dropped first. ARGV[1] job id, ARGV[2] the most open at once (-1 = no limit). Taking a
     * slot the job already holds succeeds without counting twice. Returns {1, open} or {0, open}.
     */
    static final String ACQUIRE_SLOT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local maxAge = tonumber(ARGV[3])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - maxAge)
            if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
              return {1, redis.call('ZCARD', KEYS[1])}
            end
            local n = redis.call('ZCARD', KEYS[1])
            local max = tonumber(ARGV[2])
            if max >= 0 and n >= max then
              return {0, n}
            end
            redis.call('ZADD', KEYS[1], now, ARGV[1])
            redis.call('PEXPIRE', KEYS[1], maxAge)
            return {1, n + 1}
            """;

    private final RedisDataSource redis;
    private final ReactiveRedisDataSource reactive;
    private final RedisBreaker breaker;

    public RedisLimits(RedisDataSource redis, ReactiveRedisDataSource reactive, RedisBreaker breaker) {
        this.redis = redis;
        this.reactive = reactive;
        this.breaker = breaker;
    }

    /** The script's two numbers, or null when Redis could not be asked (the caller then fails open). */
    long[] eval(String script, String key, String... args) {
        List<String> command = new ArrayList<>();
        command.add(script);
        command.add("1");
        command.add(key);
        command.addAll(List.of(args));
        Response r = breaker.call(() -> redis.execute("EVAL", command.toArray(String[]::new)));
        return r == null ? null : new long[] {r.get(0).toLong(), r.get(1).toLong()};
    }

    /**
     * ZREM, idempotent, sent without waiting for the answer: callers (settlement, often on a scheduler thread inside
     * a transaction) must never block on Redis. A failure only counts against Redis; the slot then ages out.
     */
    void remove(String key, String member) {
        breaker.send(() -> reactive.execute("ZREM", key, member));
    }
}
