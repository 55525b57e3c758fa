package io.creditproxy.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

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

    /** Queue and/or run time of a request marked [sandbox:slow], [sandbox:slow-queue] or [sandbox:slow-run]. */
    @WithDefault("5s")
    Duration slowDelay();

    /**
     * How late the answer to a submit marked [sandbox:submit-late] comes (the request is queued at once): longer than
     * the proxy's fal.request-timeout, so that the proxy gives up and refunds a job the simulator then runs.
     */
    @WithDefault("65s")
    Duration submitLateDelay();

    /** When set, the simulator accepts only {@code Authorization: Key <this>}; otherwise any key. */
    Optional<String> requiredKey();

    /** Webhook deliveries retried after a non-2xx answer or a connection error (fal: 10 over about 2 h). */
    @WithDefault("3")
    int webhookRetries();

    /** Wait before the first webhook retry; doubled before each further one. */
    @WithDefault("200ms")
    Duration webhookRetryBackoff();

    /** Time allowed for one webhook delivery. */
    @WithDefault("5s")
    Duration webhookTimeout();

    /** Sent as X-Fal-Webhook-User-Id. */
    @WithDefault("sandbox-user")
    String webhookUserId();

    /** Interval of the ": ping" comment on status streams (fal: 15 s). */
    @WithDefault("15s")
    Duration ssePingInterval();

    /** Requests kept for status/result; the oldest are forgotten beyond this (bounds memory in benchmarks). */
    @WithDefault("100000")
    int maxRequests();

    /**
     * How long a finished request stays known, like fal's retention of results (fal: 1 hour); afterwards status,
     * result, stream and cancel answer 404 as for an unknown request.
     */
    @WithDefault("1h")
    Duration resultRetention();

    /** The same for a result of {@link #largeResultBytes()} or more (fal: 6 minutes from 10 KB). */
    @WithDefault("6m")
    Duration largeResultRetention();

    @WithDefault("10240")
    int largeResultBytes();

    /** HTTP server instances (event loops) serving the simulator; 0 = one per available processor. */
    @WithDefault("0")
    int instances();
}
