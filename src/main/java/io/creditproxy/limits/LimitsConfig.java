package io.creditproxy.limits;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Key and tenant limits enforced on the submit path. */
@ConfigMapping(prefix = "limits")
public interface LimitsConfig {

    /**
     * How long each instance keeps a key's and a tenant's controls in memory. Changes reach every instance at once
     * through Redis pub/sub; this only bounds staleness when a message is lost.
     */
    @WithDefault("2s")
    Duration controlsCacheTtl();

    /**
     * A concurrent-job slot older than this is dropped even if nobody released it (an instance died between
     * taking the slot and writing the job, or a settlement never came), so a tenant can never be locked out for good.
     */
    @WithDefault("2H")
    Duration slotMaxAge();

    /** Retry-After given when a tenant has too many open jobs (when one finishes is not known). */
    @WithDefault("5s")
    Duration concurrencyRetryAfter();
}
