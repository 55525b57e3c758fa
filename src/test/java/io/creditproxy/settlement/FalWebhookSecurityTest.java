package io.creditproxy.settlement;

import static io.creditproxy.support.ProxyCalls.submit;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.sandbox.SandboxServer;
import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tampered, unsigned, stale, foreign and replayed webhooks are refused or change nothing. */
@QuarkusTest
class FalWebhookSecurityTest {

    @Inject
    SandboxServer sandbox;

    @Inject
    SettlementSupport db;

    long tenant;
    String requestId;
    String jobId;

    @BeforeEach
    void aJobWaitingForItsOutcome() {
        tenant = Fixtures.createTenant("webhook-security");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);
        // no webhook from the sandbox and slow: only the test's forged webhooks reach the proxy for now
        Response r = submit(key, "fal-ai/flux-1/dev", "{\"prompt\":\"[sandbox:no-webhook] [sandbox:slow]\",\"num_images\":2}");
        r.then().statusCode(200);
        requestId = r.jsonPath().getString("request_id");
        jobId = db.jobIdOf(requestId);
    }

    private String body(String status, int images) {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < images; i++) {
            list.append(i == 0 ? "" : ",").append("{\"url\":\"https://v3.fal.media/files/x/").append(i).append(".png\"}");
        }
        return "{\"request_id\":\"" + requestId + "\",\"gateway_request_id\":\"" + requestId + "\",\"status\":\"" + status
                + "\",\"payload\":{\"images\":[" + list + "]},\"error\":null}";
    }

    private Response post(String body, Map<String, String> headers) {
        RequestSpecification spec = given().contentType("application/json").body(body.getBytes(StandardCharsets.UTF_8));
        headers.forEach(spec::header);
        return spec.post("/webhooks/fal/" + jobId);
    }

    private Map<String, String> signed(String body, long timestamp) {
        return sandbox.signWebhook(requestId, body.getBytes(StandardCharsets.UTF_8), timestamp);
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    private void assertNothingSettled() {
        assertThat(db.settlementRows(requestId)).isZero();
        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000 - 1_500);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void unsignedTamperedStaleAndForeignWebhooksAreRefused() {
        String ok = body("OK", 1);
        assertThat(post(ok, Map.of()).statusCode()).isEqualTo(401);

        Map<String, String> goodHeaders = signed(body("OK", 2), now());
        Response tampered = post(ok, goodHeaders); // signature over 2 images, body claims 1
        assertThat(tampered.statusCode()).isEqualTo(401);
        assertThat(tampered.jsonPath().getString("error.code")).isEqualTo("bad_signature");

        assertThat(post(ok, signed(ok, now() - 600)).statusCode()).isEqualTo(401);  // stale
        assertThat(post(ok, signed(ok, now() + 600)).statusCode()).isEqualTo(401);  // from the future

        java.util.HashMap<String, String> badSig = new java.util.HashMap<>(signed(ok, now()));
        badSig.put("X-Fal-Webhook-Signature", "00".repeat(64));
        assertThat(post(ok, badSig).statusCode()).isEqualTo(401);

        java.util.HashMap<String, String> otherUser = new java.util.HashMap<>(signed(ok, now()));
        otherUser.put("X-Fal-Webhook-User-Id", "someone-else");
        assertThat(post(ok, otherUser).statusCode()).isEqualTo(401);

        assertNothingSettled();
    }

    @Test
    void aValidWebhookForAnotherJobOrAnUnknownJobSettlesNothing() {
        String ok = body("OK", 2);
        Response unknown = given().contentType("application/json").body(ok).headers(signed(ok, now()))
                .post("/webhooks/fal/00000000-0000-4000-8000-000000000000");
        assertThat(unknown.statusCode()).isEqualTo(404);
        Response garbage = given().contentType("application/json").body(ok).headers(signed(ok, now())).post("/webhooks/fal/not-a-uuid");
        assertThat(garbage.statusCode()).isEqualTo(404);
        assertNothingSettled();
    }

    @Test
    void aReplayedWebhookChangesNothing() {
        String failed = "{\"request_id\":\"" + requestId + "\",\"gateway_request_id\":\"" + requestId
                + "\",\"status\":\"ERROR\",\"payload\":{\"detail\":\"boom\"},\"error\":\"Invalid status code: 500\"}";
        Map<String, String> headers = signed(failed, now());
        for (int i = 0; i < 5; i++) {
            assertThat(post(failed, headers).statusCode()).isEqualTo(200);
        }
        // and a later, differently worded "success" for the same job changes nothing either
        String ok = body("OK", 2);
        assertThat(post(ok, signed(ok, now())).statusCode()).isEqualTo(200);

        assertThat(db.settlementRows(requestId)).isEqualTo(1);
        assertThat(db.settlement(requestId).orElseThrow().outcome()).isEqualTo("voided");
        assertThat(db.ledgerOfJob(requestId)).containsEntry("refund#count", 1L).containsEntry("refund", 1_500L);
        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void theSandboxsDuplicateAndOnceCorruptedDeliveriesSettleOnce() {
        String key = Fixtures.issueKey(tenant);
        Response dup = submit(key, "fal-ai/flux-1/dev", "{\"prompt\":\"[sandbox:webhook-duplicate] [sandbox:webhook-fails-once]\"}");
        String id = dup.jsonPath().getString("request_id");
        SettlementSupport.Settled s = db.awaitSettlement(id, Duration.ofSeconds(15));
        assertThat(s.source()).isEqualTo("webhook");
        assertThat(db.settlementRows(id)).isEqualTo(1);
        assertThat(db.ledgerOfJob(id)).containsEntry("reserve#count", 1L).doesNotContainKey("refund");
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }
}
