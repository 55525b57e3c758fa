package io.creditproxy.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.creditproxy.fal.FalPaths;
import io.creditproxy.sandbox.SandboxHttp.Answer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulator's queue API over real HTTP: submit, status, result, stream, cancel, auth and input errors. */
@QuarkusTest
class SandboxLifecycleTest {

    @Inject
    SandboxServer sandbox;

    SandboxHttp http;

    @BeforeEach
    void client() {
        http = new SandboxHttp(sandbox.baseUrl());
    }

    @Test
    void baseUrlIsTheLocalSimulator() {
        assertThat(sandbox.baseUrl()).matches("http://127\\.0\\.0\\.1:\\d+");
        assertThat(sandbox.enabled()).isTrue();
    }

    @Test
    void imageModelWithThreeImagesGoesThroughQueueProgressAndCompletion() {
        Answer submit = http.submit("fal-ai/flux-1/dev", "{\"prompt\":\"a red fox\",\"num_images\":3}");

        assertThat(submit.status()).isEqualTo(200);
        JsonNode s = submit.json();
        String id = s.get("request_id").asText();
        assertThat(UUID.fromString(id).toString()).isEqualTo(id);
        String base = sandbox.baseUrl() + "/fal-ai/flux-1/requests/" + id;
        assertThat(s.get("status").asText()).isEqualTo("IN_QUEUE");
        assertThat(s.get("response_url").asText()).isEqualTo(base);
        assertThat(s.get("status_url").asText()).isEqualTo(base + "/status");
        assertThat(s.get("cancel_url").asText()).isEqualTo(base + "/cancel");
        assertThat(s.get("queue_position").isIntegralNumber()).isTrue();

        Answer done = http.awaitCompleted(s.get("status_url").asText());
        assertThat(done.status()).isEqualTo(200);
        assertThat(done.json().get("request_id").asText()).isEqualTo(id);
        assertThat(done.json().get("logs").isNull()).isTrue();
        assertThat(done.json().at("/metrics/inference_time").asDouble()).isPositive();
        assertThat(done.json().has("error")).isFalse();

        Answer withLogs = http.get(s.get("status_url").asText() + "?logs=1");
        assertThat(withLogs.json().get("logs").isArray()).isTrue();
        assertThat(withLogs.json().get("logs")).isNotEmpty();
        assertThat(withLogs.json().get("logs").get(0).has("message")).isTrue();

        Answer result = http.get(s.get("response_url").asText());
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.header("x-fal-request-id")).isEqualTo(id);
        assertThat(result.header("X-Fal-Billable-Units")).isEqualTo("3");
        JsonNode images = result.json().get("images");
        assertThat(images).hasSize(3);
        for (JsonNode image : images) {
            assertThat(image.get("url").asText()).startsWith("https://v3.fal.media/");
            assertThat(image.get("width").asInt()).isPositive();
            assertThat(image.get("height").asInt()).isPositive();
            assertThat(image.get("content_type").asText()).isEqualTo("image/jpeg");
        }
        assertThat(result.json().get("prompt").asText()).isEqualTo("a red fox");
        assertThat(result.json().get("has_nsfw_concepts")).hasSize(3);
        assertThat(result.json().get("seed").isIntegralNumber()).isTrue();
        assertThat(result.json().get("timings").has("inference")).isTrue();
    }

    @Test
    void defaultIsOneImageAndSizesFollowImageSize() {
        Answer submit = http.submit("fal-ai/flux-1/schnell", "{\"prompt\":\"x\",\"image_size\":\"square_hd\"}");
        http.awaitCompleted(submit.json().get("status_url").asText());
        Answer result = http.get(submit.json().get("response_url").asText());
        assertThat(result.json().get("images")).hasSize(1);
        assertThat(result.json().at("/images/0/width").asInt()).isEqualTo(1024);
        assertThat(result.json().at("/images/0/height").asInt()).isEqualTo(1024);
        // FLUX is billed per megapixel, rounded up per image: 1024x1024 = 1.05 MP -> 2
        assertThat(result.header("X-Fal-Billable-Units")).isEqualTo("2");
    }

    @Test
    void videoModelAnswersAVideo() {
        Answer submit = http.submit("fal-ai/kling-video/v2/master/text-to-video",
                "{\"prompt\":\"waves\",\"duration\":\"10\"}");
        assertThat(submit.status()).isEqualTo(200);
        String id = submit.json().get("request_id").asText();
        assertThat(submit.json().get("status_url").asText())
                .isEqualTo(sandbox.baseUrl() + "/fal-ai/kling-video/requests/" + id + "/status");

        http.awaitCompleted(submit.json().get("status_url").asText());
        Answer result = http.get(submit.json().get("response_url").asText());
        assertThat(result.status()).isEqualTo(200);
        JsonNode video = result.json().get("video");
        assertThat(video.get("url").asText()).startsWith("https://v3.fal.media/").endsWith(".mp4");
        assertThat(video.get("content_type").asText()).isEqualTo("video/mp4");
        assertThat(video.get("file_name").asText()).isEqualTo("output.mp4");
        assertThat(video.get("file_size").asLong()).isPositive();
        assertThat(result.header("x-fal-request-id")).isEqualTo(id);
        assertThat(result.header("X-Fal-Billable-Units")).isEqualTo("10");
    }

    @Test
    void workflowsAndComfyAppsKeepThreeSegmentsAndAnyPrefixWorks() {
        assertThat(FalPaths.appOf("fal-ai/flux-1/dev")).isEqualTo("fal-ai/flux-1");
        assertThat(FalPaths.appOf("fal-ai/fast-sdxl")).isEqualTo("fal-ai/fast-sdxl");
        assertThat(FalPaths.appOf("workflows/acme/my-flow/run")).isEqualTo("workflows/acme/my-flow");
        assertThat(FalPaths.appOf("comfy/acme/graph/v2")).isEqualTo("comfy/acme/graph");

        Answer submit = http.submit("workflows/acme/my-flow/run", "{\"prompt\":\"x\"}");
        String id = submit.json().get("request_id").asText();
        assertThat(submit.json().get("response_url").asText())
                .isEqualTo(sandbox.baseUrl() + "/workflows/acme/my-flow/requests/" + id);
        // the id alone decides: any prefix before /requests/ reaches the same request
        Answer other = http.awaitCompleted(sandbox.baseUrl() + "/some/other/app/path/requests/" + id + "/status");
        assertThat(other.json().get("request_id").asText()).isEqualTo(id);
    }

    @Test
    void statesAreVisibleWhileQueuedAndRunning() {
        Answer queued = http.submit("fal-ai/flux-1/dev", "{\"prompt\":\"long queue " + SandboxMarkers.SLOW_QUEUE + "\"}");
        String statusUrl = queued.json().get("status_url").asText();
        Answer inQueue = http.get(statusUrl);
        assertThat(inQueue.status()).isEqualTo(202);
        assertThat(inQueue.json().get("status").asText()).isEqualTo("IN_QUEUE");
        assertThat(inQueue.json().get("queue_position").asInt()).isGreaterThanOrEqualTo(0);
        Answer early = http.get(queued.json().get("response_url").asText());
        assertThat(early.status()).isEqualTo(400);
        assertThat(early.json().get("detail").asText()).isNotBlank();
        http.put(queued.json().get("cancel_url").asText());

        Answer running = http.submit("fal-ai/flux-1/dev", "{\"prompt\":\"long run " + SandboxMarkers.SLOW_RUN + "\"}");
        Answer inProgress = http.pollStatus(running.json().get("status_url").asText() + "?logs=1",
                a -> "IN_PROGRESS".equals(a.json().get("status").asText()));
        assertThat(inProgress.status()).isEqualTo(202);
        assertThat(inProgress.json().get("logs").isArray()).isTrue();
        assertThat(http.get(running.json().get("status_url").asText()).json().get("logs").isNull()).isTrue();
        assertThat(http.get(running.json().get("response_url").asText()).status()).isEqualTo(400);
    }

    @Test
    void unknownRequestsAre404() {
        String id = UUID.randomUUID().toString();
        String base = sandbox.baseUrl() + "/fal-ai/flux-1/requests/" + id;
        assertThat(http.get(base + "/status").status()).isEqualTo(404);
        assertThat(http.get(base).status()).isEqualTo(404);
        Answer cancel = http.put(base + "/cancel");
        assertThat(cancel.status()).isEqualTo(404);
        assertThat(cancel.json().get("status").asText()).isEqualTo("NOT_FOUND");
    }

    @Test
    void cancelWhileQueuedEndsTheRequestAsCancelled() {
        Answer submit = http.submit("fal-ai/flux-1/dev", "{\"prompt\":\"" + SandboxMarkers.SLOW_QUEUE + "\"}");
        String id = submit.json().get("request_id").asText();

        Answer cancel = http.put(submit.json().get("cancel_url").asText());
        assertThat(cancel.status()).isEqualTo(202);
        assertThat(cancel.json().get("status").asText()).isEqualTo("CANCELLATION_REQUESTED");
        assertThat(sandbox.cancelRequested(id)).isTrue();

        Answer status = http.get(submit.json().get("status_url").asText());
        assertThat(status.status()).isEqualTo(200);
        assertThat(status.json().get("status").asText()).isEqualTo("COMPLETED");
        assertThat(status.json().get("error_type").asText()).isEqualTo("client_cancelled");
        assertThat(status.json().get("error").asText()).isNotBlank();

        Answer result = http.get(submit.json().get("response_url").asText());
        assertThat(result.status()).isEqualTo(499);
        assertThat(result.json().get("error_type").asText()).isEqualTo("client_cancelled");
        assertThat(result.header("X-Fal-Error-Type")).isEqualTo("client_cancelled");
        assertThat(result.header("X-Fal-Billable-Units")).isEqualTo("0");

        Answer again = http.put(submit.json().get("cancel_url").asText());
        assertThat(again.status()).isEqualTo(400);
        assertThat(again.json().get("status").asText()).isEqualTo("ALREADY_COMPLETED");
    }

    @Test
    void cancelWhileRunningIsAcceptedButTheRunCompletes() {
        Answer submit = http.submit("fal-ai/flux-1/dev", "{\"prompt\":\"" + SandboxMarkers.SLOW_RUN + "\",\"num_images\":2}");
        String statusUrl = submit.json().get("status_url").asText();
        http.pollStatus(statusUrl, a -> "IN_PROGRESS".equals(a.json().get("status").asText()));

        Answer cancel = http.put(submit.json().get("cancel_url").asText());
        assertThat(cancel.status()).isEqualTo(202);
        assertThat(cancel.json().get("status").asText()).isEqualTo("CANCELLATION_REQUESTED");
        assertThat(sandbox.cancelRequested(submit.json().get("request_id").asText())).isTrue();

        Answer done = http.awaitCompleted(statusUrl);
        assertThat(done.json().has("error")).isFalse();
        Answer result = http.get(submit.json().get("response_url").asText());
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.json().get("images")).hasSize(2);
    }

    @Test
    void cancelAfterCompletionIsAlreadyCompleted() {
        Answer submit = http.submit("fal-ai/flux-1/dev", "{\"prompt\":\"quick\"}");
        http.awaitCompleted(submit.json().get("status_url").asText());
        Answer cancel = http.put(submit.json().get("cancel_url").asText());
        assertThat(cancel.status()).isEqualTo(400);
        assertThat(cancel.json().get("status").asText()).isEqualTo("ALREADY_COMPLETED");
    }

    @Test
    void statusStreamSendsEventsUntilCompletedThenCloses() throws Exception {
        Answer submit = http.submit("fal-ai/flux-1/dev", "{\"prompt\":\"stream me\"}");
        HttpResponse<Stream<String>> response = http.client.send(
                HttpRequest.newBuilder(URI.create(submit.json().get("status_url").asText() + "/stream?logs=1"))
                        .header("Authorization", SandboxHttp.KEY).timeout(SandboxHttp.DEADLINE).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");

        List<JsonNode> events = new ArrayList<>();
        try (Stream<String> lines = response.body()) {
            // the stream must end by itself after COMPLETED; reading to the end proves it closed
            lines.filter(l -> l.startsWith("data: ")).forEach(l -> events.add(read(l.substring(6))));
        }
        assertThat(events).isNotEmpty();
        JsonNode last = events.get(events.size() - 1);
        assertThat(last.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(last.get("logs").isArray()).isTrue();
        assertThat(events.stream().filter(e -> "COMPLETED".equals(e.get("status").asText()))).hasSize(1);
    }

    @Test
    void statusStreamPingsWhileWaitingAndEndsWhenTheQueuedRequestIsCancelled() throws Exception {
        Duration ping = sandbox.settings().ssePingInterval();
        sandbox.settings().ssePingInterval(Duration.ofMillis(10));
        try {
            Answer submit = http.submit("fal-ai/flux-1/dev", "{\"prompt\":\"" + SandboxMarkers.SLOW + "\"}");
            HttpResponse<Stream<String>> response = http.client.send(
                    HttpRequest.newBuilder(URI.create(submit.json().get("status_url").asText() + "/stream"))
                            .header("Authorization", SandboxHttp.KEY).timeout(SandboxHttp.DEADLINE).build(),
                    HttpResponse.BodyHandlers.ofLines());
            List<String> seen = new ArrayList<>();
            try (Stream<String> lines = response.body()) {
                lines.forEach(line -> {
                    seen.add(line);
                    if (line.equals(": ping") && seen.stream().filter(": ping"::equals).count() == 1) {
                        http.put(submit.json().get("cancel_url").asText());
                    }
                });
            }
            assertThat(seen).contains(": ping");
            assertThat(seen.get(0)).startsWith("data: ").contains("IN_QUEUE");
            String lastData = seen.stream().filter(l -> l.startsWith("data: ")).reduce((a, b) -> b).orElseThrow();
            assertThat(read(lastData.substring(6)).get("status").asText()).isEqualTo("COMPLETED");
        } finally {
            sandbox.settings().ssePingInterval(ping);
        }
    }

    @Test
    void withoutAKeyTheAnswerIs401AsFal() {
        Answer none = http.send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/fal-ai/flux-1/dev"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"x\"}")));
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.json().get("detail").asText()).isEqualTo("No user found for Key ID and Secret");

        Answer bearer = http.send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/fal-ai/flux-1/dev"))
                .header("Authorization", "Bearer abc").POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(bearer.status()).isEqualTo(401);

        Answer submit = http.submit("fal-ai/flux-1/dev", "{\"prompt\":\"x\"}");
        Answer status = http.send(HttpRequest.newBuilder(URI.create(submit.json().get("status_url").asText())).GET());
        assertThat(status.status()).isEqualTo(401);
    }

    @Test
    void aRequiredKeyMustMatch() {
        sandbox.settings().requiredKey(java.util.Optional.of("the-operator:secret"));
        try {
            Answer wrong = http.submit("fal-ai/flux-1/dev", "{\"prompt\":\"x\"}");
            assertThat(wrong.status()).isEqualTo(401);
            Answer right = http.send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/fal-ai/flux-1/dev"))
                    .header("Authorization", "Key the-operator:secret")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"x\"}")));
            assertThat(right.status()).isEqualTo(200);
        } finally {
            sandbox.settings().requiredKey(java.util.Optional.empty());
        }
    }

    @Test
    void aBodyThatIsNotAJsonObjectIs422WithFalsDetailList() {
        for (String body : List.of("[1,2]", "\"text\"", "{not json", "")) {
            Answer answer = http.submit("fal-ai/flux-1/dev", body);
            assertThat(answer.status()).as(body).isEqualTo(422);
            JsonNode detail = answer.json().get("detail");
            assertThat(detail.isArray()).isTrue();
            assertThat(detail.get(0).has("loc")).isTrue();
            assertThat(detail.get(0).has("msg")).isTrue();
            assertThat(detail.get(0).has("type")).isTrue();
        }
    }

    @Test
    void anInvalidNumImagesFailsTheRunWith422LikeFalsModelValidation() {
        Answer submit = http.submit("fal-ai/flux-1/dev", "{\"prompt\":\"x\",\"num_images\":0}");
        assertThat(submit.status()).isEqualTo(200);
        Answer status = http.awaitCompleted(submit.json().get("status_url").asText());
        assertThat(status.json().get("error_type").asText()).isEqualTo("greater_than_equal");
        Answer result = http.get(submit.json().get("response_url").asText());
        assertThat(result.status()).isEqualTo(422);
        assertThat(result.json().at("/detail/0/loc/1").asText()).isEqualTo("num_images");
    }

    @Test
    void maxQueueLengthIsHonoured() {
        Answer waiting = http.submit("sandbox-test/queue-limit", "{\"prompt\":\"" + SandboxMarkers.SLOW_QUEUE + "\"}");
        assertThat(waiting.status()).isEqualTo(200);
        try {
            Answer refused = http.submit("sandbox-test/queue-limit", "?fal_max_queue_length=0", "{\"prompt\":\"x\"}");
            assertThat(refused.status()).isEqualTo(429);
            Answer allowed = http.submit("sandbox-test/queue-limit", "?fal_max_queue_length=1000", "{\"prompt\":\"x\"}");
            assertThat(allowed.status()).isEqualTo(200);
        } finally {
            http.put(waiting.json().get("cancel_url").asText());
        }
    }

    @Test
    void submitsAreRecordedForOtherTests() {
        String hook = "http://127.0.0.1:1/hook?x=1";
        Answer submit = http.send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl()
                        + "/fal-ai/flux-1/dev?fal_webhook=" + java.net.URLEncoder.encode(hook, java.nio.charset.StandardCharsets.UTF_8)))
                .header("Authorization", "Key operator:secret")
                .header("X-Fal-Queue-Priority", "low")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"recorded " + SandboxMarkers.NO_WEBHOOK + "\"}")));
        String id = submit.json().get("request_id").asText();

        ReceivedSubmit received = sandbox.receivedSubmit(id).orElseThrow();
        assertThat(received.requestId()).isEqualTo(id);
        assertThat(received.method()).isEqualTo("POST");
        assertThat(received.path()).isEqualTo("/fal-ai/flux-1/dev");
        assertThat(received.query()).startsWith("fal_webhook=");
        assertThat(received.header("authorization")).hasValue("Key operator:secret");
        assertThat(received.header("X-FAL-QUEUE-PRIORITY")).hasValue("low");
        assertThat(received.body()).contains("recorded");
        assertThat(received.status()).isEqualTo(200);
        assertThat(sandbox.lastSubmits(1)).containsExactly(received);
        assertThat(sandbox.counters().accepted()).isPositive();

        Answer refused = http.submit("fal-ai/flux-1/dev", "[]");
        assertThat(refused.status()).isEqualTo(422);
        ReceivedSubmit last = sandbox.lastSubmits(2).get(0);
        assertThat(last.requestId()).isNull();
        assertThat(last.status()).isEqualTo(422);
        assertThat(sandbox.lastSubmits(2).get(1)).isEqualTo(received);
    }

    private static JsonNode read(String json) {
        try {
            return SandboxHttp.JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
