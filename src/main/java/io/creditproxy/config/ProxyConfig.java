package io.creditproxy.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
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
}
