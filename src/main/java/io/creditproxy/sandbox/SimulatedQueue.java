package io.creditproxy.sandbox;

import static io.creditproxy.sandbox.SimulatorHttp.detail;
import static io.creditproxy.sandbox.SimulatorHttp.json;

import io.creditproxy.fal.FalPaths;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * fal's queue as the simulator serves it: submit, status, status stream, result and cancel of requests held in
 * memory, whose state follows the clock (IN_QUEUE for the queue delay, IN_PROGRESS for the run delay, then
 * COMPLETED); handlers never block. Submit faults come from {@link SandboxMarkers}; what a run produces from
 * {@link ModelOutputs}; the webhook at its end from {@link SimulatedWebhooks}.
 */
final class SimulatedQueue {

    private static final int RECENT_SUBMITS_KEPT = 1000;
    /** A hung submit is closed after this long so that forgotten connections do not pile up. */
    private static final long HANG_CLOSE_MILLIS = 10 * 60 * 1000;

    private final Vertx vertx;
    private final SandboxSettings settings;
    private final SimulatedWebhooks webhooks;
    private final Supplier<String> baseUrl;
    private final SimulatedAccounts accounts;

    private final ConcurrentHashMap<String, SimulatedRequest> requests = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> requestOrder = new ConcurrentLinkedQueue<>();
    private final AtomicInteger requestCount = new AtomicInteger();
    private final ConcurrentHashMap<String, SimulatedRequest.AppQueue> queues = new ConcurrentHashMap<>();
    private final ConcurrentLinkedDeque<ReceivedSubmit> recentSubmits = new ConcurrentLinkedDeque<>();
    private final AtomicInteger recentCount = new AtomicInteger();

    final LongAdder submits = new LongAdder();
    final LongAdder accepted = new LongAdder();
    final LongAdder statusPolls = new LongAdder();
    final LongAdder streams = new LongAdder();
    final LongAdder results = new LongAdder();
    final LongAdder cancels = new LongAdder();

    SimulatedQueue(Vertx vertx, SandboxSettings settings, SimulatedWebhooks webhooks, Supplier<String> baseUrl,
                   SimulatedAccounts accounts) {
        this.accounts = accounts;
        this.vertx = vertx;
        this.settings = settings;
        this.webhooks = webhooks;
        this.baseUrl = baseUrl;
    }

    Optional<ReceivedSubmit> receivedSubmit(String requestId) {
        SimulatedRequest r = requests.get(requestId);
        return r == null ? Optional.empty() : Optional.of(r.received);
    }

    List<ReceivedSubmit> lastSubmits(int n) {
        List<ReceivedSubmit> out = new ArrayList<>(Math.max(0, Math.min(n, RECENT_SUBMITS_KEPT)));
        Iterator<ReceivedSubmit> it = recentSubmits.descendingIterator();
        while (it.hasNext() && out.size() < n) {
            out.add(it.next());
        }
        return out;
    }

    /** The requests it still remembers (see {@code sandbox.max-requests}). */
    Iterable<SimulatedRequest> requests() {
        return requests.values();
    }

    boolean cancelRequested(String requestId) {
        SimulatedRequest r = requests.get(requestId);
        return r != null && r.cancelRequested();
    }

    /** Forgets every request and recorded submit and zeroes the counters. */
    void reset() {
        requests.clear();
        requestOrder.clear();
        requestCount.set(0);
        queues.clear();
        recentSubmits.clear();
        recentCount.set(0);
        for (LongAdder counter : List.of(submits, accepted, statusPolls, streams, results, cancels)) {
            counter.reset();
        }
    }

    void submit(HttpServerRequest req, String modelId, Buffer raw) {
        submits.increment();
        long now = System.currentTimeMillis();
        HttpServerResponse resp = req.response();
        String key = SimulatorHttp.keyOf(req);
        if (!accounts.unlocked(key)) {
            // fal checks the account before the input: a locked account's submit is refused whatever it asks
            record(req, raw, null, 403, now);
            detail(resp, 403, SimulatedAccounts.EXHAUSTED);
            return;
        }

        JsonObject invalid = null;
        Object parsed = null;
        if (raw.length() == 0) {
            invalid = ModelOutputs.detail("body", null, "Field required", "missing", null);
        } else {
            try {
                parsed = Json.decodeValue(raw);
            } catch (DecodeException e) {
                invalid = ModelOutputs.detail("body", null, "JSON decode error", "json_invalid", null);
            }
            if (invalid == null && !(parsed instanceof JsonObject)) {
                invalid = ModelOutputs.detail("body", null, "Input should be a valid dictionary", "dict_type", null);
            }
        }
        if (invalid != null) {
            record(req, raw, null, 422, now);
            json(resp, 422, new JsonObject().put("detail", new JsonArray().add(invalid)).encode());
            return;
        }
        JsonObject input = (JsonObject) parsed;
        Set<SandboxMarkers> markers = SandboxMarkers.parse(input.getValue("prompt") instanceof String p ? p : null);
        if (refusedByMarker(req, raw, input, markers, now)) {
            return;
        }

        String app = FalPaths.appOf(modelId);
        SimulatedRequest.AppQueue queue = queues.computeIfAbsent(app, k -> new SimulatedRequest.AppQueue());
        String maxQueue = req.getParam("fal_max_queue_length");
        if (maxQueue != null) {
            try {
                if (queue.queued.get() >= Long.parseLong(maxQueue.trim())) {
                    record(req, raw, null, 429, now);
                    detail(resp, 429, "Maximum queue length reached");
                    return;
                }
            } catch (NumberFormatException e) {
                record(req, raw, null, 422, now);
                json(resp, 422, new JsonObject().put("detail", new JsonArray().add(ModelOutputs.detail("query",
                        "fal_max_queue_length", "Input should be a valid integer", "int_parsing", maxQueue))).encode());
                return;
            }
        }

        boolean slow = markers.contains(SandboxMarkers.SLOW);
        long slowMillis = settings.slowDelay().toMillis();
        long queueMillis = slow || markers.contains(SandboxMarkers.SLOW_QUEUE) ? slowMillis : settings.queueDelay().toMillis();
        // a late answer: queued now, answered (and started) only after the caller has given up
        long lateMillis = markers.contains(SandboxMarkers.SUBMIT_LATE) ? settings.submitLateDelay().toMillis() : 0;
        queueMillis += lateMillis;
        long runMillis = slow || markers.contains(SandboxMarkers.SLOW_RUN) ? slowMillis : settings.runDelay().toMillis();
        String id = UUID.randomUUID().toString();
        long position = queue.queued.getAndIncrement();
        long dequeuedBefore = queue.dequeued.get();
        ReceivedSubmit received = record(req, raw, id, 200, now);
        SimulatedRequest r = new SimulatedRequest(id, modelId, input, markers, now, queueMillis, runMillis,
                req.getParam("fal_webhook"), received, queue, position, dequeuedBefore,
                ModelOutputs.outcomeOf(id, modelId, input, markers, runMillis), key);
        remember(r);
        accepted.increment();
        if (accounts.registered(key)) {
            accounts.consume(key, priceOf(modelId, raw));
        }

        // one timer when it leaves the queue; a second, at its end, only if someone waits for a webhook
        if (queueMillis <= 0) {
            started(r);
        } else {
            vertx.setTimer(queueMillis, t -> started(r));
        }

        String base = requestUrl(r);
        JsonObject body = new JsonObject()
                .put("status", "IN_QUEUE")
                .put("request_id", id)
                .put("response_url", base)
                .put("status_url", base + "/status")
                .put("cancel_url", base + "/cancel")
                .put("logs", null)
                .put("metrics", new JsonObject())
                .put("queue_position", position);
        resp.putHeader("x-fal-request-id", id);
        if (lateMillis > 0) {
            vertx.setTimer(lateMillis, t -> {
                if (!resp.closed()) {
                    json(resp, 200, body.encode());
                }
            });
            return;
        }
        json(resp, 200, body.encode());
    }

    /** A submit fault marker: the connection dropped or left hanging, or fal's 500 or 422. True when it answered. */
    private boolean refusedByMarker(HttpServerRequest req, Buffer raw, JsonObject input, Set<SandboxMarkers> markers,
                                    long now) {
        HttpServerResponse resp = req.response();
        if (markers.contains(SandboxMarkers.SUBMIT_RESET)) {
            record(req, raw, null, 0, now);
            req.connection().close(); // dropped without an answer, as when fal's side goes away mid-submit
            return true;
        }
        if (markers.contains(SandboxMarkers.SUBMIT_HANG)) {
            record(req, raw, null, 0, now);
            HttpConnection connection = req.connection();
            vertx.setTimer(HANG_CLOSE_MILLIS, t -> connection.close());
            return true;
        }
        if (markers.contains(SandboxMarkers.SUBMIT_500)) {
            record(req, raw, null, 500, now);
            detail(resp, 500, "Internal Server Error");
            return true;
        }
        if (markers.contains(SandboxMarkers.SUBMIT_422)) {
            record(req, raw, null, 422, now);
            JsonObject entry = ModelOutputs.detail("body", "prompt", "Input is invalid (sandbox:submit-422)",
                    "value_error", input.getValue("prompt"));
            resp.putHeader("X-Fal-Retryable", "false");
            json(resp, 422, new JsonObject().put("detail", new JsonArray().add(entry)).encode());
            return true;
        }
        return false;
    }

    private void started(SimulatedRequest r) {
        leaveQueue(r);
        if (r.cancelledInQueue() || r.webhookUrl == null) {
            return;
        }
        long wait = r.completesAt - System.currentTimeMillis();
        if (wait <= 0) {
            finish(r);
        } else {
            vertx.setTimer(wait, t -> finish(r));
        }
    }

    private void leaveQueue(SimulatedRequest r) {
        if (r.leftQueue.compareAndSet(false, true)) {
            r.queue.queued.decrementAndGet();
            r.queue.dequeued.incrementAndGet();
        }
    }

    /** The request has ended: announce it once. */
    private void finish(SimulatedRequest r) {
        if (!r.finished.compareAndSet(false, true)) {
            return;
        }
        if (r.webhookUrl != null && !r.markers.contains(SandboxMarkers.NO_WEBHOOK)) {
            webhooks.send(r);
        }
    }

    /**
     * The request, or null when unknown or forgotten: like fal, the simulator keeps a finished request for
     * {@code sandbox.result-retention} (1 h), {@code sandbox.large-result-retention} (6 min) when its result is
     * {@code sandbox.large-result-bytes} (10 KB) or more, counted from its end.
     */
    private SimulatedRequest retained(String id) {
        SimulatedRequest r = requests.get(id);
        if (r == null) {
            return null;
        }
        long now = System.currentTimeMillis();
        if (r.phase(now) != SimulatedRequest.Phase.COMPLETED) {
            return r;
        }
        long ended = now - r.endsAt();
        long shorter = Math.min(settings.resultRetention().toMillis(), settings.largeResultRetention().toMillis());
        if (ended <= shorter) {
            return r;
        }
        boolean large = r.finalOutcome().body().toBuffer().length() >= settings.largeResultBytes();
        long retention = (large ? settings.largeResultRetention() : settings.resultRetention()).toMillis();
        // forgotten, not removed: sandbox.max-requests bounds the memory, in submit order
        return ended > retention ? null : r;
    }

    private void remember(SimulatedRequest r) {
        requests.put(r.id, r);
        requestOrder.add(r.id);
        if (requestCount.incrementAndGet() > settings.maxRequests()) {
            String oldest = requestOrder.poll();
            if (oldest != null) {
                requests.remove(oldest);
                requestCount.decrementAndGet();
            }
        }
    }

    private ReceivedSubmit record(HttpServerRequest req, Buffer raw, String requestId, int status, long now) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        MultiMap all = req.headers();
        for (Map.Entry<String, String> h : all) {
            headers.computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>(1)).add(h.getValue());
        }
        headers.replaceAll((k, v) -> Collections.unmodifiableList(v));
        ReceivedSubmit received = new ReceivedSubmit(requestId, req.method().name(), req.path(), req.query(),
                Collections.unmodifiableMap(headers), raw.toString(StandardCharsets.UTF_8), status,
                Instant.ofEpochMilli(now));
        recentSubmits.addLast(received);
        if (recentCount.incrementAndGet() > RECENT_SUBMITS_KEPT && recentSubmits.pollFirst() != null) {
            recentCount.decrementAndGet();
        }
        return received;
    }

    void status(HttpServerRequest req, String id) {
        statusPolls.increment();
        SimulatedRequest r = find(req, id);
        if (r == null) {
            detail(req.response(), 404, "Request not found");
            return;
        }
        long now = System.currentTimeMillis();
        JsonObject body = statusBody(r, now, SimulatorHttp.wantsLogs(req));
        req.response().putHeader("x-fal-request-id", r.id);
        json(req.response(), r.phase(now) == SimulatedRequest.Phase.COMPLETED ? 200 : 202, body.encode());
    }

    JsonObject statusBody(SimulatedRequest r, long now, boolean logs) {
        SimulatedRequest.Phase phase = r.phase(now);
        String base = requestUrl(r);
        JsonObject body = new JsonObject()
                .put("status", phase.name())
                .put("request_id", r.id)
                .put("response_url", base)
                .put("status_url", base + "/status")
                .put("cancel_url", base + "/cancel");
        switch (phase) {
            case IN_QUEUE -> body
                    .put("queue_position", Math.max(0, r.positionAtSubmit - (r.queue.dequeued.get() - r.dequeuedAtSubmit)))
                    .put("logs", null)
                    .put("metrics", new JsonObject());
            case IN_PROGRESS -> body
                    .put("logs", logs ? logsOf(r, now) : null)
                    .put("metrics", new JsonObject());
            case COMPLETED -> {
                body.put("logs", logs ? logsOf(r, now) : null);
                if (r.cancelledInQueue()) {
                    body.put("metrics", new JsonObject());
                } else {
                    body.put("metrics", new JsonObject()
                            .put("inference_time", ModelOutputs.seconds(r.completesAt - r.startsAt)));
                }
                ModelOutputs.Outcome outcome = r.finalOutcome();
                if (!outcome.ok()) {
                    body.put("error", outcome.error()).put("error_type", outcome.errorType());
                }
            }
        }
        return body;
    }

    private static JsonArray logsOf(SimulatedRequest r, long now) {
        JsonArray logs = new JsonArray();
        if (r.cancelledInQueue() || now < r.startsAt) {
            return logs;
        }
        logs.add(logLine("Starting inference for " + r.modelId, r.startsAt));
        if (now >= r.completesAt) {
            logs.add(logLine(r.outcome.ok() ? "Inference finished" : "Inference failed: " + r.outcome.error(), r.completesAt));
        }
        return logs;
    }

    private static JsonObject logLine(String message, long at) {
        return new JsonObject().put("message", message).put("level", "INFO").put("source", "USER")
                .put("timestamp", Instant.ofEpochMilli(at).toString());
    }

    void stream(HttpServerRequest req, String id) {
        streams.increment();
        SimulatedRequest r = find(req, id);
        if (r == null) {
            detail(req.response(), 404, "Request not found");
            return;
        }
        boolean logs = SimulatorHttp.wantsLogs(req);
        HttpServerResponse resp = req.response();
        resp.setStatusCode(200)
                .setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .putHeader("x-fal-request-id", r.id);
        new StatusStream(vertx, settings.ssePingInterval(), r, resp, now -> statusBody(r, now, logs).encode()).next();
    }

    void result(HttpServerRequest req, String id) {
        results.increment();
        HttpServerResponse resp = req.response();
        SimulatedRequest r = find(req, id);
        if (r == null) {
            detail(resp, 404, "Request not found");
            return;
        }
        resp.putHeader("x-fal-request-id", r.id);
        if (r.phase(System.currentTimeMillis()) != SimulatedRequest.Phase.COMPLETED) {
            detail(resp, 400, "Request is still in progress");
            return;
        }
        ModelOutputs.Outcome outcome = r.finalOutcome();
        resp.putHeader("X-Fal-Billable-Units", Long.toString(outcome.billableUnits()));
        if (r.cancelledInQueue()) {
            resp.putHeader("X-Fal-Error-Type", outcome.errorType());
        } else if (!outcome.ok()) {
            resp.putHeader("X-Fal-Retryable", outcome.status() >= 500 ? "true" : "false");
        }
        json(resp, outcome.status(), outcome.body().encode());
    }

    void cancel(HttpServerRequest req, String id) {
        cancels.increment();
        HttpServerResponse resp = req.response();
        SimulatedRequest r = find(req, id);
        if (r == null) {
            json(resp, 404, "{\"status\":\"NOT_FOUND\"}");
            return;
        }
        switch (r.cancel(System.currentTimeMillis())) {
            case REMOVED_FROM_QUEUE -> {
                leaveQueue(r);
                finish(r);
                json(resp, 202, "{\"status\":\"CANCELLATION_REQUESTED\"}");
            }
            case REQUESTED_WHILE_RUNNING -> json(resp, 202, "{\"status\":\"CANCELLATION_REQUESTED\"}");
            case ALREADY_COMPLETED -> json(resp, 400, "{\"status\":\"ALREADY_COMPLETED\"}");
        }
    }

    /** fal's price of the input (its price book), zero for a model the simulator does not price. */
    private static java.math.BigDecimal priceOf(String modelId, Buffer raw) {
        if (!FalBilling.knows(modelId)) {
            return java.math.BigDecimal.ZERO;
        }
        return FalBilling.bill(modelId, raw.toString(StandardCharsets.UTF_8)).map(FalBilling.Bill::usd)
                .orElse(java.math.BigDecimal.ZERO);
    }

    /** The request as the asking key may see it: another account's request id is unknown to it (null). */
    private SimulatedRequest find(HttpServerRequest req, String id) {
        SimulatedRequest r = retained(id);
        String key = SimulatorHttp.keyOf(req);
        accounts.askedWith(key);
        if (r == null || !accounts.sees(key, r.ownerKey)) {
            return null;
        }
        return r;
    }

    private String requestUrl(SimulatedRequest r) {
        return FalPaths.requestUrl(baseUrl.get(), r.modelId, r.id);
    }
}
