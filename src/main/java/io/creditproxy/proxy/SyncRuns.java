package io.creditproxy.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditproxy.billing.OutcomeRules;
import io.creditproxy.common.ApiException;
import io.creditproxy.config.ProxyConfig;
import io.creditproxy.fal.FalProbe;
import io.creditproxy.fal.UpstreamResponse;
import io.creditproxy.proxy.JobOwnership.OwnedJob;
import io.quarkus.runtime.Startup;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Synchronous runs ({@code fal.run}): after the ordinary billed queue submit, the proxy waits for the job and hands
 * back fal's result as {@code https://fal.run/{model}} would. The wait holds no thread: Vert.x timers and the
 * proxy's own clean status requests ({@link FalProbe}) with a growing interval, then one result fetch. It ends with
 * the result (any final answer, a model's error too), or at the deadline with 504 {@code sync_timeout}, or when the
 * tenant goes away. Settling stays with the caller's usual paths (PollSettlement after the result, fal's webhook, the
 * reconciler), so a synchronous job is billed exactly like a queue job.
 */
@ApplicationScoped
@Startup // a limit that is not positive stops the start, not the first run
public class SyncRuns {

    /** First status check after fal accepted the run; then each wait grows by half, up to {@link #MAX_INTERVAL_MS}. */
    static final long FIRST_INTERVAL_MS = 50;
    static final long MAX_INTERVAL_MS = 1_000;
    /** The last status check is made this long before the deadline at the latest. */
    static final long LAST_LOOK_MS = 150;
    /** Result answers that say "not there yet" or "try again" rather than the run's outcome. */
    private static final Set<Integer> TRANSIENT_RESULT = Set.of(404, 429, 502, 503);

    private final Vertx vertx;
    private final FalProbe probe;
    private final ObjectMapper json;
    private final Duration timeout;

    public SyncRuns(Vertx vertx, FalProbe probe, ObjectMapper json, ProxyConfig config) {
        this.vertx = vertx;
        this.probe = probe;
        this.json = json;
        this.timeout = config.syncTimeout();
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalStateException("proxy.sync-timeout (PROXY_SYNC_TIMEOUT) must be positive, e.g. 4m");
        }
    }

    /** The configured limit, measured from the run's arrival. */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Starts waiting for the job. The future completes with fal's final result answer, or fails with {@link TimedOut}
     * at the deadline ({@code startedNanos} + the limit). {@link Waiting#abandon()} stops it at once (the tenant left).
     */
    public Waiting await(OwnedJob job, long startedNanos) {
        Waiting waiting = new Waiting(job, startedNanos + timeout.toNanos());
        waiting.start();
        return waiting;
    }

    /** The limit passed before the run finished; the proxy answers 504 with where to fetch the result later. */
    public static final class TimedOut extends RuntimeException {
        TimedOut() {
            super("synchronous run timed out", null, false, false);
        }
    }

    /** The 504 of a run that outlived the limit: the request id and the proxy's URLs to fetch it later. */
    public ApiException timeoutError(String requestId, String statusUrl, String responseUrl) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("request_id", requestId);
        details.put("status_url", statusUrl);
        details.put("response_url", responseUrl);
        return new ApiException(504, "sync_timeout", "The run did not finish within " + timeout.toSeconds()
                + " s. It is still running and is billed as a queue job: fetch its result from response_url ("
                + responseUrl + ") or its status from status_url.", details);
    }

    /** One wait. Every step runs on a Vert.x context; {@code done} makes the first ending win. */
    public final class Waiting {
        private final OwnedJob job;
        private final long deadlineNanos;
        private final Promise<UpstreamResponse> outcome = Promise.promise();
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile long nextIntervalMs = FIRST_INTERVAL_MS;
        private volatile long deadlineTimer = -1;
        private volatile long stepTimer = -1;

        private Waiting(OwnedJob job, long deadlineNanos) {
            this.job = job;
            this.deadlineNanos = deadlineNanos;
        }

        public Future<UpstreamResponse> future() {
            return outcome.future();
        }

        /** The tenant went away: no more requests to fal for it (its job settles as any other). */
        public void abandon() {
            if (done.compareAndSet(false, true)) {
                cancelTimers();
                outcome.tryFail(new TimedOut());
            }
        }

        private void start() {
            long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
            if (left <= 0) {
                expire();
                return;
            }
            deadlineTimer = vertx.setTimer(left, id -> expire());
            later(this::checkStatus);
        }

        private void expire() {
            if (done.compareAndSet(false, true)) {
                cancelTimers();
                outcome.tryFail(new TimedOut());
            }
        }

        private void finish(UpstreamResponse result) {
            if (done.compareAndSet(false, true)) {
                cancelTimers();
                outcome.tryComplete(result);
            }
        }

        private void cancelTimers() {
            vertx.cancelTimer(deadlineTimer);
            vertx.cancelTimer(stepTimer);
        }

        private void later(Runnable step) {
            if (done.get()) {
                return;
            }
            long wait = nextIntervalMs;
            nextIntervalMs = Math.min(MAX_INTERVAL_MS, wait + wait / 2);
            // a last look shortly before the deadline rather than none: a run ending then is still answered
            long lastLook = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()) - LAST_LOOK_MS;
            if (lastLook >= FIRST_INTERVAL_MS && wait > lastLook) {
                wait = lastLook;
            }
            stepTimer = vertx.setTimer(wait, id -> {
                if (!done.get()) {
                    step.run();
                }
            });
        }

        /** fal's status, from the proxy's own clean request: still queued or running, or done (then the result). */
        private void checkStatus() {
            probe.status(job.upstreamId(), job.statusUrl()).onComplete(asked -> {
                if (done.get()) {
                    return;
                }
                if (asked.succeeded() && finished(asked.result())) {
                    fetchResult();
                } else {
                    // running, or fal could not be asked or answered something else: ask again
                    later(this::checkStatus);
                }
            });
        }

        private void fetchResult() {
            probe.result(job.upstreamId(), job.responseUrl()).onComplete(fetched -> {
                if (done.get()) {
                    return;
                }
                if (fetched.succeeded() && !TRANSIENT_RESULT.contains(fetched.result().status())) {
                    finish(fetched.result());
                } else {
                    later(this::fetchResult);
                }
            });
        }
    }

    /** A readable status answer that is neither IN_QUEUE nor IN_PROGRESS (COMPLETED, with or without an error). */
    private boolean finished(UpstreamResponse status) {
        if (!status.isSuccess()) {
            return false;
        }
        JsonNode body;
        try {
            body = json.readTree(status.bodyText());
        } catch (Exception e) {
            return false;
        }
        return body != null && body.path("status").isTextual() && !OutcomeRules.fromStatus(body).running();
    }
}
