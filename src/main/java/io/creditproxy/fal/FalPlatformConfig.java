package io.creditproxy.fal;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;

/**
 * fal's Platform API ({@code https://api.fal.ai/v1}): prices, billing events, the account's credit balance. With
 * {@code fal.upstream=sandbox} the simulator's own Platform API is used instead of {@link #url()}.
 */
@ConfigMapping(prefix = "fal-platform")
public interface FalPlatformConfig {

    /** Base URL of the Platform API (FAL_PLATFORM_URL). */
    @WithDefault("https://api.fal.ai/v1")
    String url();

    /**
     * The key sent as {@code Authorization: Key ...} (FAL_ADMIN_KEY): billing events and the balance need an admin key
     * with billing read access. Unset: the operator's FAL_KEY. Never logged.
     */
    Optional<String> key();

    @WithDefault("15s")
    Duration timeout();

    /** Billing events asked per page (fal caps it). */
    @WithDefault("1000")
    int pageSize();

    /** How often fal's billing events are pulled and matched to jobs (FAL_RECONCILE_INTERVAL); "off" disables. */
    @WithDefault("15m")
    String reconcileInterval();

    /** The first pull (no earlier one recorded) reads events from this long ago (fal keeps at most 90 days per call). */
    @WithDefault("P7D")
    Duration reconcileLookback();

    /** Each pull reads again from this long before where the last one stopped: fal's events may arrive late. */
    @WithDefault("1h")
    Duration reconcileOverlap();

    /** How often the operator's fal credit balance is read (FAL_BALANCE_INTERVAL); "off" disables. */
    @WithDefault("5m")
    String balanceInterval();

    /** Below this balance (USD; FAL_LOW_BALANCE_USD) a warning is logged and the console shows a banner. */
    Optional<BigDecimal> lowBalanceUsd();

    /** The low-balance warning is logged at most once per this period while the balance stays low. */
    @WithDefault("1h")
    Duration lowBalanceWarnEvery();
}
