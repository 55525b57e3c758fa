package io.creditproxy.sandbox;

import io.creditproxy.common.Ed25519;
import io.netty.channel.ChannelOption;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.impl.ConnectionBase;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A faithful simulator of fal's queue API ({@code https://queue.fal.run}) on a plain Vert.x HTTP server, usable
 * inside Quarkus ({@link SandboxServer}) and alone ({@link SandboxMain}). Same paths, codes, bodies and headers as
 * fal; only the host differs. Request state lives in memory and follows the clock (IN_QUEUE for the queue delay,
 * IN_PROGRESS for the run delay, then COMPLETED); handlers never block. Faults are injected by
 * {@link SandboxMarkers} in the prompt. Webhooks are signed with a fresh Ed25519 key whose JWKS is served at
 * {@code /.well-known/jwks.json}.
 */
public final class FalSimulator {

    /** JDK logging (routed to JBoss LogManager inside Quarkus), so that the standalone classpath needs no logging jar. */
    private static final System.Logger LOG = System.getLogger(FalSimulator.class.getName());
    private static final String REQUESTS = "/requests/";
    private static final int RECENT_SUBMITS_KEPT = 1000;
    /** A stream re-checks at least this often, so that a queued cancel ends it promptly. */
    private static final long STREAM_RECHECK_MILLIS = 250;
    /** A hung submit is closed after this long so that forgotten connections do not pile up. */
    private static final long HANG_CLOSE_MILLIS = 10 * 60 * 1000;

    private final Vertx vertx;
    private final SandboxSettings settings;
    private final SandboxSettings initialRuntime;
    private final KeyPair webhookKeys = Ed25519.generateKeyPair();
    private final String kid = "sandbox-" + UUID.randomUUID().toString().substring(0, 8);
    private final String jwks;

    private final ConcurrentHashMap<String, SimulatedRequest> requests = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> requestOrder = new ConcurrentLinkedQueue<>();
    private final AtomicInteger requestCount = new AtomicInteger();
    private final ConcurrentHashMap<String, SimulatedRequest.AppQueue> queues = new ConcurrentHashMap<>();
    private final ConcurrentLinkedDeque<ReceivedSubmit> recentSubmits = new ConcurrentLinkedDeque<>();
    private final AtomicInteger recentCount = new AtomicInteger();

    private final LongAdder submits = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder unauthorized = new LongAdder();
    private final LongAdder statusPolls = new LongAdder();
    private final LongAdder streams = new LongAdder();
    private final LongAdder results = new LongAdder();
    private final LongAdder cancels = new LongAdder();
    private final LongAdder webhookAttempts = new LongAdder();
    private final LongAdder webhooksDelivered = new LongAdder();
    private final LongAdder webhooksFailed = new LongAdder();

    private final List<String> deployments = new CopyOnWriteArrayList<>();
    private volatile HttpClient webhookClient;
    private volatile int actualPort = -1;
    private volatile String baseUrl;

    public FalSimulator(Vertx vertx, SandboxSettings settings) {
        this.vertx = vertx;
        this.settings = settings;
        this.initialRuntime = settings.copy();
        this.jwks = new JsonObject().put("keys", new JsonArray().add(new JsonObject()
                .put("kty", "OKP")
                .put("crv", "Ed25519")
                .put("x", Ed25519.toJwkX(webhookKeys.getPublic()))
                .put("kid", kid)
                .put("use", "sig")
                .put("alg", "EdDSA"))).encode();
    }

    // ---- lifecycle ---------------------------------------------------------------------------

    /** Binds the port with one server instance per event loop (settings.instances()). */
    public Future<Void> start() {
        webhookClient = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, settings.webhookTimeout().toMillis()))
                .setMaxPoolSize(64)
                .setTrustAll(false));
        // Vert.x shares one listening port among the instances (for port 0 too: they share the one random port)
        int port = settings.port();
        return vertx.deployVerticle(() -> new ServerVerticle(port), new DeploymentOptions().setInstances(settings.instances()))
                .onSuccess(id -> {
                    deployments.add(id);
                    String host = settings.host();
                    String advertised = "0.0.0.0".equals(host) || "::".equals(host) ? "127.0.0.1" : host;
                    baseUrl = "http://" + (advertised.contains(":") ? "[" + advertised + "]" : advertised) + ":" + actualPort;
                })
                .mapEmpty();
    }

    public Future<Void> stop() {
        List<Future<Void>> undeployed = new ArrayList<>();
        for (String id : deployments) {
            undeployed.add(vertx.undeploy(id));
        }
        deployments.clear();
        HttpClient client = webhookClient;
        if (client != null) {
            undeployed.add(client.close());
        }
        return Future.join(undeployed).mapEmpty();
    }

    /** e.g. {@code http://127.0.0.1:8089}; valid once {@link #start()} has completed. */
    public String baseUrl() {
        if (baseUrl == null) {
            throw new IllegalStateException("the fal simulator is not started");
        }
        return baseUrl;
    }

    public int port() {
        return actualPort;
    }

    // ---- hooks for tests and benchmarks ------------------------------------------------------

    /** The live settings; delays and webhook retries changed here apply to requests submitted afterwards. */
    public SandboxSettings settings() {
        return settings;
    }

    /** What the submit that created this request received. */
    public Optional<ReceivedSubmit> receivedSubmit(String requestId) {
        SimulatedRequest r = requests.get(requestId);
        return r == null ? Optional.empty() : Optional.of(r.received);
    }

    /** The last {@code n} submits received (accepted or not, refused ones included), newest first. */
    public List<ReceivedSubmit> lastSubmits(int n) {
        List<ReceivedSubmit> out = new ArrayList<>(Math.max(0, Math.min(n, RECENT_SUBMITS_KEPT)));
        Iterator<ReceivedSubmit> it = recentSubmits.descendingIterator();
        while (it.hasNext() && out.size() < n) {
            out.add(it.next());
        }
        return out;
    }

    /** Whether a cancel reached this request (queued or running). */
    public boolean cancelRequested(String requestId) {
        SimulatedRequest r = requests.get(requestId);
        return r != null && r.cancelRequested();
    }

    public SandboxCounters counters() {
        return new SandboxCounters(submits.sum(), accepted.sum(), unauthorized.sum(), statusPolls.sum(),
                streams.sum(), results.sum(), cancels.sum(), webhookAttempts.sum(), webhooksDelivered.sum(),
                webhooksFailed.sum());
    }

    /** The public key webhooks are signed with (also served as JWKS). */
    public PublicKey webhookPublicKey() {
        return webhookKeys.getPublic();
    }

    /** Signs a webhook body as fal would, with this simulator's key: the four X-Fal-Webhook-* headers. */
    public Map<String, String> signWebhook(String requestId, byte[] body, long timestampSeconds) {
        String userId = settings.webhookUserId();
        String timestamp = Long.toString(timestampSeconds);
        String signature = Ed25519.signHex(webhookKeys.getPrivate(), Ed25519.falWebhookMessage(requestId, userId, timestamp, body));
        return Map.of("X-Fal-Webhook-Request-Id", requestId, "X-Fal-Webhook-User-Id", userId,
                "X-Fal-Webhook-Timestamp", timestamp, "X-Fal-Webhook-Signature", signature);
    }

    public String jwksJson() {
        return jwks;
    }

    /** Forgets every request and recorded submit, zeroes the counters and restores the starting settings. */
    public void reset() {
        requests.clear();
        requestOrder.clear();
        requestCount.set(0);
        queues.clear();
        recentSubmits.clear();
        recentCount.set(0);
        for (LongAdder counter : List.of(submits, accepted, unauthorized, statusPolls, streams, results, cancels,
                webhookAttempts, webhooksDelivered, webhooksFailed)) {
            counter.reset();
        }
        settings.applyRuntime(initialRuntime);
    }

    // ---- routing -----------------------------------------------------------------------------

    private final class ServerVerticle extends AbstractVerticle {
        private final int port;

        ServerVerticle(int port) {
            this.port = port;
        }

        @Override
        public void start(Promise<Void> started) {
            vertx.createHttpServer(new HttpServerOptions().setHost(settings.host()).setPort(port))
                    .requestHandler(FalSimulator.this::handle)
                    .listen()
                    .onSuccess(server -> {
                        actualPort = server.actualPort();
                        started.complete();
                    })
                    .onFailure(started::fail);
        }
    }

    private void handle(HttpServerRequest req) {
        try {
            String path = req.path();
            if ("/.well-known/jwks.json".equals(path)) {
                if (req.method() == HttpMethod.GET) {
                    json(req.response(), 200, jwks);
                } else {
                    detail(req.response(), 405, "Method Not Allowed");
                }
                return;
            }
            if (!authorized(req)) {
                unauthorized.increment();
                detail(req.response(), 401, "No user found for Key ID and Secret");
                return;
            }
            int at = path.indexOf(REQUESTS);
            if (at >= 0) {
                onRequestPath(req, path.substring(at + REQUESTS.length()));
            } else if (req.method() == HttpMethod.POST) {
                String modelId = trimSlashes(path);
                if (modelId.isEmpty()) {
                    detail(req.response(), 404, "Not Found");
                } else {
                    req.body().onSuccess(body -> submit(req, modelId, body))
                            .onFailure(e -> detail(req.response(), 400, "Could not read the request body"));
                }
            } else {
                detail(req.response(), 405, "Method Not Allowed");
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "sandbox: failed to handle " + req.method() + " " + req.path(), e);
            if (!req.response().ended()) {
                detail(req.response(), 500, "Internal Server Error");
            }
        }
    }

    private boolean authorized(HttpServerRequest req) {
        String header = req.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || header.length() <= 4 || !header.regionMatches(true, 0, "Key ", 0, 4)) {
            return false;
        }
        String key = header.substring(4).trim();
        if (key.isEmpty()) {
            return false;
        }
        Optional<String> required = settings.requiredKey();
        return required.isEmpty() || required.get().equals(key);
    }

    private void onRequestPath(HttpServerRequest req, String rest) {
        String[] parts = trimSlashes(rest).split("/");
        String id = parts[0];
        String action = String.join("/", java.util.Arrays.copyOfRange(parts, 1, parts.length));
        HttpMethod method = req.method();
        switch (action) {
            case "" -> {
                if (method == HttpMethod.GET) {
                    result(req, id);
                } else {
                    detail(req.response(), 405, "Method Not Allowed");
                }
            }
            case "status" -> {
                if (method == HttpMethod.GET) {
                    status(req, id);
                } else {
                    detail(req.response(), 405, "Method Not Allowed");
                }
            }
            case "status/stream" -> {
                if (method == HttpMethod.GET) {
                    stream(req, id);
                } else {
                    detail(req.response(), 405, "Method Not Allowed");
                }
            }
            case "cancel" -> {
                if (method == HttpMethod.PUT) {
                    cancel(req, id);
                } else {
                    detail(req.response(), 405, "Method Not Allowed");
                }
            }
            default -> detail(req.response(), 404, "Not Found");
        }
    }

    // ---- submit ------------------------------------------------------------------------------

    private void submit(HttpServerRequest req, String modelId, Buffer raw) {
        submits.increment();
        long now = System.currentTimeMillis();
        HttpServerResponse resp = req.response();

        JsonObject input;
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
        input = (JsonObject) parsed;
        Set<SandboxMarkers> markers = SandboxMarkers.parse(input.getValue("prompt") instanceof String p ? p : null);

        if (markers.contains(SandboxMarkers.SUBMIT_RESET)) {
            record(req, raw, null, 0, now);
            resetConnection(req.connection());
            return;
        }
        if (markers.contains(SandboxMarkers.SUBMIT_HANG)) {
            record(req, raw, null, 0, now);
            HttpConnection connection = req.connection();
            vertx.setTimer(HANG_CLOSE_MILLIS, t -> connection.close());
            return;
        }
        if (markers.contains(SandboxMarkers.SUBMIT_500)) {
            record(req, raw, null, 500, now);
            detail(resp, 500, "Internal Server Error");
            return;
        }
        if (markers.contains(SandboxMarkers.SUBMIT_422)) {
            record(req, raw, null, 422, now);
            JsonObject entry = ModelOutputs.detail("body", "prompt", "Input is invalid (sandbox:submit-422)",
                    "value_error", input.getValue("prompt"));
            resp.putHeader("X-Fal-Retryable", "false");
            json(resp, 422, new JsonObject().put("detail", new JsonArray().add(entry)).encode());
            return;
        }

        String app = appOf(modelId);
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
        SimulatedRequest r = new SimulatedRequest(id, modelId, app, input, markers, now, queueMillis, runMillis,
                req.getParam("fal_webhook"), received, queue, position, dequeuedBefore,
                ModelOutputs.outcomeOf(id, modelId, input, markers, runMillis));
        remember(r);
        accepted.increment();

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
            sendWebhook(r);
        }
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

    // ---- status, stream, result, cancel ------------------------------------------------------

    private void status(HttpServerRequest req, String id) {
        statusPolls.increment();
        SimulatedRequest r = requests.get(id);
        if (r == null) {
            detail(req.response(), 404, "Request not found");
            return;
        }
        long now = System.currentTimeMillis();
        JsonObject body = statusBody(r, now, wantsLogs(req));
        req.response().putHeader("x-fal-request-id", r.id);
        json(req.response(), r.phase(now) == SimulatedRequest.Phase.COMPLETED ? 200 : 202, body.encode());
    }

    private JsonObject statusBody(SimulatedRequest r, long now, boolean logs) {
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

    private void stream(HttpServerRequest req, String id) {
        streams.increment();
        SimulatedRequest r = requests.get(id);
        if (r == null) {
            detail(req.response(), 404, "Request not found");
            return;
        }
        boolean logs = wantsLogs(req);
        HttpServerResponse resp = req.response();
        resp.setStatusCode(200)
                .setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .putHeader("x-fal-request-id", r.id);
        new StatusStream(r, resp, logs).next();
    }

    /** One SSE status stream: an event whenever the status body changes, a ping now and then, closed after COMPLETED. */
    private final class StatusStream {
        private final SimulatedRequest r;
        private final HttpServerResponse resp;
        private final boolean logs;
        private final long pingTimer;
        private String lastSent;
        private long checkTimer = -1;
        private boolean closed;

        StatusStream(SimulatedRequest r, HttpServerResponse resp, boolean logs) {
            this.r = r;
            this.resp = resp;
            this.logs = logs;
            long ping = settings.ssePingInterval().toMillis();
            this.pingTimer = vertx.setPeriodic(ping, ping, t -> {
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
            String event = statusBody(r, now, logs).encode();
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
            long wait = Math.max(1, Math.min(STREAM_RECHECK_MILLIS, transition - now));
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

    private void result(HttpServerRequest req, String id) {
        results.increment();
        HttpServerResponse resp = req.response();
        SimulatedRequest r = requests.get(id);
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

    private void cancel(HttpServerRequest req, String id) {
        cancels.increment();
        HttpServerResponse resp = req.response();
        SimulatedRequest r = requests.get(id);
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

    // ---- webhooks ----------------------------------------------------------------------------

    private void sendWebhook(SimulatedRequest r) {
        ModelOutputs.Outcome outcome = r.finalOutcome();
        JsonObject body = new JsonObject()
                .put("request_id", r.id)
                .put("gateway_request_id", r.id)
                .put("status", outcome.ok() ? "OK" : "ERROR")
                .put("payload", outcome.body())
                .put("error", outcome.ok() ? null : "Invalid status code: " + outcome.status());
        if (outcome.ok() && r.markers.contains(SandboxMarkers.WEBHOOK_PAYLOAD_ERROR)) {
            // fal's documented shape for a successful run whose output it could not serialize
            body.putNull("payload").put("payload_error", "Response payload is not JSON serializable");
        }
        Buffer raw = body.toBuffer();
        boolean corruptFirst = r.markers.contains(SandboxMarkers.WEBHOOK_FAILS_ONCE);
        boolean duplicate = r.markers.contains(SandboxMarkers.WEBHOOK_DUPLICATE);
        attemptWebhook(r, raw, 0, corruptFirst, duplicate);
    }

    private void attemptWebhook(SimulatedRequest r, Buffer raw, int attempt, boolean badSignature, boolean duplicate) {
        webhookAttempts.increment();
        String userId = settings.webhookUserId();
        String timestamp = Long.toString(System.currentTimeMillis() / 1000);
        byte[] message = Ed25519.falWebhookMessage(r.id, userId, timestamp, raw.getBytes());
        if (badSignature) {
            // a signature over another message: well-formed, but a verifying receiver must refuse it
            message = Ed25519.falWebhookMessage(r.id, userId, timestamp, "tampered".getBytes(StandardCharsets.UTF_8));
        }
        String signature = Ed25519.signHex(webhookKeys.getPrivate(), message);
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(r.webhookUrl)
                .setIdleTimeout(settings.webhookTimeout().toMillis())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader("X-Fal-Webhook-Request-Id", r.id)
                .putHeader("X-Fal-Webhook-User-Id", userId)
                .putHeader("X-Fal-Webhook-Timestamp", timestamp)
                .putHeader("X-Fal-Webhook-Signature", signature);
        Future<Integer> sent;
        try {
            sent = webhookClient.request(options)
                    .compose(request -> request.send(raw))
                    .compose(response -> response.body().map(ignored -> response.statusCode()));
        } catch (RuntimeException e) {
            sent = Future.failedFuture(e);
        }
        sent.onComplete(ar -> {
            boolean ok = ar.succeeded() && ar.result() >= 200 && ar.result() < 300;
            if (ok) {
                webhooksDelivered.increment();
                if (duplicate) {
                    attemptWebhook(r, raw, attempt, false, false);
                }
                return;
            }
            if (attempt < settings.webhookRetries()) {
                long backoff = settings.webhookRetryBackoff().toMillis() << Math.min(attempt, 16);
                vertx.setTimer(Math.max(1, backoff), t -> attemptWebhook(r, raw, attempt + 1, false, duplicate));
            } else {
                webhooksFailed.increment();
                LOG.log(System.Logger.Level.WARNING, "sandbox: webhook for request " + r.id + " not delivered after "
                        + (attempt + 1) + " attempts (" + (ar.succeeded() ? "status " + ar.result() : ar.cause().toString()) + ")");
            }
        });
    }

    // ---- helpers -----------------------------------------------------------------------------

    /** {@code {app}}: the first two segments of the model id, three when the first is workflows or comfy. */
    static String appOf(String modelId) {
        String[] segments = modelId.split("/");
        int keep = segments.length > 0 && ("workflows".equals(segments[0]) || "comfy".equals(segments[0])) ? 3 : 2;
        return String.join("/", java.util.Arrays.copyOfRange(segments, 0, Math.min(keep, segments.length)));
    }

    private String requestUrl(SimulatedRequest r) {
        return baseUrl + "/" + r.app + REQUESTS + r.id;
    }

    private static boolean wantsLogs(HttpServerRequest req) {
        String logs = req.getParam("logs");
        return logs != null && ("1".equals(logs) || "true".equalsIgnoreCase(logs));
    }

    private static String trimSlashes(String path) {
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(start, end);
    }

    private static void detail(HttpServerResponse resp, int status, String message) {
        json(resp, status, new JsonObject().put("detail", message).encode());
    }

    private static void json(HttpServerResponse resp, int status, String body) {
        resp.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
    }

    /** An RST rather than a FIN: SO_LINGER 0 makes the close abortive, as a crashed upstream would look. */
    private static void resetConnection(HttpConnection connection) {
        if (connection instanceof ConnectionBase base) {
            base.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        }
        connection.close();
    }
}
