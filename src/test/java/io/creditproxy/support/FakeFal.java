package io.creditproxy.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.creditproxy.common.Ed25519;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * A recording fake of fal's queue API on 127.0.0.1 (JDK HTTP server), standing in for queue.fal.run where a test needs
 * what the sandbox never does: it records every request it receives (method, path, raw query, headers, body), answers
 * status and result calls with a {@link Script} chosen per submit (which may look at the request, e.g. answer
 * differently when it carries a tenant's query or {@code X-Fal-*} / {@code Accept} header), and puts on every answer
 * headers a tenant must never see (a {@code Set-Cookie}, an internal runner id, the operator's account id) and
 * {@code Location}/{@code Content-Location}/{@code Link} URLs pointing at itself (which the proxy must rewrite). It
 * serves a JWKS and sends webhooks to the URL the proxy asked for, signed like fal's (Ed25519 over request id, user id,
 * timestamp, sha256 of the body). By default a job completes at once with the images asked for.
 */
public final class FakeFal implements AutoCloseable {

    /** The operator's fal account: the one a proxy under test may be pinned to, and leaked in fal's answer headers. */
    public static final String OPERATOR_ACCOUNT = "fake-operator-account";
    public static final String COOKIE = "fal_session=operator-session-secret; Path=/; HttpOnly";
    public static final String SERVED_FROM = "runner-internal-7";

    static final ObjectMapper JSON = new ObjectMapper();

    /** One request as the fake received it; header names in lower case. */
    public record Received(String method, String path, String query, Map<String, List<String>> headers, String body) {

        public Optional<String> header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }

        public int count(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? 0 : values.size();
        }

        /** Whether it carries anything a tenant could have put there: a query, an X-Fal-* header or Accept. */
        public boolean tenantShaped() {
            if (query != null && !query.isEmpty()) {
                return true;
            }
            return headers.keySet().stream().anyMatch(h -> h.startsWith("x-fal-") || h.equals("accept"));
        }
    }

    /** An answer: status, extra headers and a JSON body. */
    public record Reply(int status, Map<String, String> headers, String body) {
        public static Reply json(int status, String body) {
            return new Reply(status, Map.of(), body);
        }
    }

    /** How the fake answers the status and result calls of one request. */
    public interface Script {
        Reply status(Job job, Received request);

        Reply result(Job job, Received request);
    }

    /** A submitted request. */
    public static final class Job {
        public final String requestId;
        public final String modelId;
        public final String app;
        /** fal's result URL of the request (status: + /status, cancel: + /cancel). */
        public final String url;
        public final String webhookUrl;
        public final JsonNode input;
        final Script script;

        Job(String baseUrl, String requestId, String modelId, String webhookUrl, JsonNode input, Script script) {
            this.requestId = requestId;
            this.modelId = modelId;
            String[] parts = modelId.split("/");
            this.app = parts.length >= 2 ? parts[0] + "/" + parts[1] : modelId;
            this.url = baseUrl + "/" + app + "/requests/" + requestId;
            this.webhookUrl = webhookUrl;
            this.input = input;
            this.script = script;
        }

        public int numImages() {
            return input.path("num_images").asInt(1);
        }
    }

    private final HttpServer server;
    private final KeyPair keys = Ed25519.generateKeyPair();
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final HttpClient webhookClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile Script nextScript = completed();

    private FakeFal() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "fake-fal");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    public static FakeFal start() {
        try {
            return new FakeFal();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The script for the requests submitted from now on. */
    public void nextScript(Script script) {
        nextScript = script;
    }

    public Job job(String requestId) {
        return jobs.get(requestId);
    }

    /** Every request received (but the JWKS fetches), in order. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    public List<Received> received(Predicate<Received> filter) {
        return received.stream().filter(filter).toList();
    }

    /** Every status, result and cancel call received for one request, in order. */
    public List<Received> seenFor(String requestId) {
        return received(r -> r.path().contains("/requests/" + requestId));
    }

    /** Requests that carried something of the tenant's (to tell them from the proxy's own). */
    public static List<Received> tenantShaped(List<Received> all) {
        return all.stream().filter(Received::tenantShaped).toList();
    }

    // ---- scripts -------------------------------------------------------------------------------------

    /** fal's normal success: COMPLETED, then the images asked for, with X-Fal-Billable-Units. */
    public static Script completed() {
        return new Script() {
            @Override
            public Reply status(Job job, Received request) {
                return completedStatus(job);
            }

            @Override
            public Reply result(Job job, Received request) {
                return images(job, job.numImages());
            }
        };
    }

    public static Reply completedStatus(Job job) {
        return Reply.json(200, completedStatusBody(job));
    }

    public static Reply images(Job job, int n) {
        ArrayNode list = JSON.createArrayNode();
        for (int i = 0; i < n; i++) {
            list.addObject().put("url", "https://v3.fal.media/files/fake/" + job.requestId + "-" + i + ".png")
                    .put("width", 1024).put("height", 768).put("content_type", "image/png");
        }
        ObjectNode body = JSON.createObjectNode();
        body.set("images", list);
        body.put("seed", 42);
        return new Reply(200, Map.of("X-Fal-Billable-Units", Integer.toString(n)), body.toString());
    }

    private static String completedStatusBody(Job job) {
        return "{\"status\":\"COMPLETED\",\"request_id\":\"" + job.requestId + "\",\"response_url\":\"" + job.url
                + "\",\"logs\":null,\"metrics\":{\"inference_time\":0.5}}";
    }

    // ---- webhooks ------------------------------------------------------------------------------------

    /** Sends a webhook for the request to the URL the proxy asked for, signed for {@code userId}. */
    public HttpResponse<String> sendWebhook(String requestId, String body, String userId) {
        Job job = jobs.get(requestId);
        if (job == null || job.webhookUrl == null) {
            throw new IllegalStateException("no webhook URL for " + requestId);
        }
        byte[] raw = body.getBytes(StandardCharsets.UTF_8);
        String timestamp = Long.toString(System.currentTimeMillis() / 1000);
        String signature = Ed25519.signHex(keys.getPrivate(), Ed25519.falWebhookMessage(requestId, userId, timestamp, raw));
        HttpRequest request = HttpRequest.newBuilder(URI.create(job.webhookUrl))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("X-Fal-Webhook-Request-Id", requestId)
                .header("X-Fal-Webhook-User-Id", userId)
                .header("X-Fal-Webhook-Timestamp", timestamp)
                .header("X-Fal-Webhook-Signature", signature)
                .POST(HttpRequest.BodyPublishers.ofByteArray(raw))
                .build();
        try {
            return webhookClient.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** fal's webhook body: {@code payload} as given (JSON text, may be "null"), plus any extra fields. */
    public static String webhookBody(String requestId, String status, String payloadJson, String extraFields) {
        return "{\"request_id\":\"" + requestId + "\",\"gateway_request_id\":\"" + requestId + "\",\"status\":\"" + status
                + "\",\"payload\":" + payloadJson + (extraFields == null ? "" : "," + extraFields) + "}";
    }

    // ---- HTTP ----------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            if (path.equals("/.well-known/jwks.json")) {
                send(exchange, null, Reply.json(200, "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\""
                        + Ed25519.toJwkX(keys.getPublic()) + "\",\"kid\":\"fake\",\"use\":\"sig\",\"alg\":\"EdDSA\"}]}"));
                return;
            }
            Map<String, List<String>> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Received request = new Received(exchange.getRequestMethod(), path, exchange.getRequestURI().getRawQuery(),
                    headers, body);
            received.add(request);
            try {
                answer(exchange, path, request);
            } catch (RuntimeException e) {
                send(exchange, null, Reply.json(500, "{\"detail\":\"fake fal failed: " + e.getClass().getSimpleName() + "\"}"));
            }
        }
    }

    private void answer(HttpExchange exchange, String path, Received request) throws IOException {
        int at = path.indexOf("/requests/");
        if (at < 0) {
            if (request.method().equals("POST")) {
                submit(exchange, path.substring(1), request);
            } else {
                send(exchange, null, Reply.json(404, "{\"detail\":\"Not Found\"}"));
            }
            return;
        }
        String[] rest = path.substring(at + "/requests/".length()).split("/", 2);
        Job job = jobs.get(rest[0]);
        if (job == null) {
            send(exchange, null, Reply.json(404, "{\"detail\":\"Request not found\"}"));
            return;
        }
        String action = request.method() + " " + (rest.length > 1 ? rest[1] : "");
        switch (action) {
            case "GET status" -> send(exchange, job, job.script.status(job, request));
            case "GET " -> send(exchange, job, job.script.result(job, request));
            case "GET status/stream" -> send(exchange, job, new Reply(200, Map.of("Content-Type", "text/event-stream"),
                    "data: {\"status\":\"IN_PROGRESS\",\"request_id\":\"" + job.requestId + "\"}\n\ndata: "
                            + completedStatusBody(job) + "\n\n"));
            case "PUT cancel" -> send(exchange, job, Reply.json(400, "{\"status\":\"ALREADY_COMPLETED\"}"));
            default -> send(exchange, job, Reply.json(405, "{\"detail\":\"Method Not Allowed\"}"));
        }
    }

    private void submit(HttpExchange exchange, String modelId, Received request) throws IOException {
        JsonNode input = JSON.readTree(request.body());
        String webhook = null;
        String query = request.query();
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).equals("fal_webhook")) {
                    webhook = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                }
            }
        }
        String id = UUID.randomUUID().toString();
        Job job = new Job(baseUrl(), id, modelId, webhook, input, nextScript);
        jobs.put(id, job);
        send(exchange, job, Reply.json(200, "{\"status\":\"IN_QUEUE\",\"request_id\":\"" + id
                + "\",\"response_url\":\"" + job.url + "\",\"status_url\":\"" + job.url + "/status\",\"cancel_url\":\""
                + job.url + "/cancel\",\"queue_position\":0}"));
    }

    /** Sends the reply; an answer about a job also carries its request id and fal's URLs for it in headers. */
    private static void send(HttpExchange exchange, Job job, Reply reply) throws IOException {
        var h = exchange.getResponseHeaders();
        h.add("Content-Type", reply.headers().getOrDefault("Content-Type", "application/json"));
        reply.headers().forEach((k, v) -> {
            if (!k.equals("Content-Type")) {
                h.add(k, v);
            }
        });
        // what a tenant must never see as it is
        h.add("Set-Cookie", COOKIE);
        h.add("X-Fal-Served-From", SERVED_FROM);
        h.add("X-Fal-Webhook-User-Id", OPERATOR_ACCOUNT);
        h.add("X-Fal-Account-Id", OPERATOR_ACCOUNT);
        h.add("Server", "fake-fal/1.0");
        if (job != null) {
            h.add("X-Fal-Request-Id", job.requestId);
            h.add("Location", job.url + "/status");
            h.add("Content-Location", job.url);
            h.add("Link", "<" + job.url + ">; rel=\"result\", <" + job.url + "/cancel>; rel=\"cancel\"");
        }
        byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(reply.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
