package io.creditproxy.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A thread-safe HTTP/1.1 client for load from many threads (RestAssured is not meant for that). Every call has a
 * timeout, so a stuck request fails the test instead of hanging it.
 */
public final class Http {

    public record Answer(int status, String body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final String base;
    private final HttpClient client;

    public Http(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    public static Http ofTestApplication() {
        return new Http("http://localhost:" + io.restassured.RestAssured.port);
    }

    public String base() {
        return base;
    }

    public Answer submit(String key, String model, String body, String idempotencyKey) {
        HttpRequest.Builder b = request("/" + model).header("Authorization", "Key " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        return send(b);
    }

    public Answer get(String key, String path) {
        return send(request(path).header("Authorization", "Bearer " + key).GET());
    }

    public Answer put(String key, String path) {
        return send(request(path).header("Authorization", "Bearer " + key).PUT(HttpRequest.BodyPublishers.noBody()));
    }

    /** An admin call with a JSON body (POST). */
    public Answer adminPost(String token, String path, String json, String idempotencyKey) {
        HttpRequest.Builder b = request(path).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        return send(b);
    }

    /** An admin call with a JSON body (PATCH). */
    public Answer adminPatch(String token, String path, String json) {
        return send(request(path).header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
    }

    /** A POST with a JSON body and no credentials (login). */
    public Answer postJson(String path, String json) {
        return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Answer adminGet(String token, String path) {
        return send(request(path).header("Authorization", "Bearer " + token).GET());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
    }

    private Answer send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
