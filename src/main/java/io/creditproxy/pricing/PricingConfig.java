package io.creditproxy.pricing;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "pricing")
public interface PricingConfig {

    /**
     * How long a process keeps the price table and settings before reading them again. Bounds how long another
     * instance may go on charging an old price after an admin's change.
     */
    @WithDefault("2s")
    Duration cacheTtl();

    /** Classpath resource of the price list loaded at start (models missing from the database are added). */
    @WithDefault("pricing/models.csv")
    String priceList();
}
