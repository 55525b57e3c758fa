package io.creditproxy.sandbox;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.function.LongFunction;

/**
 * One SSE status stream, as fal's {@code /status/stream}: an event whenever the status body changes, a ping comment
 * now and then, closed after COMPLETED.
 */
final class StatusStream {

    /** A stream re-checks at least this often, so that a queued cancel ends it promptly. */
    private static final long RECHECK_MILLIS = 250;

    private final Vertx vertx;
    private final SimulatedRequest r;
    private final HttpServerResponse resp;
    /** The status body at an instant (epoch millis), as JSON text. */
    private final LongFunction<String> statusAt;
    private final long pingTimer;
    private String lastSent;
    private long checkTimer = -1;
    private boolean closed;

    StatusStream(Vertx vertx, Duration ping, SimulatedRequest r, HttpServerResponse resp, LongFunction<String> statusAt) {
        this.vertx = vertx;
        this.r = r;
        this.resp = resp;
        this.statusAt = statusAt;
        long every = ping.toMillis();
        this.pingTimer = vertx.setPeriodic(every, every, t -> {
            if (!closed) {
                resp.write(": ping\n\n");
            }
        });
        resp.closeHandler(v -> close());
    }

    void next() {
        if (closed) {
            return;
        }
        long now = System.currentTimeMillis();
        String event = statusAt.apply(now);
        if (!event.equals(lastSent)) {
            lastSent = event;
            resp.write("data: " + event + "\n\n");
        }
        SimulatedRequest.Phase phase = r.phase(now);
        if (phase == SimulatedRequest.Phase.COMPLETED) {
            close();
            resp.end();
            return;
        }
        long transition = phase == SimulatedRequest.Phase.IN_QUEUE ? r.startsAt : r.endsAt();
        long wait = Math.max(1, Math.min(RECHECK_MILLIS, transition - now));
        checkTimer = vertx.setTimer(wait, t -> next());
    }

    private void close() {
        closed = true;
        vertx.cancelTimer(pingTimer);
        if (checkTimer >= 0) {
            vertx.cancelTimer(checkTimer);
        }
    }
}
