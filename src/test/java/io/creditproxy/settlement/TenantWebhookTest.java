package io.creditproxy.settlement;

import static io.creditproxy.support.ProxyCalls.eventually;
import static io.creditproxy.support.ProxyCalls.submit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The tenant's webhook is delivered after settlement, in fal's payload shape, once. */
@QuarkusTest
class TenantWebhookTest {

    HttpServer receiver;
    final Map<String, JsonNode> received = new ConcurrentHashMap<>();
    final Map<String, Integer> receipts = new ConcurrentHashMap<>();

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            JsonNode body = new ObjectMapper().readTree(exchange.getRequestBody().readAllBytes());
            String id = body.path("request_id").asText();
            received.put(id, body);
            receipts.merge(id, 1, Integer::sum);
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    String hook() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook?token=abc";
    }

    @Test
    void successAndFailureReachTheTenantInFalsShapeOnce() {
        long tenant = Fixtures.createTenant("tenant-webhook");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);

        Response ok = submit(key, "fal-ai/flux-1/dev", "{\"prompt\":\"[sandbox:webhook-duplicate]\",\"num_images\":2,\"webhook\":\"" + hook() + "\"}");
        Response failed = submit(key, "fal-ai/flux-1/dev", "{\"prompt\":\"[sandbox:fail]\",\"webhook\":\"" + hook() + "\"}");
        String okId = ok.jsonPath().getString("request_id");
        String failedId = failed.jsonPath().getString("request_id");

        eventually(Duration.ofSeconds(20), () -> received.keySet(), ids -> ids.contains(okId) && ids.contains(failedId));
        JsonNode a = received.get(okId);
        assertThat(a.path("status").asText()).isEqualTo("OK");
        assertThat(a.path("gateway_request_id").asText()).isEqualTo(okId);
        assertThat(a.path("payload").path("images")).hasSize(2);
        assertThat(a.path("error").isNull()).isTrue();
        JsonNode b = received.get(failedId);
        assertThat(b.path("status").asText()).isEqualTo("ERROR");
        assertThat(b.path("error").asText()).isNotBlank();

        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000 - 1_500);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
        // fal delivered its webhook twice; the tenant still hears once
        assertThat(receipts.get(okId)).isEqualTo(1);
    }

    @Test
    void aPrivateOrMalformedTenantWebhookIsRefusedAtSubmitAndCostsNothing() {
        long tenant = Fixtures.createTenant("bad-webhook");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);
        Response r = submit(key, "fal-ai/flux-1/dev", "{\"prompt\":\"x\",\"webhook\":\"ftp://127.0.0.1/x\"}");
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(r.jsonPath().getString("error.code")).isEqualTo("invalid_webhook");
        Response unresolvable = submit(key, "fal-ai/flux-1/dev", "{\"prompt\":\"x\",\"webhook\":\"https://no-such-host.invalid/x\"}");
        assertThat(unresolvable.statusCode()).isEqualTo(422);
        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000);
        assertThat(Fixtures.ledger(tenant)).hasSize(1);
    }
}
