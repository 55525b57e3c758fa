package io.creditproxy.observability;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Metrics and health checks. */
@ConfigMapping(prefix = "observability")
public interface ObservabilityConfig {

    /** How often the open-jobs gauge is recounted from PostgreSQL (a partial index makes it cheap). */
    @WithDefault("15s")
    Duration openJobsRefresh();

    /** Distinct model labels kept on request metrics; further ones are counted as "other" (bounds cardinality). */
    @WithDefault("200")
    int maxModelLabels();

    UpstreamCheck upstreamCheck();

    interface UpstreamCheck {
        /** Readiness includes "the upstream answers HTTP" (any status: reachability, not authorisation). */
        @WithDefault("true")
        boolean enabled();

        /** A result is reused this long, so probes never hammer fal. */
        @WithDefault("30s")
        Duration cacheFor();

        @WithDefault("3s")
        Duration timeout();
    }
}
