package io.creditproxy.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

/** A small real-HTTP client for the simulator, as a proxy would talk to it. */
final class SandboxHttp {

    static final String KEY = "Key sandbox-key-id:sandbox-key-secret";
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration DEADLINE = Duration.ofSeconds(10);

    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final String base;

    SandboxHttp(String base) {
        this.base = base;
    }

    record Answer(int status, HttpResponse<String> response, JsonNode json) {
        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }
    }

    Answer submit(String modelId, String body) {
        return submit(modelId, "", body);
    }

    Answer submit(String modelId, String query, String body) {
        return send(HttpRequest.newBuilder(URI.create(base + "/" + modelId + query))
                .header("Authorization", KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    Answer get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", KEY).GET());
    }

    Answer put(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", KEY)
                .PUT(HttpRequest.BodyPublishers.noBody()));
    }

    Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = client.send(request.timeout(DEADLINE).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode json = response.body().isEmpty() ? null : JSON.readTree(response.body());
            return new Answer(response.statusCode(), response, json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polls the status URL until {@code done} holds or the deadline passes; returns the last answer. */
    Answer pollStatus(String statusUrl, Predicate<Answer> done) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        Answer last = get(statusUrl);
        while (!done.test(last) && System.nanoTime() < deadline) {
            pause();
            last = get(statusUrl);
        }
        assertThat(done.test(last)).as("status reached in time; last: %s", last.json()).isTrue();
        return last;
    }

    Answer awaitCompleted(String statusUrl) {
        return pollStatus(statusUrl, a -> "COMPLETED".equals(a.json().path("status").asText()));
    }

    static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
