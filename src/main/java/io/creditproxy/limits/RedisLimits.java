package io.creditproxy.limits;

import io.creditproxy.common.OutsideTransaction;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The limits' atomic Redis operations, each one Lua script (Redis runs a script alone, so check and update cannot
 * interleave between instances; time is Redis' own clock, the same for every instance).
 *
 * <p>Redis is not the truth: when it fails, {@link #eval} answers null, the caller lets the request through (fail
 * open; money stays safe in PostgreSQL) and Redis is left alone for {@code limits.redis-backoff}, then tried again.
 */
@ApplicationScoped
public class RedisLimits {

    private static final Logger LOG = Logger.getLogger(RedisLimits.class);

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
    private final long backoffMs;
    private volatile long skipUntil;
    // one warning per outage, one line when it is over
    private volatile boolean down;

    public RedisLimits(RedisDataSource redis, ReactiveRedisDataSource reactive, LimitsConfig config) {
        this.redis = redis;
        this.reactive = reactive;
        this.backoffMs = config.redisBackoff().toMillis();
    }

    /** The script's two numbers, or null when Redis could not be asked (the caller then fails open). */
    long[] eval(String script, String key, String... args) {
        if (System.currentTimeMillis() < skipUntil) {
            return null;
        }
        List<String> command = new ArrayList<>();
        command.add(script);
        command.add("1");
        command.add(key);
        command.addAll(List.of(args));
        try {
            Response r = redis.execute("EVAL", command.toArray(String[]::new));
            up();
            return new long[] {r.get(0).toLong(), r.get(1).toLong()};
        } catch (RuntimeException e) {
            down(e);
            return null;
        }
    }

    /**
     * ZREM, idempotent, sent without waiting for the answer: callers (settlement, often on a scheduler thread inside
     * a transaction) must never block on Redis. A failure is only logged; the slot then ages out.
     */
    void remove(String key, String member) {
        try {
            OutsideTransaction.start(() -> reactive.execute("ZREM", key, member).subscribe()
                    .with(ignored -> up(), failure -> down(new RuntimeException(failure))));
        } catch (RuntimeException e) {
            down(e);
        }
    }

    private void down(RuntimeException e) {
        if (!down) {
            down = true;
            LOG.warnf("Redis unavailable for limits (%s): rate and concurrency limits are NOT enforced until it is back "
                    + "(fail open; retried every %d ms)", e.getClass().getSimpleName(), backoffMs);
        }
        skipUntil = System.currentTimeMillis() + backoffMs;
    }

    private void up() {
        if (down) {
            down = false;
            LOG.info("Redis is back: rate and concurrency limits are enforced again");
        }
    }
}
