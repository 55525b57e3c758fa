package io.creditproxy.settlement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.creditproxy.common.Ed25519;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A recording fake of fal's queue API on 127.0.0.1 (JDK HTTP server), for settlement tests that need answers the
 * sandbox never gives: it records every request it receives (method, path, query, headers) and answers status and
 * result calls with a {@link Script} chosen per submit, which may look at the request (e.g. answer differently when
 * it carries a tenant's query or {@code X-Fal-*} / {@code Accept} header). It serves a JWKS and sends webhooks to
 * the URL the proxy asked for, signed like fal's (Ed25519 over request id, user id, timestamp, sha256 of the body).
 */
public final class FakeFal implements AutoCloseable {

    /** The fal account the proxy under test is pinned to (fal.user-id in {@link FakeFalProfile}). */
    public static final String OPERATOR_USER = "fake-operator-account";

    static final ObjectMapper JSON = new ObjectMapper();

    /** One request the fake received. Header names are lower case. */
    public record Seen(String method, String path, String query, Map<String, List<String>> headers) {

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
        Reply status(Job job, Seen seen);

        Reply result(Job job, Seen seen);
    }

    /** A submitted request. */
    public static final class Job {
        public final String requestId;
        public final String modelId;
        public final String app;
        public final String webhookUrl;
        public final JsonNode input;
        final Script script;

        Job(String requestId, String modelId, String webhookUrl, JsonNode input, Script script) {
            this.requestId = requestId;
            this.modelId = modelId;
            String[] parts = modelId.split("/");
            this.app = parts.length >= 2 ? parts[0] + "/" + parts[1] : modelId;
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
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
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

    /** Every status, result and cancel call received for one request, in order. */
    public List<Seen> seenFor(String requestId) {
        return seen.stream().filter(s -> s.path().contains("/requests/" + requestId)).toList();
    }

    // ---- scripts -------------------------------------------------------------------------------------

    /** fal's normal success: COMPLETED, then the images asked for, with X-Fal-Billable-Units. */
    public static Script completed() {
        return new Script() {
            @Override
            public Reply status(Job job, Seen seen) {
                return completedStatus(job);
            }

            @Override
            public Reply result(Job job, Seen seen) {
                return images(job, job.numImages());
            }
        };
    }

    public static Reply completedStatus(Job job) {
        return Reply.json(200, "{\"status\":\"COMPLETED\",\"request_id\":\"" + job.requestId
                + "\",\"logs\":null,\"metrics\":{\"inference_time\":0.5}}");
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
        try {
            String path = exchange.getRequestURI().getRawPath();
            if (path.equals("/.well-known/jwks.json")) {
                send(exchange, Reply.json(200, "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\""
                        + Ed25519.toJwkX(keys.getPublic()) + "\",\"kid\":\"fake\",\"use\":\"sig\",\"alg\":\"EdDSA\"}]}"));
                return;
            }
            Map<String, List<String>> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            Seen request = new Seen(exchange.getRequestMethod(), path, exchange.getRequestURI().getRawQuery(), headers);
            int at = path.indexOf("/requests/");
            if (at < 0) {
                if (exchange.getRequestMethod().equals("POST")) {
                    submit(exchange, path.substring(1), request);
                } else {
                    send(exchange, Reply.json(404, "{\"detail\":\"Not Found\"}"));
                }
                return;
            }
            seen.add(request);
            String[] rest = path.substring(at + "/requests/".length()).split("/", 2);
            Job job = jobs.get(rest[0]);
            if (job == null) {
                send(exchange, Reply.json(404, "{\"detail\":\"Request not found\"}"));
                return;
            }
            String action = rest.length > 1 ? rest[1] : "";
            switch (action) {
                case "status" -> send(exchange, job.script.status(job, request));
                case "" -> send(exchange, job.script.result(job, request));
                case "cancel" -> send(exchange, Reply.json(400, "{\"status\":\"ALREADY_COMPLETED\"}"));
                default -> send(exchange, Reply.json(404, "{\"detail\":\"Not Found\"}"));
            }
        } catch (RuntimeException e) {
            send(exchange, Reply.json(500, "{\"detail\":\"fake fal failed: " + e.getClass().getSimpleName() + "\"}"));
        } finally {
            exchange.close();
        }
    }

    private void submit(HttpExchange exchange, String modelId, Seen request) throws IOException {
        JsonNode input = JSON.readTree(exchange.getRequestBody().readAllBytes());
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
        Job job = new Job(id, modelId, webhook, input, nextScript);
        jobs.put(id, job);
        String base = baseUrl() + "/" + job.app + "/requests/" + id;
        send(exchange, new Reply(200, Map.of("x-fal-request-id", id), "{\"status\":\"IN_QUEUE\",\"request_id\":\"" + id
                + "\",\"response_url\":\"" + base + "\",\"status_url\":\"" + base + "/status\",\"cancel_url\":\"" + base
                + "/cancel\",\"queue_position\":0}"));
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        exchange.sendResponseHeaders(reply.status(), body.length);
        exchange.getResponseBody().write(body);
    }

    /** Requests seen that carried something of the tenant's (to tell them from the proxy's own). */
    public static List<Seen> tenantShaped(List<Seen> all) {
        List<Seen> out = new ArrayList<>();
        for (Seen s : all) {
            if (s.tenantShaped()) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
