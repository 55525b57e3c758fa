package io.creditproxy.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "settlement")
public interface SettlementConfig {

    /** How often the reconciler looks for open jobs. */
    @WithDefault("10s")
    Duration reconcileInterval();

    /** A job is first checked by the reconciler this long after fal accepted it (webhooks and polls usually win). */
    @WithDefault("2m")
    Duration firstCheckAfter();

    /** Back-off between two checks of one job grows from this ... */
    @WithDefault("30s")
    Duration checkBackoff();

    /** ... up to this. */
    @WithDefault("30m")
    Duration maxCheckBackoff();

    /** Jobs asked about per reconciler run. */
    @WithDefault("100")
    int batchSize();

    /** A reservation never forwarded (the process died in between) is voided after this long. Must exceed fal.request-timeout. */
    @WithDefault("10m")
    Duration orphanAfter();

    /** fal answering "unknown request" is believed (retention over) only for jobs older than this. */
    @WithDefault("1h")
    Duration unknownAfter();

    /**
     * A job fal reports finished but whose outcome the proxy cannot read (no recognisable output) stays held and is
     * asked about again (with the back-off) until it is this old; then its charge is kept and it is flagged for
     * review. Never refunded by default.
     */
    @WithDefault("24h")
    Duration undecidedAfter();

    /** What to do with a job fal no longer knows: KEEP the charge and flag it for review, or REFUND it. */
    @WithDefault("keep")
    ExpiredPolicy expiredPolicy();

    /** Ed25519 keys fal signs its webhooks with (ignored with the sandbox upstream, which serves its own). */
    @WithDefault("https://rest.alpha.fal.ai/.well-known/jwks.json")
    String falJwksUrl();

    /** How long fetched webhook keys are trusted (fal: at most 24 h). */
    @WithDefault("12h")
    Duration jwksCacheTtl();

    /** Accepted difference between a webhook's timestamp and now. */
    @WithDefault("300s")
    Duration webhookTimestampWindow();

    enum ExpiredPolicy { keep, refund }
}
