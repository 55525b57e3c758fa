package io.creditproxy.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.creditproxy.common.Ed25519;
import io.creditproxy.sandbox.SandboxHttp.Answer;
import io.creditproxy.sandbox.WebhookReceiver.Delivery;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Webhooks as fal sends them: body, headers, Ed25519 signature checked against the simulator's JWKS, retries. */
@QuarkusTest
class SandboxWebhookTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    SandboxServer sandbox;

    SandboxHttp http;
    PublicKey jwksKey;

    @BeforeEach
    void client() {
        http = new SandboxHttp(sandbox.baseUrl());
        // the JWKS is public, as fal's is: no Authorization header
        Answer jwks = http.send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/.well-known/jwks.json")).GET());
        assertThat(jwks.status()).isEqualTo(200);
        JsonNode key = jwks.json().get("keys").get(0);
        assertThat(key.get("kty").asText()).isEqualTo("OKP");
        assertThat(key.get("crv").asText()).isEqualTo("Ed25519");
        assertThat(key.get("kid").asText()).isNotBlank();
        jwksKey = Ed25519.fromJwkX(key.get("x").asText());
    }

    private boolean validlySigned(Delivery d) {
        byte[] message = Ed25519.falWebhookMessage(d.header("X-Fal-Webhook-Request-Id"),
                d.header("X-Fal-Webhook-User-Id"), d.header("X-Fal-Webhook-Timestamp"), d.body());
        return Ed25519.verifyHex(jwksKey, message, d.header("X-Fal-Webhook-Signature"));
    }

    private Answer submitWithWebhook(WebhookReceiver receiver, String body) {
        return http.submit("fal-ai/flux-1/dev",
                "?fal_webhook=" + URLEncoder.encode(receiver.url(), StandardCharsets.UTF_8), body);
    }

    @Test
    void completedRequestIsPostedSignedLikeFal() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(d -> 200)) {
            Answer submit = submitWithWebhook(receiver, "{\"prompt\":\"hooked\",\"num_images\":2}");
            String id = submit.json().get("request_id").asText();

            Delivery d = receiver.next(WAIT);
            assertThat(d).isNotNull();
            assertThat(d.header("Content-Type")).startsWith("application/json");
            assertThat(d.header("X-Fal-Webhook-Request-Id")).isEqualTo(id);
            assertThat(d.header("X-Fal-Webhook-User-Id")).isNotBlank();
            long timestamp = Long.parseLong(d.header("X-Fal-Webhook-Timestamp"));
            assertThat(Math.abs(System.currentTimeMillis() / 1000 - timestamp)).isLessThanOrEqualTo(300);
            assertThat(d.header("X-Fal-Webhook-Signature")).matches("[0-9a-f]{128}");
            assertThat(validlySigned(d)).isTrue();

            JsonNode body = SandboxHttp.JSON.readTree(d.body());
            assertThat(body.get("request_id").asText()).isEqualTo(id);
            assertThat(body.get("gateway_request_id").asText()).isEqualTo(id);
            assertThat(body.get("status").asText()).isEqualTo("OK");
            assertThat(body.get("error").isNull()).isTrue();
            assertThat(body.at("/payload/images")).hasSize(2);

            // a body changed in transit no longer matches the signature
            byte[] tampered = Arrays.copyOf(d.body(), d.body().length);
            tampered[tampered.length - 2] ^= 1;
            assertThat(validlySigned(new Delivery(d.headers(), tampered))).isFalse();
            // nor does a signature checked under another key
            assertThat(Ed25519.verifyHex(Ed25519.generateKeyPair().getPublic(),
                    Ed25519.falWebhookMessage(id, d.header("X-Fal-Webhook-User-Id"), d.header("X-Fal-Webhook-Timestamp"), d.body()),
                    d.header("X-Fal-Webhook-Signature"))).isFalse();
            assertThat(jwksKey.getEncoded()).isEqualTo(sandbox.webhookPublicKey().getEncoded());
        }
    }

    @Test
    void failedRunIsPostedAsError() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(d -> 200)) {
            submitWithWebhook(receiver, "{\"prompt\":\"" + SandboxMarkers.FAIL_422 + "\"}");
            Delivery d = receiver.next(WAIT);
            assertThat(validlySigned(d)).isTrue();
            JsonNode body = SandboxHttp.JSON.readTree(d.body());
            assertThat(body.get("status").asText()).isEqualTo("ERROR");
            assertThat(body.get("error").asText()).contains("422");
            assertThat(body.at("/payload/detail/0/type").asText()).isEqualTo("content_policy_violation");
        }
    }

    @Test
    void requestCancelledInQueueIsPostedAsError() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(d -> 200)) {
            Answer submit = submitWithWebhook(receiver, "{\"prompt\":\"" + SandboxMarkers.SLOW_QUEUE + "\"}");
            assertThat(http.put(submit.json().get("cancel_url").asText()).status()).isEqualTo(202);
            Delivery d = receiver.next(WAIT);
            JsonNode body = SandboxHttp.JSON.readTree(d.body());
            assertThat(body.get("status").asText()).isEqualTo("ERROR");
            assertThat(body.at("/payload/error_type").asText()).isEqualTo("client_cancelled");
        }
    }

    @Test
    void aNon2xxAnswerIsRetried() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (WebhookReceiver receiver = new WebhookReceiver(d -> calls.incrementAndGet() == 1 ? 500 : 200)) {
            Answer submit = submitWithWebhook(receiver, "{\"prompt\":\"retry me\"}");
            Delivery first = receiver.next(WAIT);
            Delivery second = receiver.next(WAIT);
            assertThat(second).isNotNull();
            assertThat(validlySigned(first)).isTrue();
            assertThat(validlySigned(second)).isTrue();
            assertThat(second.header("X-Fal-Webhook-Request-Id")).isEqualTo(submit.json().get("request_id").asText());
            assertThat(new String(second.body(), StandardCharsets.UTF_8)).isEqualTo(new String(first.body(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void webhookFailsOnceSendsABadSignatureFirstThenTheGoodOne() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(d -> validlySigned(d) ? 200 : 401)) {
            submitWithWebhook(receiver, "{\"prompt\":\"" + SandboxMarkers.WEBHOOK_FAILS_ONCE + "\"}");
            Delivery first = receiver.next(WAIT);
            Delivery second = receiver.next(WAIT);
            assertThat(validlySigned(first)).isFalse();
            assertThat(second).isNotNull();
            assertThat(validlySigned(second)).isTrue();
        }
    }

    @Test
    void webhookDuplicateDeliversTwice() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(d -> 200)) {
            Answer submit = submitWithWebhook(receiver, "{\"prompt\":\"" + SandboxMarkers.WEBHOOK_DUPLICATE + "\"}");
            String id = submit.json().get("request_id").asText();
            Delivery first = receiver.next(WAIT);
            Delivery second = receiver.next(WAIT);
            assertThat(first.header("X-Fal-Webhook-Request-Id")).isEqualTo(id);
            assertThat(second.header("X-Fal-Webhook-Request-Id")).isEqualTo(id);
            assertThat(validlySigned(first)).isTrue();
            assertThat(validlySigned(second)).isTrue();
        }
    }

    @Test
    void webhookPayloadErrorSendsFalsOkWithoutPayloadWhileTheResultIsThere() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(d -> 200)) {
            Answer submit = submitWithWebhook(receiver,
                    "{\"prompt\":\"" + SandboxMarkers.WEBHOOK_PAYLOAD_ERROR + "\",\"num_images\":2}");
            Delivery d = receiver.next(WAIT);
            assertThat(validlySigned(d)).isTrue();
            JsonNode body = SandboxHttp.JSON.readTree(d.body());
            assertThat(body.get("status").asText()).isEqualTo("OK");
            assertThat(body.get("payload").isNull()).isTrue();
            assertThat(body.get("payload_error").asText()).isNotBlank();
            assertThat(body.get("error").isNull()).isTrue();
            // the run itself succeeded: its result is there, as fal's would be
            Answer result = http.get(submit.json().get("response_url").asText());
            assertThat(result.status()).isEqualTo(200);
            assertThat(result.json().get("images")).hasSize(2);
        }
    }

    @Test
    void submitLateQueuesTheRequestButAnswersOnlyAfterTheLateDelay() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(d -> 200)) {
            java.net.http.HttpRequest request = HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/fal-ai/flux-1/dev?fal_webhook="
                            + URLEncoder.encode(receiver.url(), StandardCharsets.UTF_8)))
                    .header("Authorization", SandboxHttp.KEY)
                    .timeout(Duration.ofMillis(500))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"" + SandboxMarkers.SUBMIT_LATE + "\"}"))
                    .build();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> java.net.http.HttpClient.newHttpClient()
                            .send(request, java.net.http.HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(java.net.http.HttpTimeoutException.class);
            // the caller gave up, but the request was queued: it runs and its webhook comes
            ReceivedSubmit late = sandbox.lastSubmits(1).get(0);
            assertThat(late.body()).contains("submit-late");
            assertThat(late.requestId()).isNotNull();
            Delivery d = receiver.next(Duration.ofSeconds(15));
            assertThat(d).isNotNull();
            assertThat(d.header("X-Fal-Webhook-Request-Id")).isEqualTo(late.requestId());
            assertThat(validlySigned(d)).isTrue();
            assertThat(SandboxHttp.JSON.readTree(d.body()).get("status").asText()).isEqualTo("OK");
        }
    }

    @Test
    void noWebhookMeansNoneIsSent() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(d -> 200)) {
            Answer silent = submitWithWebhook(receiver, "{\"prompt\":\"" + SandboxMarkers.NO_WEBHOOK + "\"}");
            http.awaitCompleted(silent.json().get("status_url").asText());
            // a later request to the same receiver: once its webhook is in, the earlier one would have been too
            Answer loud = submitWithWebhook(receiver, "{\"prompt\":\"after\"}");
            Delivery d = receiver.next(WAIT);
            assertThat(d.header("X-Fal-Webhook-Request-Id")).isEqualTo(loud.json().get("request_id").asText());
            assertThat(receiver.pending()).isZero();
        }
    }
}
