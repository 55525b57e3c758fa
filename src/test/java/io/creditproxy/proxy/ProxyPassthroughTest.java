package io.creditproxy.proxy;

import static io.creditproxy.support.ProxyCalls.OPERATOR_KEY;
import static io.creditproxy.support.ProxyCalls.eventually;
import static io.creditproxy.support.ProxyCalls.get;
import static io.creditproxy.support.ProxyCalls.submit;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.sandbox.ReceivedSubmit;
import io.creditproxy.sandbox.SandboxServer;
import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The whole passthrough against the sandbox upstream on a real port, with balances and ledgers checked. */
@QuarkusTest
class ProxyPassthroughTest {

    @Inject
    SandboxServer sandbox;

    @Test
    void submitIsChargedForwardedWithTheOperatorKeyAndRewritten() {
        long tenant = Fixtures.createTenant("passthrough");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);

        Response r = given().header("Authorization", "Bearer " + key)
                .header("X-Fal-Queue-Priority", "low")
                .header("Connection", "keep-alive, X-Secret-Hop")
                .header("Cookie", "session=tenant-cookie")
                .contentType(ContentType.JSON)
                .body("{\"prompt\":\"a red fox\",\"num_images\":2}")
                .when().post("/fal-ai/flux-1/dev");

        r.then().statusCode(200);
        String requestId = r.jsonPath().getString("request_id");
        assertThat(r.jsonPath().getString("status")).isEqualTo("IN_QUEUE");
        String base = "http://localhost:" + io.restassured.RestAssured.port;
        assertThat(r.jsonPath().getString("status_url")).isEqualTo(base + "/fal-ai/flux-1/requests/" + requestId + "/status");
        assertThat(r.jsonPath().getString("response_url")).isEqualTo(base + "/fal-ai/flux-1/requests/" + requestId);
        assertThat(r.jsonPath().getString("cancel_url")).isEqualTo(base + "/fal-ai/flux-1/requests/" + requestId + "/cancel");
        assertNoUpstreamLeak(r.asString());

        // 2 images x 750 credits
        assertThat(Fixtures.balance(tenant)).isEqualTo(8_500);
        List<Map<String, Object>> ledger = Fixtures.ledger(tenant);
        assertThat(ledger).hasSize(2);
        assertThat(((Number) ledger.get(0).get("amount")).longValue()).isEqualTo(-1_500);
        assertThat(ledger.get(0).get("kind")).isEqualTo("reserve");
        assertThat(((Number) ledger.get(0).get("balance_after")).longValue()).isEqualTo(8_500);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);

        ReceivedSubmit received = sandbox.receivedSubmit(requestId).orElseThrow();
        assertThat(received.path()).isEqualTo("/fal-ai/flux-1/dev");
        assertThat(received.header("Authorization")).contains("Key " + OPERATOR_KEY);
        assertThat(received.header("X-Fal-Queue-Priority")).contains("low");
        assertThat(received.header("Cookie")).isEmpty();
        assertThat(received.header("X-Secret-Hop")).isEmpty();
        assertThat(received.headers().toString()).doesNotContain(key);
        assertThat(received.body()).contains("a red fox");
    }

    @Test
    void falsOwnKeySchemeWorksAndPollsStatusResultAndStreamThroughTheProxy() {
        long tenant = Fixtures.createTenant("polls");
        Fixtures.topUp(tenant, 100_000);
        String key = Fixtures.issueKey(tenant);

        Response r = given().header("Authorization", "Key " + key).contentType(ContentType.JSON)
                .body("{\"prompt\":\"three cats\",\"num_images\":3}").when().post("/fal-ai/flux-1/dev");
        r.then().statusCode(200);
        String statusUrl = r.jsonPath().getString("status_url");
        String responseUrl = r.jsonPath().getString("response_url");

        Response done = eventually(Duration.ofSeconds(10), () -> get(key, statusUrl + "?logs=1"),
                s -> s.statusCode() == 200 && "COMPLETED".equals(s.jsonPath().getString("status")));
        assertNoUpstreamLeak(done.asString());

        Response result = get(key, responseUrl);
        result.then().statusCode(200);
        assertThat(result.jsonPath().getList("images")).hasSize(3);
        assertThat(result.header("x-fal-request-id")).isEqualTo(r.jsonPath().getString("request_id"));
        assertNoUpstreamLeak(result.asString());

        Response stream = get(key, statusUrl + "/stream");
        stream.then().statusCode(200);
        assertThat(stream.contentType()).startsWith("text/event-stream");
        assertThat(stream.asString()).contains("COMPLETED");
        assertNoUpstreamLeak(stream.asString());

        // the charge is still 3 x 750: polls cost nothing
        assertThat(Fixtures.balance(tenant)).isEqualTo(100_000 - 2_250);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void videoJobIsChargedPerSecondAndCanBeCancelledWhileQueued() {
        long tenant = Fixtures.createTenant("video");
        Fixtures.topUp(tenant, 20_000);
        String key = Fixtures.issueKey(tenant);

        Response r = submit(key, "fal-ai/kling-video/v1.6/standard/text-to-video",
                "{\"prompt\":\"waves [sandbox:slow-queue]\",\"duration\":\"10\"}");
        r.then().statusCode(200);
        assertThat(Fixtures.balance(tenant)).isEqualTo(20_000 - 13_500);

        Response cancel = given().header("Authorization", "Bearer " + key).when().put(r.jsonPath().getString("cancel_url"));
        cancel.then().statusCode(202);
        assertThat(cancel.jsonPath().getString("status")).isEqualTo("CANCELLATION_REQUESTED");
        assertThat(sandbox.cancelRequested(r.jsonPath().getString("request_id"))).isTrue();
        // the cancel is settled asynchronously (fal's webhook): wait for it, then the whole price is back
        eventually(Duration.ofSeconds(45), () -> settledCount(r.jsonPath().getString("request_id")), n -> n == 1L);
        assertThat(Fixtures.balance(tenant)).isEqualTo(20_000);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void anotherTenantsRequestIdIsNotFoundExactlyLikeAnUnknownOne() {
        long owner = Fixtures.createTenant("owner");
        Fixtures.topUp(owner, 10_000);
        String ownerKey = Fixtures.issueKey(owner);
        long other = Fixtures.createTenant("other");
        Fixtures.topUp(other, 10_000);
        String otherKey = Fixtures.issueKey(other);

        Response r = submit(ownerKey, "fal-ai/flux-1/schnell", "{\"prompt\":\"mine\"}");
        r.then().statusCode(200);
        String id = r.jsonPath().getString("request_id");

        for (String suffix : List.of("/status", "", "/status/stream")) {
            Response stolen = get(otherKey, "/fal-ai/flux-1/requests/" + id + suffix);
            Response unknown = get(otherKey, "/fal-ai/flux-1/requests/00000000-0000-4000-8000-000000000000" + suffix);
            assertThat(stolen.statusCode()).isEqualTo(404);
            assertThat(stolen.asString()).isEqualTo(unknown.asString());
            assertThat(stolen.jsonPath().getString("error.code")).isEqualTo("request_not_found");
        }
        given().header("Authorization", "Bearer " + otherKey).when().put("/fal-ai/flux-1/requests/" + id + "/cancel")
                .then().statusCode(404);
        assertThat(sandbox.cancelRequested(id)).isFalse();
        assertThat(Fixtures.balance(other)).isEqualTo(10_000);
        assertThat(Fixtures.balance(owner)).isEqualTo(10_000 - 90);
    }

    @Test
    void falCallsTheProxysOwnWebhookAndTheTenantsWebhookIsKeptForLater() {
        long tenant = Fixtures.createTenant("webhooks");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);
        String proxyHook = "fal_webhook=" + java.net.URLEncoder.encode(
                "http://localhost:" + io.restassured.RestAssured.port + "/webhooks/fal/", java.nio.charset.StandardCharsets.UTF_8);

        Response fromBody = submit(key, "fal-ai/flux-1/schnell",
                "{\"prompt\":\"x\",\"webhook\":\"http://127.0.0.1:9/fal?a=1&b=2\"}");
        fromBody.then().statusCode(200);
        ReceivedSubmit a = sandbox.receivedSubmit(fromBody.jsonPath().getString("request_id")).orElseThrow();
        assertThat(a.query()).startsWith(proxyHook);
        assertThat(a.body()).doesNotContain("webhook");
        assertThat(tenantWebhookOf(fromBody.jsonPath().getString("request_id"))).isEqualTo("http://127.0.0.1:9/fal?a=1&b=2");

        Response fromQuery = given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .queryParam("fal_webhook", "http://127.0.0.1:9/q").body("{\"prompt\":\"y\"}")
                .when().post("/fal-ai/flux-1/schnell");
        fromQuery.then().statusCode(200);
        ReceivedSubmit b = sandbox.receivedSubmit(fromQuery.jsonPath().getString("request_id")).orElseThrow();
        assertThat(b.query()).startsWith(proxyHook).doesNotContain("127.0.0.1%3A9");
        assertThat(tenantWebhookOf(fromQuery.jsonPath().getString("request_id"))).isEqualTo("http://127.0.0.1:9/q");

        // without a tenant webhook fal still calls the proxy's
        Response none = submit(key, "fal-ai/flux-1/schnell", "{\"prompt\":\"z\"}");
        assertThat(sandbox.receivedSubmit(none.jsonPath().getString("request_id")).orElseThrow().query()).startsWith(proxyHook);

        submit(key, "fal-ai/flux-1/schnell", "{\"prompt\":\"z\",\"webhook\":\"ftp://x\"}").then().statusCode(422);
        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000 - 270);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Inject
    jakarta.persistence.EntityManager em;

    long settledCount(String requestId) {
        return ((Number) em.createNativeQuery("SELECT count(*) FROM jobs WHERE request_id = ?1 AND settled_at IS NOT NULL")
                .setParameter(1, requestId).getSingleResult()).longValue();
    }

    String tenantWebhookOf(String requestId) {
        return (String) em.createNativeQuery("SELECT tenant_webhook FROM jobs WHERE request_id = ?1")
                .setParameter(1, requestId).getSingleResult();
    }

    @Test
    void idempotencyKeyReplaysTheFirstAnswerAndChargesOnce() {
        long tenant = Fixtures.createTenant("idempotent");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);
        String body = "{\"prompt\":\"once\",\"num_images\":2}";

        Response first = given().header("Authorization", "Bearer " + key).header("Idempotency-Key", "job-1")
                .contentType(ContentType.JSON).body(body).when().post("/fal-ai/flux-1/dev");
        Response again = given().header("Authorization", "Bearer " + key).header("Idempotency-Key", "job-1")
                .contentType(ContentType.JSON).body(body).when().post("/fal-ai/flux-1/dev");
        first.then().statusCode(200);
        again.then().statusCode(200);
        assertThat(again.jsonPath().getString("request_id")).isEqualTo(first.jsonPath().getString("request_id"));
        assertThat(again.jsonPath().getString("status_url")).isEqualTo(first.jsonPath().getString("status_url"));

        Response different = given().header("Authorization", "Bearer " + key).header("Idempotency-Key", "job-1")
                .contentType(ContentType.JSON).body("{\"prompt\":\"twice\",\"num_images\":2}").when().post("/fal-ai/flux-1/dev");
        different.then().statusCode(422);
        assertThat(different.jsonPath().getString("error.code")).isEqualTo("idempotency_key_reused");

        assertThat(Fixtures.balance(tenant)).isEqualTo(8_500);
        assertThat(Fixtures.ledger(tenant)).hasSize(2);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void upstreamRefusalsAndFailuresRefundTheWholeReservation() {
        long tenant = Fixtures.createTenant("refunds");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);

        Response e500 = submit(key, "fal-ai/flux-1/dev", "{\"prompt\":\"[sandbox:submit-500]\"}");
        assertThat(e500.statusCode()).isEqualTo(500);
        assertThat(e500.jsonPath().getString("detail")).isEqualTo("Internal Server Error"); // fal's own error, unchanged

        Response e422 = submit(key, "fal-ai/flux-1/dev", "{\"prompt\":\"[sandbox:submit-422]\"}");
        assertThat(e422.statusCode()).isEqualTo(422);
        assertThat(e422.jsonPath().getList("detail")).isNotEmpty();

        Response reset = submit(key, "fal-ai/flux-1/dev", "{\"prompt\":\"[sandbox:submit-reset]\"}");
        assertThat(reset.statusCode()).isEqualTo(502);
        assertThat(reset.jsonPath().getString("error.code")).isEqualTo("upstream_unreachable");

        Response hang = submit(key, "fal-ai/flux-1/dev", "{\"prompt\":\"[sandbox:submit-hang]\"}");
        assertThat(hang.statusCode()).isEqualTo(504);
        assertThat(hang.jsonPath().getString("error.code")).isEqualTo("upstream_timeout");

        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000);
        List<Map<String, Object>> ledger = Fixtures.ledger(tenant);
        // top-up + 4 x (reserve, refund)
        assertThat(ledger).hasSize(9);
        assertThat(ledger.stream().filter(e -> "refund".equals(e.get("kind")))).hasSize(4);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void notEnoughCreditsIs402WithBalanceAndPriceAndNothingMoves() {
        long tenant = Fixtures.createTenant("poor");
        Fixtures.topUp(tenant, 700);
        String key = Fixtures.issueKey(tenant);
        int before = sandbox.lastSubmits(1000).size();

        Response r = submit(key, "fal-ai/flux-1/dev", "{\"prompt\":\"x\"}");
        r.then().statusCode(402);
        assertThat(r.jsonPath().getString("error.code")).isEqualTo("insufficient_credits");
        assertThat(r.jsonPath().getLong("error.balance")).isEqualTo(700);
        assertThat(r.jsonPath().getLong("error.price")).isEqualTo(750);
        assertThat(Fixtures.balance(tenant)).isEqualTo(700);
        assertThat(Fixtures.ledger(tenant)).hasSize(1);
        assertThat(sandbox.lastSubmits(1000)).hasSize(before);
    }

    @Test
    void theOperatorKeyNeverAppearsInAnswers() {
        long tenant = Fixtures.createTenant("secrets");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);
        Response r = submit(key, "fal-ai/flux-1/schnell", "{\"prompt\":\"x\"}");
        Response status = get(key, r.jsonPath().getString("status_url"));
        for (Response answer : List.of(r, status)) {
            assertThat(answer.asString()).doesNotContain(OPERATOR_KEY);
            assertThat(answer.headers().toString()).doesNotContain(OPERATOR_KEY);
        }
    }

    static void assertNoUpstreamLeak(String body) {
        assertThat(body).doesNotContain("queue.fal.run").doesNotContain("127.0.0.1:");
    }
}
