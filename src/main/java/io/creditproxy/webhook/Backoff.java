package io.creditproxy.webhook;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with a cap and a little random extra, in whole milliseconds. */
final class Backoff {

    private final long initialMs;
    private final long maxMs;
    private final int jitterPercent;

    Backoff(Duration initial, Duration max, int jitterPercent) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0 || jitterPercent < 0) {
            throw new IllegalArgumentException("webhooks backoff: need 0 < initial-backoff <= max-backoff and jitter-percent >= 0");
        }
        this.initialMs = initial.toMillis();
        this.maxMs = max.toMillis();
        this.jitterPercent = jitterPercent;
    }

    /** The wait before the next attempt, after {@code failedAttempts} (>= 1) attempts have failed, without jitter. */
    long baseDelayMs(int failedAttempts) {
        long delay = initialMs;
        for (int i = 1; i < failedAttempts && delay < maxMs; i++) {
            delay *= 2; // cannot overflow: it stops at the first value >= maxMs, which is at most 2 * maxMs
        }
        return Math.min(delay, maxMs);
    }

    /** {@link #baseDelayMs} plus up to {@code jitterPercent} of it, at random. */
    long delayMs(int failedAttempts) {
        long base = baseDelayMs(failedAttempts);
        long jitterBound = base * jitterPercent / 100;
        return base + (jitterBound > 0 ? ThreadLocalRandom.current().nextLong(jitterBound + 1) : 0);
    }
}
