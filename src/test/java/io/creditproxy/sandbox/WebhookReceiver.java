package io.creditproxy.sandbox;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** A small local HTTP server standing in for a webhook receiver; answers with the status the test chooses. */
final class WebhookReceiver implements AutoCloseable {

    record Delivery(Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    private final HttpServer server;
    private final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();

    WebhookReceiver(Function<Delivery, Integer> answer) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, v.get(0)));
            Delivery delivery = new Delivery(headers, exchange.getRequestBody().readAllBytes());
            int status = answer.apply(delivery);
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
            // only after answering, so that a test closing the receiver never turns this delivery into a retry
            deliveries.add(delivery);
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** The next delivery, waiting up to {@code timeout}; null when none came. */
    Delivery next(Duration timeout) throws InterruptedException {
        return deliveries.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    int pending() {
        return deliveries.size();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
