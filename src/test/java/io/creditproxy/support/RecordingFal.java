package io.creditproxy.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake fal queue API on 127.0.0.1 that records every request it receives (method, path, raw query, headers, body)
 * and answers like fal, with URLs pointing at itself and answer headers a tenant must never see: a
 * {@code Set-Cookie}, an internal runner id, the operator's account id, and {@code Location}/{@code Content-Location}/
 * {@code Link} URLs pointing at itself (which the proxy must rewrite). Jobs complete at once with one image.
 */
public final class RecordingFal implements AutoCloseable {

    /** One request as fal received it; header names in lower case. */
    public record Received(String method, String path, String query, Map<String, List<String>> headers, String body) {
        public Optional<String> header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }

        public int count(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? 0 : values.size();
        }
    }

    /** Headers of every answer that must not reach a tenant as they are. */
    public static final String COOKIE = "fal_session=operator-session-secret; Path=/; HttpOnly";
    public static final String SERVED_FROM = "runner-internal-7";
    public static final String OPERATOR_ACCOUNT = "operator-account-42";

    private static final Pattern REQUEST_PATH = Pattern.compile("^/(.+)/requests/([^/]+)(/status|/status/stream|/cancel)?$");

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    public RecordingFal() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", this::handle);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public List<Received> received(Predicate<Received> filter) {
        return received.stream().filter(filter).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        Map<String, List<String>> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = exchange.getRequestURI().getRawPath();
        received.add(new Received(exchange.getRequestMethod(), path, exchange.getRequestURI().getRawQuery(), headers, body));
        try (exchange) {
            Matcher m = REQUEST_PATH.matcher(path);
            if (exchange.getRequestMethod().equals("POST") && !m.matches()) {
                String[] segments = path.substring(1).split("/");
                String app = segments[0] + "/" + (segments.length > 1 ? segments[1] : "");
                String id = UUID.randomUUID().toString();
                String base = baseUrl() + "/" + app + "/requests/" + id;
                answer(exchange, 200, "application/json", base, id, "{\"status\":\"IN_QUEUE\",\"request_id\":\"" + id
                        + "\",\"response_url\":\"" + base + "\",\"status_url\":\"" + base + "/status\",\"cancel_url\":\""
                        + base + "/cancel\",\"queue_position\":0}");
                return;
            }
            if (!m.matches()) {
                answer(exchange, 404, "application/json", null, null, "{\"detail\":\"Not Found\"}");
                return;
            }
            String base = baseUrl() + "/" + m.group(1) + "/requests/" + m.group(2);
            String id = m.group(2);
            String action = m.group(3) == null ? "" : m.group(3);
            switch (exchange.getRequestMethod() + " " + action) {
                case "GET /status" -> answer(exchange, 200, "application/json", base, id, completed(id, base));
                case "GET /status/stream" -> answer(exchange, 200, "text/event-stream", base, id,
                        "data: {\"status\":\"IN_PROGRESS\",\"request_id\":\"" + id + "\"}\n\ndata: " + completed(id, base)
                                + "\n\n");
                case "GET " -> {
                    exchange.getResponseHeaders().add("X-Fal-Billable-Units", "1");
                    answer(exchange, 200, "application/json", base, id,
                            "{\"images\":[{\"url\":\"https://v3.fal.media/files/fake/1.png\",\"width\":1024,\"height\":1024,"
                                    + "\"content_type\":\"image/png\"}],\"seed\":7}");
                }
                case "PUT /cancel" -> answer(exchange, 400, "application/json", base, id, "{\"status\":\"ALREADY_COMPLETED\"}");
                default -> answer(exchange, 405, "application/json", null, null, "{\"detail\":\"Method Not Allowed\"}");
            }
        }
    }

    private static String completed(String id, String base) {
        return "{\"status\":\"COMPLETED\",\"request_id\":\"" + id + "\",\"response_url\":\"" + base
                + "\",\"logs\":[],\"metrics\":{\"inference_time\":0.5}}";
    }

    private static void answer(HttpExchange exchange, int status, String contentType, String base, String id, String body)
            throws IOException {
        var h = exchange.getResponseHeaders();
        h.add("Content-Type", contentType);
        h.add("Set-Cookie", COOKIE);
        h.add("X-Fal-Served-From", SERVED_FROM);
        h.add("X-Fal-Webhook-User-Id", OPERATOR_ACCOUNT);
        h.add("X-Fal-Account-Id", OPERATOR_ACCOUNT);
        h.add("Server", "fake-fal/1.0");
        if (id != null) {
            h.add("X-Fal-Request-Id", id);
            h.add("Location", base + "/status");
            h.add("Content-Location", base);
            h.add("Link", "<" + base + ">; rel=\"result\", <" + base + "/cancel>; rel=\"cancel\"");
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
