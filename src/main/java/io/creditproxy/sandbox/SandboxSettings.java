package io.creditproxy.sandbox;

import io.creditproxy.config.SandboxConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The simulator's settings, independent of Quarkus so that {@link SandboxMain} can run it alone. Delays and the
 * webhook retry policy can be changed while it runs (tests, benchmarks); a request keeps the delays it was
 * submitted with.
 */
public final class SandboxSettings {

    private String host = "127.0.0.1";
    private int port = 8089;
    private int instances = 0;
    private int maxRequests = 100_000;
    private volatile Duration queueDelay = Duration.ofMillis(200);
    private volatile Duration runDelay = Duration.ofMillis(300);
    private volatile Duration slowDelay = Duration.ofSeconds(5);
    private volatile Duration submitLateDelay = Duration.ofSeconds(65);
    private volatile Duration ssePingInterval = Duration.ofSeconds(15);
    private volatile int webhookRetries = 3;
    private volatile Duration webhookRetryBackoff = Duration.ofMillis(200);
    private volatile Duration webhookTimeout = Duration.ofSeconds(5);
    private volatile String webhookUserId = "sandbox-user";
    private volatile Optional<String> requiredKey = Optional.empty();
    private volatile Duration resultRetention = Duration.ofHours(1);
    private volatile Duration largeResultRetention = Duration.ofMinutes(6);
    private volatile int largeResultBytes = 10 * 1024;

    public static SandboxSettings from(SandboxConfig config) {
        return new SandboxSettings()
                .host(config.host())
                .port(config.port())
                .instances(config.instances())
                .maxRequests(config.maxRequests())
                .queueDelay(config.queueDelay())
                .runDelay(config.runDelay())
                .slowDelay(config.slowDelay())
                .submitLateDelay(config.submitLateDelay())
                .ssePingInterval(config.ssePingInterval())
                .webhookRetries(config.webhookRetries())
                .webhookRetryBackoff(config.webhookRetryBackoff())
                .webhookTimeout(config.webhookTimeout())
                .webhookUserId(config.webhookUserId())
                .requiredKey(config.requiredKey())
                .resultRetention(config.resultRetention())
                .largeResultRetention(config.largeResultRetention())
                .largeResultBytes(config.largeResultBytes());
    }

    public String host() { return host; }
    public int port() { return port; }
    /** Number of HTTP server instances; 0 resolves to the processor count. */
    public int instances() { return instances > 0 ? instances : Runtime.getRuntime().availableProcessors(); }
    public int maxRequests() { return maxRequests; }
    public Duration queueDelay() { return queueDelay; }
    public Duration runDelay() { return runDelay; }
    public Duration slowDelay() { return slowDelay; }
    public Duration submitLateDelay() { return submitLateDelay; }
    public Duration ssePingInterval() { return ssePingInterval; }
    public int webhookRetries() { return webhookRetries; }
    public Duration webhookRetryBackoff() { return webhookRetryBackoff; }
    public Duration webhookTimeout() { return webhookTimeout; }
    public String webhookUserId() { return webhookUserId; }
    public Optional<String> requiredKey() { return requiredKey; }
    /** How long a finished request stays known (status, result), like fal's retention of results. */
    public Duration resultRetention() { return resultRetention; }
    /** The same for a result of {@link #largeResultBytes()} or more. */
    public Duration largeResultRetention() { return largeResultRetention; }
    public int largeResultBytes() { return largeResultBytes; }

    public SandboxSettings host(String value) { host = Objects.requireNonNull(value); return this; }
    public SandboxSettings port(int value) { port = value; return this; }
    public SandboxSettings instances(int value) { instances = value; return this; }
    public SandboxSettings maxRequests(int value) { maxRequests = Math.max(1, value); return this; }
    public SandboxSettings queueDelay(Duration value) { queueDelay = nonNegative(value); return this; }
    public SandboxSettings runDelay(Duration value) { runDelay = nonNegative(value); return this; }
    public SandboxSettings slowDelay(Duration value) { slowDelay = nonNegative(value); return this; }
    public SandboxSettings submitLateDelay(Duration value) { submitLateDelay = nonNegative(value); return this; }
    public SandboxSettings ssePingInterval(Duration value) { ssePingInterval = positive(value); return this; }
    public SandboxSettings webhookRetries(int value) { webhookRetries = Math.max(0, value); return this; }
    public SandboxSettings webhookRetryBackoff(Duration value) { webhookRetryBackoff = positive(value); return this; }
    public SandboxSettings webhookTimeout(Duration value) { webhookTimeout = positive(value); return this; }
    public SandboxSettings webhookUserId(String value) { webhookUserId = Objects.requireNonNull(value); return this; }
    public SandboxSettings resultRetention(Duration value) { resultRetention = positive(value); return this; }
    public SandboxSettings largeResultRetention(Duration value) { largeResultRetention = positive(value); return this; }
    public SandboxSettings largeResultBytes(int value) { largeResultBytes = Math.max(0, value); return this; }
    public SandboxSettings requiredKey(Optional<String> value) {
        requiredKey = value.filter(k -> !k.isBlank());
        return this;
    }

    /** A copy, so that a test can save the settings it changes and put them back. */
    public SandboxSettings copy() {
        return new SandboxSettings().host(host).port(port).instances(instances).maxRequests(maxRequests)
                .queueDelay(queueDelay).runDelay(runDelay).slowDelay(slowDelay).submitLateDelay(submitLateDelay)
                .ssePingInterval(ssePingInterval)
                .webhookRetries(webhookRetries).webhookRetryBackoff(webhookRetryBackoff)
                .webhookTimeout(webhookTimeout).webhookUserId(webhookUserId).requiredKey(requiredKey)
                .resultRetention(resultRetention).largeResultRetention(largeResultRetention)
                .largeResultBytes(largeResultBytes);
    }

    /** Takes over the runtime-changeable values of {@code other} (not host, port, instances, capacity). */
    public void applyRuntime(SandboxSettings other) {
        queueDelay(other.queueDelay).runDelay(other.runDelay).slowDelay(other.slowDelay).submitLateDelay(other.submitLateDelay)
                .ssePingInterval(other.ssePingInterval).webhookRetries(other.webhookRetries)
                .webhookRetryBackoff(other.webhookRetryBackoff).webhookTimeout(other.webhookTimeout)
                .webhookUserId(other.webhookUserId).requiredKey(other.requiredKey)
                .resultRetention(other.resultRetention).largeResultRetention(other.largeResultRetention)
                .largeResultBytes(other.largeResultBytes);
    }

    private static Duration nonNegative(Duration value) {
        if (value.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + value);
        }
        return value;
    }

    private static Duration positive(Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("interval must be positive: " + value);
        }
        return value;
    }
}
