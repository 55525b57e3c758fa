package io.creditproxy.webhook;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.IntUnaryOperator;

/** A tenant's webhook endpoint on a free local port; answers the n-th request (from 1) with the status chosen. */
final class HookReceiver implements AutoCloseable {

    record Receipt(Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name);
        }

        long deliveryId() {
            return Long.parseLong(header("X-Webhook-Delivery-Id"));
        }
    }

    private final HttpServer server;
    private final List<Receipt> receipts = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    /** Where a 3xx answer points (Location), if anywhere. */
    volatile String redirectTo;

    HookReceiver(IntUnaryOperator statusForCall) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/hook", exchange -> {
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, String.join(",", v)));
            headers.put(":method", exchange.getRequestMethod());
            headers.put(":query", String.valueOf(exchange.getRequestURI().getRawQuery()));
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            receipts.add(new Receipt(headers, body));
            int status = statusForCall.applyAsInt(calls.incrementAndGet());
            if (status >= 300 && status < 400 && redirectTo != null) {
                exchange.getResponseHeaders().add("Location", redirectTo);
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    static HookReceiver answering(int status) throws IOException {
        return new HookReceiver(n -> status);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    List<Receipt> receipts() {
        return List.copyOf(receipts);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
