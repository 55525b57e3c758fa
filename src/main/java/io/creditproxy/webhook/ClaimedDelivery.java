package io.creditproxy.webhook;

import java.util.UUID;

/**
 * A delivery a worker has claimed. {@code leaseToken} (the claim's {@code locked_until}, in epoch microseconds)
 * fences the outcome: a worker whose lease ran out and whose row another worker claimed again records nothing.
 */
record ClaimedDelivery(long id, UUID jobId, long tenantId, String url, String payload, int attempts, long leaseToken) {

    /** The number of the attempt being made now (1 for the first). */
    int attemptNumber() {
        return attempts + 1;
    }
}
