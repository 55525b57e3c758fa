package io.creditproxy.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditproxy.common.Ed25519;
import io.creditproxy.config.AdminJwtConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Signs tenants' webhooks in fal's own format, so that a tenant verifies them with fal's documented code and the
 * proxy's JWKS URL: headers {@code X-Fal-Webhook-Request-Id} (the job's request id), {@code X-Fal-Webhook-User-Id}
 * (the tenant's id), {@code X-Fal-Webhook-Timestamp} (unix seconds, at each attempt) and
 * {@code X-Fal-Webhook-Signature}: hex Ed25519 over {@code request_id \n user_id \n timestamp \n hex(sha256(body))}
 * ({@link Ed25519#falWebhookMessage}, the message the proxy itself verifies on fal's webhooks). The key pair is kept in
 * PostgreSQL ({@link WebhookSigningKeyStore}), loaded at start (a stored key that cannot be opened stops the start).
 */
@ApplicationScoped
public class WebhookSigningKeys {

    private static final Logger LOG = Logger.getLogger(WebhookSigningKeys.class);
    /** the JWKS is read from the database at most this often */
    private static final long PUBLISHED_TTL_MS = 60_000;

    public static final String REQUEST_ID = "X-Fal-Webhook-Request-Id";
    public static final String USER_ID = "X-Fal-Webhook-User-Id";
    public static final String TIMESTAMP = "X-Fal-Webhook-Timestamp";
    public static final String SIGNATURE = "X-Fal-Webhook-Signature";

    private final WebhookSigningKeyStore store;
    private final AdminJwtConfig secretConfig;
    private final ObjectMapper json;
    private volatile WebhookSigningKeyStore.ActiveKey active;
    private volatile List<WebhookSigningKeyStore.PublishedKey> published;
    private volatile long publishedAt;

    public WebhookSigningKeys(WebhookSigningKeyStore store, AdminJwtConfig secretConfig, ObjectMapper json) {
        this.store = store;
        this.secretConfig = secretConfig;
        this.json = json;
    }

    void onStart(@Observes StartupEvent event) {
        WebhookSigningKeyStore.ActiveKey key = active();
        String encryption = key.encrypted() ? "encrypted with ADMIN_JWT_KEY_SECRET"
                : "NOT encrypted: set ADMIN_JWT_KEY_SECRET to encrypt it";
        LOG.infof("Tenant webhooks are signed with Ed25519, kid %s (%s, kept in PostgreSQL, table "
                + "webhook_signing_keys; %s); public keys at /.well-known/jwks.json.", key.kid(),
                key.generated() ? "generated now" : "stored", encryption);
    }

    /** The key that signs, loaded once. */
    WebhookSigningKeyStore.ActiveKey active() {
        WebhookSigningKeyStore.ActiveKey current = active;
        if (current == null) {
            synchronized (this) {
                current = active;
                if (current == null) {
                    current = store.loadOrCreate(secretConfig.keySecret());
                    active = current;
                }
            }
        }
        return current;
    }

    /** The public keys tenants verify with, as fal's JWKS: {@code {"keys":[{kty, crv, x, kid, use, alg}]}}. */
    public Map<String, Object> jwks() {
        List<WebhookSigningKeyStore.PublishedKey> keys = published;
        if (keys == null || System.currentTimeMillis() - publishedAt > PUBLISHED_TTL_MS) {
            keys = store.published();
            published = keys;
            publishedAt = System.currentTimeMillis();
        }
        return Map.of("keys", keys.stream().map(k -> {
            Map<String, String> jwk = new LinkedHashMap<>();
            jwk.put("kty", "OKP");
            jwk.put("crv", "Ed25519");
            jwk.put("x", k.x());
            jwk.put("kid", k.kid());
            jwk.put("use", "sig");
            jwk.put("alg", "EdDSA");
            return jwk;
        }).toList());
    }

    /**
     * fal's four signature headers for one attempt of a delivery.
     *
     * @param requestId the job's fal request id (the payload's {@code request_id})
     * @param tenantId  sent as the user id: the tenant is the proxy's "user"
     * @param body      the exact bytes POSTed
     */
    Map<String, String> sign(String requestId, long tenantId, byte[] body, long timestampSeconds) {
        String userId = Long.toString(tenantId);
        String timestamp = Long.toString(timestampSeconds);
        String signature = Ed25519.signHex(active().pair().getPrivate(),
                Ed25519.falWebhookMessage(requestId, userId, timestamp, body));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(REQUEST_ID, requestId);
        headers.put(USER_ID, userId);
        headers.put(TIMESTAMP, timestamp);
        headers.put(SIGNATURE, signature);
        return headers;
    }

    /** The headers of a claimed delivery, signed now. */
    Map<String, String> sign(ClaimedDelivery delivery) {
        byte[] body = delivery.payload().getBytes(StandardCharsets.UTF_8);
        return sign(requestIdOf(delivery), delivery.tenantId(), body, System.currentTimeMillis() / 1000);
    }

    /** The payload's request_id (fal's); the job id when the payload has none. */
    private String requestIdOf(ClaimedDelivery delivery) {
        try {
            JsonNode id = json.readTree(delivery.payload()).get("request_id");
            if (id != null && id.isTextual() && !id.asText().isBlank()) {
                return id.asText();
            }
        } catch (Exception e) {
            // fall through: the job id identifies the delivery as well
        }
        return delivery.jobId().toString();
    }
}
