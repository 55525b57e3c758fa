package io.creditproxy.cache;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Cross-instance invalidation of the in-process caches (prices, key and tenant controls), and the Redis breaker. */
@ConfigMapping(prefix = "cache")
public interface CacheConfig {

    /**
     * Redis pub/sub channel prefix. The Redis database number is appended, because pub/sub channels are
     * shared by every database of a server while instances only share state within one database.
     */
    @WithDefault("cp:invalidate")
    String channel();

    /**
     * After a Redis failure, Redis is left alone (limits not enforced, caches read PostgreSQL) for this long before one
     * command tries it again.
     */
    @WithDefault("2s")
    Duration redisBackoff();

    /** How often a lost subscription is noticed and re-established. */
    @WithDefault("1s")
    Duration reconnectInterval();
}
