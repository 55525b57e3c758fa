package io.creditproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.creditproxy.support.FalJsClient;
import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A tenant's webhook, asked for by fal's official JS client ({@code fal.queue.submit} with {@code webhookUrl}, through
 * {@code proxyUrl}), reaches a loopback receiver in Node and verifies the way fal documents it, with node:crypto only and
 * the proxy's JWKS URL in place of fal's (src/test/node/compat-webhook.mjs). Needs Node and {@code npm ci} in
 * src/test/node; skipped without them, like {@link FalJsClientCompatTest}.
 */
@QuarkusTest
class FalJsWebhookCompatTest {

    @Test
    void aWebhookVerifiesTheWayFalDocumentsIt() throws Exception {
        FalJsClient.assumeInstalled();
        long tenant = Fixtures.createTenant("fal-js-webhook");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);

        JsonNode seen = FalJsClient.run("compat-webhook.mjs", Map.of("FAL_KEY", key));

        String requestId = seen.path("requestId").asText();
        assertThat(requestId).isNotBlank();
        assertThat(seen.path("path").asText()).isEqualTo("/fal/webhook?token=tenant-secret");
        assertThat(seen.path("headers").path("requestId").asText()).isEqualTo(requestId);
        assertThat(seen.path("headers").path("userId").asText()).isEqualTo(Long.toString(tenant));
        assertThat(seen.path("headers").path("deliveryId").asText()).isNotBlank();
        assertThat(seen.path("body").path("requestId").asText()).isEqualTo(requestId);
        assertThat(seen.path("body").path("status").asText()).isEqualTo("OK");
        assertThat(seen.path("body").path("images").asInt()).isEqualTo(1);
        assertThat(seen.path("verified").asBoolean()).isTrue();
        assertThat(seen.path("tamperedBody").asBoolean()).isFalse();
        assertThat(seen.path("tamperedTimestamp").asBoolean()).isFalse();

        // one image of FLUX schnell, 90 credits, charged once
        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000 - 90);
        assertThat(Fixtures.ledger(tenant)).filteredOn(e -> "reserve".equals(e.get("kind"))).hasSize(1);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }
}
