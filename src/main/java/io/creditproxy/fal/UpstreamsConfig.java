package io.creditproxy.fal;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.math.BigDecimal;
import java.time.Duration;

/** The upstream pool: several fal accounts ({@link UpstreamAccounts}, {@link UpstreamPool}, {@link UpstreamRecovery}). */
@ConfigMapping(prefix = "upstreams")
public interface UpstreamsConfig {

    /**
     * How often each instance re-reads the accounts from PostgreSQL (UPSTREAMS_REFRESH_INTERVAL): how long a change
     * made by another instance (an account disabled, added, re-enabled) takes to be seen here.
     */
    @WithDefault("5s")
    Duration refreshInterval();

    /** How long an account that fal rate limited (429) is left out of the choice (UPSTREAMS_COOLDOWN). */
    @WithDefault("60s")
    Duration cooldown();

    /**
     * How often every account's fal balance is read and the accounts the proxy disabled are re-checked and re-enabled
     * when healthy (UPSTREAMS_RECHECK_INTERVAL); "off" disables.
     */
    @WithDefault("5m")
    String recheckInterval();

    /** A disabled account is re-enabled only when its fal balance is above this (USD; UPSTREAMS_MIN_BALANCE_USD). */
    @WithDefault("0")
    BigDecimal minBalanceUsd();
}
