package io.creditproxy.sandbox;

import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One queued request. Its state is a function of the clock (submitted, starts, completes), so a status poll needs
 * no timer; a queued cancel moves the end forward. Timers are used only for counters and webhooks.
 */
final class SimulatedRequest {

    enum Phase { IN_QUEUE, IN_PROGRESS, COMPLETED }

    final String id;
    final String modelId;
    final JsonObject input;
    final Set<SandboxMarkers> markers;
    final long submittedAt;
    final long startsAt;
    final long completesAt;
    /** Where the webhook goes, or null. */
    final String webhookUrl;
    final ReceivedSubmit received;
    final AppQueue queue;
    final long positionAtSubmit;
    final long dequeuedAtSubmit;
    /** What the run produces if it is not cancelled while queued. */
    final ModelOutputs.Outcome outcome;
    /** The key that submitted it: fal knows a request only under the account that created it. */
    final String ownerKey;

    /** When it was cancelled while still queued (then it ends at that instant), or -1. */
    private final AtomicLong cancelledAt = new AtomicLong(-1);
    private volatile boolean cancelRequested;
    /** Flipped once when it leaves the queue (started or cancelled), for the queue counters. */
    final AtomicBoolean leftQueue = new AtomicBoolean();
    /** Flipped once when the end is announced (webhook sent or skipped). */
    final AtomicBoolean finished = new AtomicBoolean();

    SimulatedRequest(String id, String modelId, JsonObject input, Set<SandboxMarkers> markers,
                     long submittedAt, long queueMillis, long runMillis, String webhookUrl, ReceivedSubmit received,
                     AppQueue queue, long positionAtSubmit, long dequeuedAtSubmit, ModelOutputs.Outcome outcome,
                     String ownerKey) {
        this.ownerKey = ownerKey;
        this.id = id;
        this.modelId = modelId;
        this.input = input;
        this.markers = markers;
        this.submittedAt = submittedAt;
        this.startsAt = submittedAt + queueMillis;
        this.completesAt = startsAt + runMillis;
        this.webhookUrl = webhookUrl;
        this.received = received;
        this.queue = queue;
        this.positionAtSubmit = positionAtSubmit;
        this.dequeuedAtSubmit = dequeuedAtSubmit;
        this.outcome = outcome;
    }

    Phase phase(long now) {
        long cancelled = cancelledAt.get();
        if (cancelled >= 0 || now >= completesAt) {
            return Phase.COMPLETED;
        }
        return now < startsAt ? Phase.IN_QUEUE : Phase.IN_PROGRESS;
    }

    /** True when the request was removed from the queue by a cancel and so never ran. */
    boolean cancelledInQueue() {
        return cancelledAt.get() >= 0;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    /** The instant it ended (or will end). */
    long endsAt() {
        long cancelled = cancelledAt.get();
        return cancelled >= 0 ? cancelled : completesAt;
    }

    enum CancelResult { REMOVED_FROM_QUEUE, REQUESTED_WHILE_RUNNING, ALREADY_COMPLETED }

    /** fal removes a queued request; a running one only gets a signal and (here) completes normally. */
    CancelResult cancel(long now) {
        if (now < startsAt && cancelledAt.compareAndSet(-1, now)) {
            cancelRequested = true;
            return CancelResult.REMOVED_FROM_QUEUE;
        }
        if (phase(now) == Phase.IN_PROGRESS) {
            cancelRequested = true;
            return CancelResult.REQUESTED_WHILE_RUNNING;
        }
        return CancelResult.ALREADY_COMPLETED;
    }

    /** The result that applies now that it has ended. */
    ModelOutputs.Outcome finalOutcome() {
        return cancelledInQueue() ? ModelOutputs.cancelled() : outcome;
    }

    /** Per-app queue counters: how many wait, and how many have left the queue so far (for queue_position). */
    static final class AppQueue {
        final AtomicLong queued = new AtomicLong();
        final AtomicLong dequeued = new AtomicLong();
    }
}
