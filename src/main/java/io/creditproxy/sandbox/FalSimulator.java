package io.creditproxy.sandbox;

import static io.creditproxy.sandbox.SimulatorHttp.detail;
import static io.creditproxy.sandbox.SimulatorHttp.json;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * A faithful simulator of fal's queue API ({@code https://queue.fal.run}) on a plain Vert.x HTTP server, usable
 * inside Quarkus ({@link SandboxServer}) and alone ({@link SandboxMain}). Same paths, codes, bodies and headers as
 * fal; only the host differs. This class serves HTTP, checks the key and routes; what it simulates lives apart:
 * the queue ({@link SimulatedQueue}), webhooks and their signing key ({@link SimulatedWebhooks}), what a model
 * produces ({@link ModelOutputs}), faults by prompt markers ({@link SandboxMarkers}), and fal's Platform API under
 * {@code /v1/} (prices, billing events, balance: {@link SimulatedPlatform}), and fal's storage (upload initiations,
 * pre-signed uploads, files served back: {@link SimulatedStorage}) on the same port.
 */
public final class FalSimulator {

    /** JDK logging (routed to JBoss LogManager inside Quarkus), so that the standalone classpath needs no logging jar. */
    private static final System.Logger LOG = System.getLogger(FalSimulator.class.getName());
    private static final String REQUESTS = "/requests/";

    private final Vertx vertx;
    private final SandboxSettings settings;
    private final SandboxSettings initialRuntime;
    private final SimulatedWebhooks webhooks;
    private final SimulatedQueue queue;
    private final SimulatedPlatform platform;
    private final SimulatedStorage storage;
    private final LongAdder unauthorized = new LongAdder();
    private final SimulatedAccounts accounts = new SimulatedAccounts();

    private final List<String> deployments = new CopyOnWriteArrayList<>();
    private volatile int actualPort = -1;
    private volatile String baseUrl;

    public FalSimulator(Vertx vertx, SandboxSettings settings) {
        this.vertx = vertx;
        this.settings = settings;
        this.initialRuntime = settings.copy();
        this.webhooks = new SimulatedWebhooks(vertx, settings);
        this.queue = new SimulatedQueue(vertx, settings, webhooks, this::baseUrl, accounts);
        this.platform = new SimulatedPlatform(queue::requests, accounts);
        this.storage = new SimulatedStorage(this::baseUrl);
    }

    /** Binds the port with one server instance per event loop (settings.instances()). */
    public Future<Void> start() {
        webhooks.start();
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
        undeployed.add(webhooks.stop());
        return Future.join(undeployed).mapEmpty();
    }

    /** e.g. {@code http://127.0.0.1:8089}; valid once {@link #start()} has completed. */
    public String baseUrl() {
        if (baseUrl == null) {
            throw new IllegalStateException("the fal simulator is not started");
        }
        return baseUrl;
    }

    /** Where the simulator serves the JWKS of its webhook signing key, like fal's. */
    public String jwksUrl() {
        return baseUrl() + SimulatedWebhooks.JWKS_PATH;
    }

    public int port() {
        return actualPort;
    }

    // hooks for tests and benchmarks

    /** The live settings; delays and webhook retries changed here apply to requests submitted afterwards. */
    public SandboxSettings settings() {
        return settings;
    }

    /** What the submit that created this request received. */
    public Optional<ReceivedSubmit> receivedSubmit(String requestId) {
        return queue.receivedSubmit(requestId);
    }

    /** The last {@code n} submits received (accepted or not, refused ones included), newest first. */
    public List<ReceivedSubmit> lastSubmits(int n) {
        return queue.lastSubmits(n);
    }

    /** Whether a cancel reached this request (queued or running). */
    public boolean cancelRequested(String requestId) {
        return queue.cancelRequested(requestId);
    }

    public SandboxCounters counters() {
        return new SandboxCounters(queue.submits.sum(), queue.accepted.sum(), unauthorized.sum(), queue.statusPolls.sum(),
                queue.streams.sum(), queue.results.sum(), queue.cancels.sum(), webhooks.attempts(), webhooks.delivered(),
                webhooks.failed());
    }

    /** The public key webhooks are signed with (also served as JWKS). */
    public PublicKey webhookPublicKey() {
        return webhooks.publicKey();
    }

    /** Signs a webhook body as fal would, with this simulator's key: the four X-Fal-Webhook-* headers. */
    public Map<String, String> signWebhook(String requestId, byte[] body, long timestampSeconds) {
        return webhooks.sign(requestId, body, timestampSeconds);
    }

    /** fal's Platform API as simulated here: prices (changeable), billing events, balance. */
    SimulatedPlatform platform() {
        return platform;
    }

    /** fal's storage as simulated here: upload initiations received (newest first), files kept. */
    public List<ReceivedSubmit> lastStorageInitiations(int n) {
        return storage.lastInitiations(n);
    }

    /** A stored file's bytes, by the part of its URL after {@code /storage/files/}. */
    public Optional<byte[]> storedFile(String key) {
        return storage.file(key).map(f -> f.bytes().getBytes());
    }

    /**
     * A simulated fal account: its key and starting credit (USD). Its submits consume its balance at fal's prices;
     * at zero it is locked (403 "User is locked. Reason: Exhausted balance"); its request ids are unknown to other keys.
     */
    public void addAccount(String key, java.math.BigDecimal usd) {
        accounts.add(key, usd);
    }

    /** Adds credit to a simulated account (fal unlocks it once its balance is above zero). */
    public void topUpAccount(String key, java.math.BigDecimal usd) {
        accounts.topUp(key, usd);
    }

    /** A simulated account's balance now; empty for a key that is not one. */
    public Optional<java.math.BigDecimal> accountBalance(String key) {
        return accounts.balance(key);
    }

    /** How many status, result, cancel and stream requests came with this key. */
    public long requestCallsWith(String key) {
        return accounts.requestCalls(key);
    }

    public String jwksJson() {
        return webhooks.jwksJson();
    }

    /** Forgets every request and recorded submit, zeroes the counters and restores the starting settings. */
    public void reset() {
        accounts.reset();
        queue.reset();
        platform.reset();
        storage.reset();
        webhooks.resetCounters();
        unauthorized.reset();
        settings.applyRuntime(initialRuntime);
    }

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
            if (SimulatedWebhooks.JWKS_PATH.equals(path)) {
                if (req.method() == HttpMethod.GET) {
                    json(req.response(), 200, webhooks.jwksJson());
                } else {
                    detail(req.response(), 405, "Method Not Allowed");
                }
                return;
            }
            if (SimulatedStorage.isPublic(path)) {
                // pre-signed upload URLs and public files: fal's CDN asks for no key
                storage.handlePublic(req, path);
                return;
            }
            if (!authorized(req)) {
                unauthorized.increment();
                detail(req.response(), 401, "No user found for Key ID and Secret");
                return;
            }
            int at = path.indexOf(REQUESTS);
            if (SimulatedStorage.isInitiate(path)) {
                storage.initiate(req, path);
            } else if (path.startsWith(SimulatedPlatform.PREFIX)) {
                platform.handle(req, path, SimulatorHttp.keyOf(req));
            } else if (at >= 0) {
                onRequestPath(req, path.substring(at + REQUESTS.length()));
            } else if (req.method() == HttpMethod.POST) {
                String modelId = SimulatorHttp.trimSlashes(path);
                if (modelId.isEmpty()) {
                    detail(req.response(), 404, "Not Found");
                } else {
                    req.body().onSuccess(body -> queue.submit(req, modelId, body))
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

    /** {@code {id}}, {@code {id}/status}, {@code {id}/status/stream}, {@code {id}/cancel}; any app prefix before. */
    private void onRequestPath(HttpServerRequest req, String rest) {
        String[] parts = SimulatorHttp.trimSlashes(rest).split("/");
        String id = parts[0];
        String action = String.join("/", Arrays.copyOfRange(parts, 1, parts.length));
        HttpMethod method = req.method();
        HttpMethod allowed = action.equals("cancel") ? HttpMethod.PUT : HttpMethod.GET;
        if (!action.isEmpty() && !action.equals("status") && !action.equals("status/stream") && !action.equals("cancel")) {
            detail(req.response(), 404, "Not Found");
        } else if (method != allowed) {
            detail(req.response(), 405, "Method Not Allowed");
        } else {
            switch (action) {
                case "" -> queue.result(req, id);
                case "status" -> queue.status(req, id);
                case "status/stream" -> queue.stream(req, id);
                default -> queue.cancel(req, id);
            }
        }
    }
}
