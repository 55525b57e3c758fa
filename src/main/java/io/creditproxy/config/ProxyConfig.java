package io.creditproxy.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "proxy")
public interface ProxyConfig {

    /** Base URL written into rewritten fal links; when absent it is taken from the request. */
    Optional<String> publicUrl();

    /** Largest submit body accepted; larger ones get 413 and cost nothing. */
    MemorySize maxBodyBytes();

    /** How long Redis remembers which tenant owns a request id (polls then need no PostgreSQL). */
    Duration jobCacheTtl();

    /** How long Redis remembers which tenant a key hash belongs to; a revoke evicts it at once. */
    Duration keyCacheTtl();

    /**
     * Threads that group-commit reservations (a tenant always uses the same one). Each holds a database connection
     * while it writes a batch, so keep it well below the pool size.
     */
    @WithDefault("2")
    int commitLanes();

    /** Most submits written in one group commit. */
    @WithDefault("256")
    int commitMaxBatch();
}
