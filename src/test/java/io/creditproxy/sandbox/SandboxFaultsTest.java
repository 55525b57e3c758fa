package io.creditproxy.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.creditproxy.sandbox.SandboxHttp.Answer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every fault marker of {@link SandboxMarkers} (webhook markers are in {@link SandboxWebhookTest}). */
@QuarkusTest
class SandboxFaultsTest {

    @Inject
    SandboxServer sandbox;

    SandboxHttp http;

    @BeforeEach
    void client() {
        http = new SandboxHttp(sandbox.baseUrl());
    }

    @Test
    void markersAreFoundAnywhereInThePromptAndCaseInsensitive() {
        assertThat(SandboxMarkers.parse("a [SANDBOX:Fail] cat [sandbox:fewer-images] [sandbox:unknown]"))
                .containsExactlyInAnyOrder(SandboxMarkers.FAIL, SandboxMarkers.FEWER_IMAGES);
        assertThat(SandboxMarkers.parse("no markers")).isEmpty();
        assertThat(SandboxMarkers.parse(null)).isEmpty();
        assertThat(SandboxMarkers.SUBMIT_HANG.marker()).isEqualTo("[sandbox:submit-hang]");
    }

    @Test
    void failMakesTheRunFailWithAModelError() {
        Answer submit = http.submit("fal-ai/flux-1/dev", "{\"prompt\":\"boom " + SandboxMarkers.FAIL + "\"}");
        assertThat(submit.status()).isEqualTo(200);

        Answer status = http.awaitCompleted(submit.json().get("status_url").asText());
        assertThat(status.status()).isEqualTo(200);
        assertThat(status.json().get("error").asText()).isNotBlank();
        assertThat(status.json().get("error_type").asText()).isEqualTo("internal_server_error");

        Answer result = http.get(submit.json().get("response_url").asText());
        assertThat(result.status()).isEqualTo(500);
        JsonNode detail = result.json().get("detail");
        assertThat(detail.isArray()).isTrue();
        assertThat(detail.get(0).get("type").asText()).isEqualTo("internal_server_error");
        assertThat(detail.get(0).get("loc").get(0).asText()).isEqualTo("body");
        assertThat(result.header("X-Fal-Billable-Units")).isEqualTo("0");
        assertThat(result.header("x-fal-request-id")).isEqualTo(submit.json().get("request_id").asText());
    }

    @Test
    void fail422AnswersFalsValidationErrorAsTheResult() {
        Answer submit = http.submit("fal-ai/flux-1/dev", "{\"prompt\":\"" + SandboxMarkers.FAIL_422 + "\"}");
        http.awaitCompleted(submit.json().get("status_url").asText());
        Answer result = http.get(submit.json().get("response_url").asText());
        assertThat(result.status()).isEqualTo(422);
        assertThat(result.json().at("/detail/0/type").asText()).isEqualTo("content_policy_violation");
        assertThat(result.json().at("/detail/0/msg").asText()).isNotBlank();
        assertThat(result.header("X-Fal-Retryable")).isEqualTo("false");
    }

    @Test
    void slowKeepsTheRequestQueuedForTheSlowDelay() {
        Answer submit = http.submit("fal-ai/flux-1/dev", "{\"prompt\":\"" + SandboxMarkers.SLOW + "\"}");
        try {
            Answer status = http.get(submit.json().get("status_url").asText());
            // slow-delay is 2 s in tests and the normal queue delay 20 ms: still queued right after the submit
            assertThat(status.status()).isEqualTo(202);
            assertThat(status.json().get("status").asText()).isEqualTo("IN_QUEUE");
        } finally {
            http.put(submit.json().get("cancel_url").asText());
        }
    }

    @Test
    void submit500AnswersFalsInternalServerError() {
        Answer answer = http.submit("fal-ai/flux-1/dev", "{\"prompt\":\"" + SandboxMarkers.SUBMIT_500 + "\"}");
        assertThat(answer.status()).isEqualTo(500);
        assertThat(answer.json().get("detail").asText()).isEqualTo("Internal Server Error");
        assertThat(sandbox.lastSubmits(1).get(0).status()).isEqualTo(500);
        assertThat(sandbox.lastSubmits(1).get(0).requestId()).isNull();
    }

    @Test
    void submit422AnswersFalsValidationError() {
        Answer answer = http.submit("fal-ai/flux-1/dev", "{\"prompt\":\"" + SandboxMarkers.SUBMIT_422 + "\"}");
        assertThat(answer.status()).isEqualTo(422);
        JsonNode entry = answer.json().get("detail").get(0);
        assertThat(entry.get("loc").isArray()).isTrue();
        assertThat(entry.get("msg").asText()).isNotBlank();
        assertThat(entry.get("type").asText()).isNotBlank();
    }

    @Test
    void submitHangNeverAnswersSoTheCallersTimeoutFires() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/fal-ai/flux-1/dev"))
                .header("Authorization", SandboxHttp.KEY)
                .timeout(Duration.ofMillis(300))
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"" + SandboxMarkers.SUBMIT_HANG + "\"}"))
                .build();
        HttpClient client = HttpClient.newHttpClient();
        assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
        ReceivedSubmit hung = sandbox.lastSubmits(1).get(0);
        assertThat(hung.body()).contains("submit-hang");
        assertThat(hung.status()).isZero();
    }

    @Test
    void submitResetDropsTheConnection() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/fal-ai/flux-1/dev"))
                .header("Authorization", SandboxHttp.KEY)
                .timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"" + SandboxMarkers.SUBMIT_RESET + "\"}"))
                .build();
        HttpClient client = HttpClient.newHttpClient();
        assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(HttpTimeoutException.class);
        assertThat(sandbox.lastSubmits(1).get(0).body()).contains("submit-reset");
    }

    @Test
    void fewerImagesDeliversOneImageLessAndBillsWhatWasDelivered() {
        Answer submit = http.submit("fal-ai/flux-1/dev",
                "{\"prompt\":\"" + SandboxMarkers.FEWER_IMAGES + "\",\"num_images\":3}");
        http.awaitCompleted(submit.json().get("status_url").asText());
        Answer result = http.get(submit.json().get("response_url").asText());
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.json().get("images")).hasSize(2);
        assertThat(result.header("X-Fal-Billable-Units")).isEqualTo("2");
    }
}
