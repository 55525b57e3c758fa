package io.creditproxy.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.creditproxy.sandbox.SandboxHttp.Answer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The simulator forgets finished requests as fal forgets results: after {@code sandbox.result-retention}, or
 * {@code sandbox.large-result-retention} for a result of {@code sandbox.large-result-bytes} or more, status, result and
 * cancel answer 404 as for an unknown request. A request still running is never forgotten.
 */
@QuarkusTest
class SandboxRetentionTest {

    @Inject
    SandboxServer sandbox;

    @Test
    void aLargeResultIsForgottenSoonerThanASmallOne() throws Exception {
        SandboxHttp http = new SandboxHttp(sandbox.baseUrl());
        SandboxSettings saved = sandbox.settings().copy();
        try {
            // a 1-image result is ~300 bytes, a 4-image one ~800: 500 bytes tells them apart
            sandbox.settings().largeResultBytes(500).resultRetention(Duration.ofHours(1))
                    .largeResultRetention(Duration.ofMillis(300));
            JsonNode small = http.submit("fal-ai/flux-1/dev", "{\"prompt\":\"small\"}").json();
            JsonNode large = http.submit("fal-ai/flux-1/dev", "{\"prompt\":\"large\",\"num_images\":4}").json();
            http.awaitCompleted(small.get("status_url").asText());
            http.awaitCompleted(large.get("status_url").asText());
            // within the retention both are there
            assertThat(http.get(large.get("response_url").asText()).status()).isEqualTo(200);

            Thread.sleep(600);
            Answer largeResult = http.get(large.get("response_url").asText());
            assertThat(largeResult.status()).isEqualTo(404);
            assertThat(largeResult.json().get("detail").asText()).isEqualTo("Request not found");
            assertThat(http.get(large.get("status_url").asText()).status()).isEqualTo(404);
            assertThat(http.put(large.get("cancel_url").asText()).status()).isEqualTo(404);
            Answer smallResult = http.get(small.get("response_url").asText());
            assertThat(smallResult.status()).isEqualTo(200);
            assertThat(smallResult.json().get("images")).hasSize(1);

            sandbox.settings().resultRetention(Duration.ofMillis(1));
            Thread.sleep(10);
            assertThat(http.get(small.get("response_url").asText()).status()).isEqualTo(404);
        } finally {
            sandbox.settings().applyRuntime(saved);
        }
    }

    @Test
    void aRunningRequestIsNeverForgotten() {
        SandboxHttp http = new SandboxHttp(sandbox.baseUrl());
        SandboxSettings saved = sandbox.settings().copy();
        try {
            sandbox.settings().resultRetention(Duration.ofMillis(1)).largeResultRetention(Duration.ofMillis(1));
            JsonNode slow = http.submit("fal-ai/flux-1/dev", "{\"prompt\":\"[sandbox:slow]\"}").json();
            Answer status = http.get(slow.get("status_url").asText());
            assertThat(status.status()).isEqualTo(202);
            assertThat(http.get(slow.get("response_url").asText()).status()).isEqualTo(400);
        } finally {
            sandbox.settings().applyRuntime(saved);
        }
    }
}
