package io.creditproxy.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The fal simulator. It runs on its own port so that its paths are exactly fal's. */
@ConfigMapping(prefix = "sandbox")
public interface SandboxConfig {

    /** 0 picks a free port (tests). */
    int port();

    String host();

    /** Time a request spends IN_QUEUE before it starts. */
    @WithDefault("200ms")
    Duration queueDelay();

    /** Time a request spends IN_PROGRESS before it completes. */
    @WithDefault("300ms")
    Duration runDelay();
}
