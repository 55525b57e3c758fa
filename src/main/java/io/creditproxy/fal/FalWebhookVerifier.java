package io.creditproxy.fal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditproxy.common.ApiException;
import io.creditproxy.common.Ed25519;
import io.creditproxy.config.FalConfig;
import io.creditproxy.config.SettlementConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Verifies fal's webhook signatures: Ed25519 over {@code request_id \n user_id \n timestamp \n hex(sha256(body))},
 * with keys from fal's JWKS (cached, refetched at most once a minute when no key verifies, in case fal rotated),
 * and a timestamp window against replays of old deliveries.
 */
@ApplicationScoped
public class FalWebhookVerifier {

    private static final Logger LOG = Logger.getLogger(FalWebhookVerifier.class);
    private static final Duration MIN_REFETCH = Duration.ofSeconds(60);

    private final SettlementConfig config;
    private final FalConfig fal;
    private final FalUpstream upstream;
    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private volatile List<PublicKey> keys = List.of();
    private volatile long fetchedAt;

    public FalWebhookVerifier(SettlementConfig config, FalConfig fal, FalUpstream upstream, ObjectMapper json) {
        this.config = config;
        this.fal = fal;
        this.upstream = upstream;
        this.json = json;
    }

    /** The headers fal sends with a webhook. */
    public record Signature(String requestId, String userId, String timestamp, String signatureHex) {
    }

    /**
     * @throws ApiException 401 for a missing, malformed, stale or wrong signature; 403 for a webhook of another fal
     *                      account than {@code fal.user-id}, when that is set
     */
    public void verify(Signature sig, byte[] body, long nowEpochSeconds) {
        if (sig.requestId() == null || sig.userId() == null || sig.timestamp() == null || sig.signatureHex() == null) {
            throw refused("missing signature headers");
        }
        long timestamp;
        try {
            timestamp = Long.parseLong(sig.timestamp().trim());
        } catch (NumberFormatException e) {
            throw refused("bad timestamp");
        }
        if (Math.abs(nowEpochSeconds - timestamp) > config.webhookTimestampWindow().toSeconds()) {
            throw refused("timestamp outside the accepted window");
        }
        byte[] message = Ed25519.falWebhookMessage(sig.requestId(), sig.userId(), sig.timestamp(), body);
        boolean verified = anyVerifies(currentKeys(false), message, sig.signatureHex())
                || (System.currentTimeMillis() - fetchedAt > MIN_REFETCH.toMillis()
                && anyVerifies(currentKeys(true), message, sig.signatureHex()));
        if (!verified) {
            throw refused("signature does not verify");
        }
        // fal signs every account's webhooks with the same keys: a tenant with its own fal account could have fal
        // call this endpoint. Pinned to the operator's account, only its own webhooks count.
        String operator = fal.userId().map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
        if (operator != null && !operator.equals(sig.userId())) {
            LOG.warn("refused a validly signed fal webhook sent for another fal account");
            throw new ApiException(403, "foreign_fal_account", "Webhook refused: it was sent for another fal account.");
        }
    }

    private static boolean anyVerifies(List<PublicKey> keys, byte[] message, String signatureHex) {
        for (PublicKey key : keys) {
            if (Ed25519.verifyHex(key, message, signatureHex)) {
                return true;
            }
        }
        return false;
    }

    private List<PublicKey> currentKeys(boolean forceRefetch) {
        long age = System.currentTimeMillis() - fetchedAt;
        if (forceRefetch || keys.isEmpty() || age > config.jwksCacheTtl().toMillis()) {
            synchronized (this) {
                if (forceRefetch || keys.isEmpty() || System.currentTimeMillis() - fetchedAt > config.jwksCacheTtl().toMillis()) {
                    fetch();
                }
            }
        }
        return keys;
    }

    private void fetch() {
        String url = upstream.jwksUrl();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                LOG.warnf("JWKS fetch from %s answered %d", URI.create(url).getHost(), response.statusCode());
                return;
            }
            List<PublicKey> fetched = new ArrayList<>();
            for (JsonNode key : json.readTree(response.body()).path("keys")) {
                if ("OKP".equals(key.path("kty").asText()) && "Ed25519".equals(key.path("crv").asText()) && key.hasNonNull("x")) {
                    fetched.add(Ed25519.fromJwkX(key.get("x").asText()));
                }
            }
            keys = List.copyOf(fetched);
            fetchedAt = System.currentTimeMillis();
            LOG.infof("fetched %d webhook signing key(s) from %s", fetched.size(), URI.create(url).getHost());
        } catch (Exception e) {
            LOG.warnf("JWKS fetch failed: %s", e.getClass().getSimpleName());
        }
    }

    private static ApiException refused(String why) {
        return new ApiException(401, "bad_signature", "Webhook refused: " + why + ".");
    }
}
