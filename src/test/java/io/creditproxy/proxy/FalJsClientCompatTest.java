package io.creditproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.creditproxy.settlement.SettlementSupport;
import io.creditproxy.support.FalJsClient;
import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * fal's official JS client ({@code @fal-ai/client} 1.10.1, pinned in src/test/node/package.json), unchanged and
 * configured with {@code proxyUrl}, against the test proxy on the sandbox: subscribe (polling and streaming) on an image and a video model, queue
 * submit, status stream (with its request id), status, result, cancel of a queued job (refunded), a 402 whose reason the client shows, fal.run answered
 * with its images and billed like a queue job, and fal.stream refused uncharged. Needs Node and {@code npm ci} in
 * src/test/node; skipped without them, so the build does not need Node.
 */
@QuarkusTest
class FalJsClientCompatTest {

    @Inject
    SettlementSupport settlements;

    @Test
    void falsJsClientWorksThroughTheProxyProtocol() throws Exception {
        FalJsClient.assumeInstalled();
        long tenant = Fixtures.createTenant("fal-js");
        Fixtures.topUp(tenant, 25_000);
        String key = Fixtures.issueKey(tenant);
        long poor = Fixtures.createTenant("fal-js-poor");
        Fixtures.topUp(poor, 10);
        String poorKey = Fixtures.issueKey(poor);

        JsonNode seen = FalJsClient.run("compat.mjs", Map.of("FAL_KEY", key, "POOR_KEY", poorKey));

        // 6 images of FLUX schnell at 90 credits each: subscribe (1), subscribe streaming (2), queue submit (1), fal.run (2)
        assertThat(seen.path("subscribe").path("images").asInt()).isEqualTo(1);
        assertThat(seen.path("subscribe").path("requestId").asText()).isNotBlank();
        assertThat(seen.path("subscribeStreaming").path("images").asInt()).isEqualTo(2);
        String requestId = seen.path("submit").path("requestId").asText();
        assertThat(requestId).isNotBlank();
        assertThat(seen.path("submit").path("status").asText()).isEqualTo("IN_QUEUE");
        assertThat(seen.path("stream").path("requestId").asText()).isEqualTo(requestId);
        assertThat(seen.path("stream").path("last").asText()).isEqualTo("COMPLETED");
        assertThat(seen.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(seen.path("result").path("requestId").asText()).isEqualTo(requestId);
        assertThat(seen.path("result").path("images").asInt()).isEqualTo(1);
        // the proxy's 402 reads as fal's: the client's ApiError carries the reason, not "Payment Required"
        assertThat(seen.path("poor").path("status").asInt()).isEqualTo(402);
        assertThat(seen.path("poor").path("message").asText()).containsIgnoringCase("credit")
                .isNotEqualTo("Payment Required");
        // fal.run answers the images themselves, with the request id the client reads from x-fal-request-id
        String syncId = seen.path("sync").path("requestId").asText();
        assertThat(syncId).isNotBlank().isNotEqualTo(requestId);
        assertThat(seen.path("sync").path("images").asInt()).isEqualTo(2);
        assertThat(settlements.awaitSettlement(syncId, Duration.ofSeconds(20)).charged()).isEqualTo(2 * 90);
        // fal.stream is refused before any charge, its reason visible in the client's error
        assertThat(seen.path("falStream").path("status").asInt()).isEqualTo(400);
        assertThat(seen.path("falStream").path("message").asText()).contains("not supported");

        // a video model, polling and streaming: 5 s of Kling standard each (0.045 USD/s x 5 x 3 x 10,000 = 6,750 credits)
        assertThat(seen.path("videoPolling").path("video").asBoolean()).isTrue();
        assertThat(seen.path("videoPolling").path("requestId").asText()).isNotBlank();
        assertThat(seen.path("videoStreaming").path("video").asBoolean()).isTrue();
        assertThat(seen.path("videoStreaming").path("requestId").asText()).isNotBlank();
        // queue.cancel of a queued job: charged at submit, given back once fal removed it from its queue
        assertThat(seen.path("cancel").path("requestId").asText()).isNotBlank();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (Fixtures.ledger(tenant).stream().noneMatch(e -> "refund".equals(e.get("kind"))) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }

        // 6 FLUX schnell images at 90 (subscribe 1, streaming 2, queue 1, fal.run 2), 2 videos at 6,750, the cancelled
        // job's 90 given back
        assertThat(Fixtures.balance(tenant)).isEqualTo(25_000 - 6 * 90 - 2 * 6_750);
        List<Map<String, Object>> ledger = Fixtures.ledger(tenant);
        assertThat(ledger).filteredOn(e -> "reserve".equals(e.get("kind"))).hasSize(7);
        assertThat(ledger).filteredOn(e -> "refund".equals(e.get("kind"))).hasSize(1)
                .allSatisfy(e -> assertThat(((Number) e.get("amount")).longValue()).isEqualTo(90));
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
        assertThat(Fixtures.balance(poor)).isEqualTo(10);
        assertThat(Fixtures.ledger(poor)).hasSize(1);
        Fixtures.assertBalanceEqualsLedgerSum(poor);
    }
}
