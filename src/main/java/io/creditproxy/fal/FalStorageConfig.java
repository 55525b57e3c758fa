package io.creditproxy.fal;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * fal's storage REST API (the host {@code @fal-ai/client} sends upload initiations to). With {@code fal.upstream=sandbox}
 * the simulator's own storage is used instead of {@link #url()}.
 */
@ConfigMapping(prefix = "fal-storage")
public interface FalStorageConfig {

    /** Base URL of fal's REST API (FAL_REST_URL); {@code @fal-ai/client} 1.10.1 uses https://rest.fal.ai. */
    @WithDefault("https://rest.fal.ai")
    String url();

    /** Time allowed for an upload initiation. */
    @WithDefault("30s")
    Duration requestTimeout();

    /** Time without a byte moving after which a relayed upload or file download is given up. */
    @WithDefault("60s")
    Duration idleTimeout();
}
