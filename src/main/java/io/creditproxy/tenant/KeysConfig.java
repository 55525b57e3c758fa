package io.creditproxy.tenant;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Key rotation. */
@ConfigMapping(prefix = "keys")
public interface KeysConfig {

    /** How long the old key keeps working after a rotation when the admin names no grace period. */
    @WithDefault("24H")
    Duration defaultRotationGrace();

    /** The longest grace period an admin may give. */
    @WithDefault("30D")
    Duration maxRotationGrace();

    /** How often old keys whose grace period is over are revoked (they are refused from expiry on anyway). */
    @WithDefault("5s")
    Duration rotationSweep();
}
