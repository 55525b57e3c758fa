package io.creditproxy.webhook;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Delivery of tenants' webhooks from the outbox table {@code webhook_deliveries}. */
@ConfigMapping(prefix = "webhooks")
public interface WebhookConfig {

    /** How often the worker looks for due deliveries (Quarkus' simple scheduler checks at most once a second). */
    @WithDefault("1s")
    String pollInterval();

    /** Most deliveries one worker run claims and sends at once. */
    @WithDefault("20")
    int batchSize();

    /**
     * How long a claimed delivery stays invisible to other workers. A worker that dies mid-delivery blocks its rows
     * for this long, after which any instance picks them up again; it must exceed connect + request timeout.
     */
    @WithDefault("60s")
    Duration lease();

    @WithDefault("5s")
    Duration connectTimeout();

    /** The whole attempt, from connect to the receiver's status line. */
    @WithDefault("10s")
    Duration requestTimeout();

    /** Attempts before a delivery is given up as {@code failed}. */
    @WithDefault("10")
    int maxAttempts();

    /** Wait after the first failed attempt; doubled after each further failure up to {@link #maxBackoff()}. */
    @WithDefault("10s")
    Duration initialBackoff();

    @WithDefault("1h")
    Duration maxBackoff();

    /** Random extra wait, as a percentage of the backoff, so that failed deliveries do not retry in lockstep. */
    @WithDefault("10")
    int jitterPercent();

    /**
     * True lets webhooks target loopback, private, link-local and similar addresses. Only for dev and tests:
     * in production it would let a tenant make the proxy call into the operator's own network (SSRF).
     */
    @WithDefault("false")
    boolean allowPrivateTargets();
}
