package io.creditproxy.proxy;

import static io.creditproxy.support.ProxyCalls.OPERATOR_KEY;
import static io.creditproxy.support.ProxyCalls.eventually;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.sandbox.ReceivedSubmit;
import io.creditproxy.sandbox.SandboxServer;
import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * fal's proxy protocol (issue 15): what {@code @fal-ai/client} configured with {@code proxyUrl} sends, i.e. every call
 * to {@code /api/fal/proxy} (or {@code /}) with the real fal URL in {@code x-fal-target-url}, goes the same way as the
 * direct routes against the sandbox: a billed submit, the caller's own status, result, stream and cancel. Targets fal's
 * own proxy would not forward, and those not supported (uploads, fal.stream), are refused with fal's error shape
 * before any credit moves.
 */
@QuarkusTest
class FalProxyProtocolTest {

    private static final String QUEUE = "https://queue.fal.run";

    @Inject
    SandboxServer sandbox;

    private static RequestSpecification viaProxy(String key, String targetUrl) {
        return given().header("Authorization", "Key " + key).header("x-fal-target-url", targetUrl);
    }

    @Test
    void aSubmitThroughFalsProxyRouteIsBilledForwardedAndItsJobPolledThroughTheProxy() {
        long tenant = Fixtures.createTenant("fal-proxy");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);

        Response r = viaProxy(key, QUEUE + "/fal-ai/flux-1/dev?fal_webhook=http%3A%2F%2F127.0.0.1%3A9%2Fhook")
                .header("X-Fal-Queue-Priority", "low")
                .contentType(ContentType.JSON).body("{\"prompt\":\"through fal's proxy\",\"num_images\":2}")
                .when().post(ProxyTarget.ROUTE);

        r.then().statusCode(200);
        String requestId = r.jsonPath().getString("request_id");
        String base = "http://localhost:" + io.restassured.RestAssured.port + "/fal-ai/flux-1/requests/" + requestId;
        assertThat(r.jsonPath().getString("status_url")).isEqualTo(base + "/status");
        // 2 images x 750 credits, reserved exactly as on the direct route
        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000 - 1_500);
        List<Map<String, Object>> ledger = Fixtures.ledger(tenant);
        assertThat(ledger).hasSize(2);
        assertThat(ledger.get(0).get("kind")).isEqualTo("reserve");
        assertThat(((Number) ledger.get(0).get("amount")).longValue()).isEqualTo(-1_500);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);

        ReceivedSubmit received = sandbox.receivedSubmit(requestId).orElseThrow();
        assertThat(received.path()).isEqualTo("/fal-ai/flux-1/dev");
        assertThat(received.header("Authorization")).contains("Key " + OPERATOR_KEY);
        assertThat(received.header("X-Fal-Queue-Priority")).contains("low");
        assertThat(received.headers().toString()).doesNotContain(key).doesNotContainIgnoringCase("x-fal-target-url");
        // the tenant's webhook from the target's query is kept for later; fal calls the proxy's own
        assertThat(received.query()).startsWith("fal_webhook=").doesNotContain("127.0.0.1%3A9");

        String requests = QUEUE + "/fal-ai/flux-1/requests/" + requestId;
        Response done = eventually(Duration.ofSeconds(10),
                () -> viaProxy(key, requests + "/status?logs=1").when().get(ProxyTarget.ROUTE),
                s -> s.statusCode() == 200 && "COMPLETED".equals(s.jsonPath().getString("status")));
        assertThat(done.jsonPath().getString("response_url")).isEqualTo(base);

        // on "/" too, when the target header is present (a proxyUrl naming the proxy's root)
        Response result = viaProxy(key, requests).when().get("/");
        result.then().statusCode(200);
        assertThat(result.jsonPath().getList("images")).hasSize(2);
        assertThat(result.header("x-fal-request-id")).isEqualTo(requestId);

        Response stream = viaProxy(key, requests + "/status/stream").when().get(ProxyTarget.ROUTE);
        stream.then().statusCode(200);
        assertThat(stream.contentType()).startsWith("text/event-stream");
        assertThat(stream.header("x-fal-request-id")).isEqualTo(requestId);
        assertThat(stream.asString()).contains("COMPLETED");

        // polls cost nothing
        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000 - 1_500);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void aCancelThroughTheProxyReachesFalForTheCallersOwnJobOnly() {
        long owner = Fixtures.createTenant("fal-proxy-cancel");
        Fixtures.topUp(owner, 20_000);
        String ownerKey = Fixtures.issueKey(owner);
        long other = Fixtures.createTenant("fal-proxy-other");
        Fixtures.topUp(other, 1_000);
        String otherKey = Fixtures.issueKey(other);

        Response r = viaProxy(ownerKey, QUEUE + "/fal-ai/kling-video/v1.6/standard/text-to-video")
                .contentType(ContentType.JSON).body("{\"prompt\":\"waves [sandbox:slow-queue]\",\"duration\":\"10\"}")
                .when().post(ProxyTarget.ROUTE);
        r.then().statusCode(200);
        String id = r.jsonPath().getString("request_id");
        assertThat(Fixtures.balance(owner)).isEqualTo(20_000 - 13_500);
        String cancelTarget = QUEUE + "/fal-ai/kling-video/requests/" + id + "/cancel";

        Response stolen = viaProxy(otherKey, cancelTarget).when().put(ProxyTarget.ROUTE);
        assertThat(stolen.statusCode()).isEqualTo(404);
        assertThat(stolen.jsonPath().getString("error.code")).isEqualTo("request_not_found");
        assertThat(sandbox.cancelRequested(id)).isFalse();

        Response cancel = viaProxy(ownerKey, cancelTarget).when().put(ProxyTarget.ROUTE);
        cancel.then().statusCode(202);
        assertThat(sandbox.cancelRequested(id)).isTrue();
        // settled by fal's webhook: the whole price comes back
        eventually(Duration.ofSeconds(45), () -> Fixtures.balance(owner), b -> b == 20_000L);
        Fixtures.assertBalanceEqualsLedgerSum(owner);
        assertThat(Fixtures.balance(other)).isEqualTo(1_000);
        Fixtures.assertBalanceEqualsLedgerSum(other);
    }

    @Test
    void targetsFalsProxyWouldNotForwardOrNotSupportedYetAreRefusedAndCostNothing() {
        long tenant = Fixtures.createTenant("fal-proxy-refused");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);
        String body = "{\"prompt\":\"refused\"}";

        Map<String, Integer> refused = Map.of(
                "https://rest.fal.ai/tokens/", 403,
                "https://rest.alpha.fal.ai/storage/auth/token?storage_type=fal-cdn-v3", 403,
                "https://queue.fal.run.example.com/fal-ai/flux-1/dev", 403,
                "https://127.0.0.1/fal-ai/flux-1/dev", 403,
                "http://queue.fal.run/fal-ai/flux-1/dev", 400,
                "https://user@queue.fal.run/fal-ai/flux-1/dev", 400,
                "https://queue.fal.run:8443/fal-ai/flux-1/dev", 400,
                "https://queue.fal.run/fal-ai/../admin/tenants", 400,
                "https://rest.fal.ai/storage/upload/put", 403,
                "https://fal.run/fal-ai/flux-1/dev/stream", 400);
        refused.forEach((target, status) -> {
            Response r = viaProxy(key, target).contentType(ContentType.JSON).body(body).when().post(ProxyTarget.ROUTE);
            assertThat(r.statusCode()).as(target).isEqualTo(status);
            assertThat(r.jsonPath().getString("error.code")).as(target).isNotBlank();
            assertThat(r.jsonPath().getString("message")).as(target).isEqualTo(r.jsonPath().getString("error.message"));
        });
        Response stream = viaProxy(key, "https://fal.run/fal-ai/flux-1/dev/stream").contentType(ContentType.JSON).body(body)
                .when().post("/");
        assertThat(stream.statusCode()).isEqualTo(400);
        assertThat(stream.jsonPath().getString("error.code")).isEqualTo("streaming_not_supported");
        assertThat(stream.jsonPath().getString("message")).contains("fal.stream").contains("not supported");

        Response missing = given().header("Authorization", "Key " + key).contentType(ContentType.JSON).body(body)
                .when().post(ProxyTarget.ROUTE);
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.jsonPath().getString("error.code")).isEqualTo("missing_target_url");

        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000);
        assertThat(Fixtures.ledger(tenant)).hasSize(1);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void theProxysOwnErrorsReadAsFalsSoFalsClientsShowTheReason() {
        long tenant = Fixtures.createTenant("fal-proxy-errors");
        Fixtures.topUp(tenant, 100);
        String key = Fixtures.issueKey(tenant);

        // 402: @fal-ai/client's ApiError takes body.message (it showed "Payment Required" before)
        Response poor = viaProxy(key, QUEUE + "/fal-ai/flux-1/dev").contentType(ContentType.JSON)
                .body("{\"prompt\":\"too dear\"}").when().post(ProxyTarget.ROUTE);
        assertThat(poor.statusCode()).isEqualTo(402);
        assertThat(poor.contentType()).startsWith("application/json");
        assertThat(poor.jsonPath().getString("error.code")).isEqualTo("insufficient_credits");
        assertThat(poor.jsonPath().getString("message")).isNotBlank().isEqualTo(poor.jsonPath().getString("error.message"));
        assertThat(poor.jsonPath().getString("detail")).isEqualTo(poor.jsonPath().getString("message"));

        // 422: fal's detail is a list of {loc, msg, type}
        Response invalid = viaProxy(key, QUEUE + "/fal-ai/flux-1/schnell?fal_max_queue_length=many")
                .contentType(ContentType.JSON).body("{\"prompt\":\"x\"}").when().post(ProxyTarget.ROUTE);
        assertThat(invalid.statusCode()).isEqualTo(422);
        assertThat(invalid.jsonPath().getString("error.code")).isEqualTo("invalid_parameter");
        assertThat(invalid.jsonPath().getList("detail.loc[0]")).containsExactly("body", "fal_max_queue_length");
        assertThat(invalid.jsonPath().getString("detail[0].msg")).contains("fal_max_queue_length");
        assertThat(invalid.jsonPath().getString("detail[0].type")).isEqualTo("value_error");

        // 401 on the passthrough, 404 from a JAX-RS resource
        Response anonymous = given().header("x-fal-target-url", QUEUE + "/fal-ai/flux-1/schnell")
                .contentType(ContentType.JSON).body("{\"prompt\":\"x\"}").when().post(ProxyTarget.ROUTE);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.jsonPath().getString("message")).isNotBlank();
        Response nowhere = given().auth().oauth2(Fixtures.adminToken()).when().get("/admin/no-such-thing");
        assertThat(nowhere.statusCode()).isEqualTo(404);
        assertThat(nowhere.jsonPath().getString("error.code")).isEqualTo("not_found");
        assertThat(nowhere.jsonPath().getString("message")).isEqualTo("No such resource.");

        assertThat(Fixtures.balance(tenant)).isEqualTo(100);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void theDirectStatusStreamNamesItsRequest() {
        long tenant = Fixtures.createTenant("stream-id");
        Fixtures.topUp(tenant, 1_000);
        String key = Fixtures.issueKey(tenant);
        Response r = given().header("Authorization", "Key " + key).contentType(ContentType.JSON)
                .body("{\"prompt\":\"named stream\"}").when().post("/fal-ai/flux-1/schnell");
        r.then().statusCode(200);

        Response stream = given().header("Authorization", "Key " + key).when().get(r.jsonPath().getString("status_url") + "/stream");

        stream.then().statusCode(200);
        assertThat(stream.header("x-fal-request-id")).isEqualTo(r.jsonPath().getString("request_id"));
        assertThat(stream.headers().getValues("Content-Type")).hasSize(1);
        assertThat(stream.asString()).contains("COMPLETED");
        assertThat(Fixtures.balance(tenant)).isEqualTo(1_000 - 90);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }
}
