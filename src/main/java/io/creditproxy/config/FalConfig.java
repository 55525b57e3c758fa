package io.creditproxy.config;

import io.smallrye.config.ConfigMapping;
import java.time.Duration;
import java.util.Optional;

/** Where requests are forwarded: the real fal queue API or the built-in sandbox simulator. */
@ConfigMapping(prefix = "fal")
public interface FalConfig {

    enum Upstream { fal, sandbox }

    Upstream upstream();

    /** The operator's fal key ("key_id:key_secret"). Never logged, never answered. */
    Optional<String> key();

    /** Base URL of fal's queue API; ignored when the sandbox is the upstream. */
    String queueUrl();

    Duration connectTimeout();

    Duration requestTimeout();

    /**
     * The operator's fal user id (FAL_USER_ID). When set, a fal webhook whose X-Fal-Webhook-User-Id differs is
     * refused: fal signs every account's webhooks with the same keys.
     */
    Optional<String> userId();
}
