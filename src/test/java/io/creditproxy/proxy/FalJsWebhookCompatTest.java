package io.creditproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A tenant's webhook, asked for by fal's official JS client ({@code fal.queue.submit} with {@code webhookUrl}, through
 * {@code proxyUrl}), reaches a loopback receiver in Node and verifies the way fal documents it, with node:crypto only and
 * the proxy's JWKS URL in place of fal's (src/test/node/compat-webhook.mjs). Needs Node and {@code npm ci} in
 * src/test/node; skipped without them, like {@link FalJsClientCompatTest}.
 */
@QuarkusTest
class FalJsWebhookCompatTest {

    private static final Path NODE_DIR = Path.of("src/test/node");

    @Test
    void aWebhookVerifiesTheWayFalDocumentsIt() throws Exception {
        assumeTrue(Files.isDirectory(NODE_DIR.resolve("node_modules/@fal-ai/client")),
                "run `npm ci` in src/test/node to run fal's JS client against the proxy");
        assumeTrue(nodeAvailable(), "node is not on the PATH");
        long tenant = Fixtures.createTenant("fal-js-webhook");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);

        JsonNode seen = runNode(key);

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

    private static boolean nodeAvailable() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static JsonNode runNode(String key) throws Exception {
        File log = Files.createTempFile("fal-js-webhook", ".log").toFile();
        ProcessBuilder pb = new ProcessBuilder("node", "compat-webhook.mjs").directory(NODE_DIR.toFile())
                .redirectError(log);
        pb.environment().put("PROXY_URL", "http://localhost:" + RestAssured.port);
        pb.environment().put("FAL_KEY", key);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        String err = Files.readString(log.toPath());
        if (!done) {
            p.destroyForcibly();
        }
        assertThat(done && p.exitValue() == 0).as("node compat-webhook.mjs: " + out + err).isTrue();
        String last = out.strip().lines().reduce((a, b) -> b).orElse("");
        return new ObjectMapper().readTree(last);
    }
}
