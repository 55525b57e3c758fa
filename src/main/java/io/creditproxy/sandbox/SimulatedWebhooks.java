package io.creditproxy.sandbox;

import io.creditproxy.common.Ed25519;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

/**
 * fal's webhooks as the simulator sends them when a request ends: fal's body shape, signed like fal's (Ed25519 over
 * request id, user id, timestamp and the body's SHA-256) with a key of its own whose JWKS it serves, retried with
 * back-off after a failed delivery. Faults by {@link SandboxMarkers}: a payload fal could not serialize, a first
 * delivery with a wrong signature, a delivery sent twice.
 */
final class SimulatedWebhooks {

    /** Where the simulator serves its signing key, like fal's JWKS. */
    static final String JWKS_PATH = "/.well-known/jwks.json";

    private static final System.Logger LOG = System.getLogger(SimulatedWebhooks.class.getName());

    private final Vertx vertx;
    private final SandboxSettings settings;
    private final KeyPair keys = Ed25519.generateKeyPair();
    private final String jwks;
    private final LongAdder attempts = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private volatile HttpClient client;

    SimulatedWebhooks(Vertx vertx, SandboxSettings settings) {
        this.vertx = vertx;
        this.settings = settings;
        this.jwks = new JsonObject().put("keys", new JsonArray().add(new JsonObject()
                .put("kty", "OKP")
                .put("crv", "Ed25519")
                .put("x", Ed25519.toJwkX(keys.getPublic()))
                .put("kid", "sandbox-" + UUID.randomUUID().toString().substring(0, 8))
                .put("use", "sig")
                .put("alg", "EdDSA"))).encode();
    }

    void start() {
        client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, settings.webhookTimeout().toMillis()))
                .setMaxPoolSize(64)
                .setTrustAll(false));
    }

    Future<Void> stop() {
        HttpClient current = client;
        return current == null ? Future.succeededFuture() : current.close();
    }

    String jwksJson() {
        return jwks;
    }

    PublicKey publicKey() {
        return keys.getPublic();
    }

    /** The four X-Fal-Webhook-* headers of a body signed as fal would, with this simulator's key. */
    Map<String, String> sign(String requestId, byte[] body, long timestampSeconds) {
        return headers(requestId, Long.toString(timestampSeconds), body);
    }

    long attempts() {
        return attempts.sum();
    }

    long delivered() {
        return delivered.sum();
    }

    long failed() {
        return failed.sum();
    }

    void resetCounters() {
        attempts.reset();
        delivered.reset();
        failed.reset();
    }

    /** The request ended: its webhook, in fal's shape. */
    void send(SimulatedRequest r) {
        ModelOutputs.Outcome outcome = r.finalOutcome();
        JsonObject body = new JsonObject()
                .put("request_id", r.id)
                .put("gateway_request_id", r.id)
                .put("status", outcome.ok() ? "OK" : "ERROR")
                .put("payload", outcome.body())
                .put("error", outcome.ok() ? null : "Invalid status code: " + outcome.status());
        if (outcome.ok() && r.markers.contains(SandboxMarkers.WEBHOOK_PAYLOAD_ERROR)) {
            // fal's documented shape for a successful run whose output it could not serialize
            body.putNull("payload").put("payload_error", "Response payload is not JSON serializable");
        }
        boolean corruptFirst = r.markers.contains(SandboxMarkers.WEBHOOK_FAILS_ONCE);
        boolean duplicate = r.markers.contains(SandboxMarkers.WEBHOOK_DUPLICATE);
        attempt(r, body.toBuffer(), 0, corruptFirst, duplicate);
    }

    private void attempt(SimulatedRequest r, Buffer raw, int attempt, boolean badSignature, boolean duplicate) {
        attempts.increment();
        // a bad signature is one over another body: well-formed, but a verifying receiver must refuse it
        byte[] signed = badSignature ? "tampered".getBytes(StandardCharsets.UTF_8) : raw.getBytes();
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(r.webhookUrl)
                .setIdleTimeout(settings.webhookTimeout().toMillis())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        headers(r.id, Long.toString(System.currentTimeMillis() / 1000), signed).forEach((k, v) -> options.putHeader(k, v));
        Future<Integer> sent;
        try {
            sent = client.request(options)
                    .compose(request -> request.send(raw))
                    .compose(response -> response.body().map(ignored -> response.statusCode()));
        } catch (RuntimeException e) {
            sent = Future.failedFuture(e);
        }
        sent.onComplete(ar -> {
            boolean ok = ar.succeeded() && ar.result() >= 200 && ar.result() < 300;
            if (ok) {
                delivered.increment();
                if (duplicate) {
                    attempt(r, raw, attempt, false, false);
                }
                return;
            }
            if (attempt < settings.webhookRetries()) {
                long backoff = settings.webhookRetryBackoff().toMillis() << Math.min(attempt, 16);
                vertx.setTimer(Math.max(1, backoff), t -> attempt(r, raw, attempt + 1, false, duplicate));
            } else {
                failed.increment();
                LOG.log(System.Logger.Level.WARNING, "sandbox: webhook for request " + r.id + " not delivered after "
                        + (attempt + 1) + " attempts (" + (ar.succeeded() ? "status " + ar.result() : ar.cause().toString()) + ")");
            }
        });
    }

    private Map<String, String> headers(String requestId, String timestamp, byte[] body) {
        String userId = settings.webhookUserId();
        String signature = Ed25519.signHex(keys.getPrivate(), Ed25519.falWebhookMessage(requestId, userId, timestamp, body));
        return Map.of("X-Fal-Webhook-Request-Id", requestId, "X-Fal-Webhook-User-Id", userId,
                "X-Fal-Webhook-Timestamp", timestamp, "X-Fal-Webhook-Signature", signature);
    }
}
