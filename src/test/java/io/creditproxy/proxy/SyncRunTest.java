package io.creditproxy.proxy;

import static io.creditproxy.support.ProxyCalls.eventually;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.sandbox.ReceivedSubmit;
import io.creditproxy.sandbox.SandboxServer;
import io.creditproxy.settlement.SettlementSupport;
import io.creditproxy.settlement.SettlementSupport.Settled;
import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Synchronous runs (issue 15 item 3): {@code fal.run} through fal's proxy protocol ({@code https://fal.run/{model}} in
 * {@code x-fal-target-url}) and {@code POST /run/{model id}} are the ordinary billed queue submit, waited on by the
 * proxy and answered with the result; billed and settled exactly like a queue job, against the sandbox on a real port.
 * The test profile's limit ({@code proxy.sync-timeout}) is 3 s; a {@code [sandbox:slow]} job takes 4 s.
 */
@QuarkusTest
class SyncRunTest {

    private static final String SCHNELL = "fal-ai/flux-1/schnell";
    /** FLUX schnell: 90 credits per image. */
    private static final long PER_IMAGE = 90;

    @Inject
    SandboxServer sandbox;

    @Inject
    SettlementSupport settlements;

    private static Response viaFalRun(String key, String target, String body) {
        return given().header("Authorization", "Key " + key).header("x-fal-target-url", target)
                .contentType(ContentType.JSON).body(body).when().post(ProxyTarget.ROUTE);
    }

    private static Response direct(String key, String model, String body) {
        return given().header("Authorization", "Key " + key).contentType(ContentType.JSON).body(body)
                .when().post("/run/" + model);
    }

    @Test
    void aSyncRunAnswersTheResultAndIsBilledAndSettledLikeAQueueJob() {
        long tenant = Fixtures.createTenant("sync-run");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);
        String body = "{\"prompt\":\"a sync fox\",\"num_images\":2}";

        // fal.run through fal's proxy protocol; fal_webhook on the target follows the queue submit's rules
        Response viaProxy = viaFalRun(key, "https://fal.run/" + SCHNELL + "?fal_webhook=http%3A%2F%2F127.0.0.1%3A9%2Fhook", body);
        viaProxy.then().statusCode(200);
        assertThat(viaProxy.contentType()).startsWith("application/json");
        assertThat(viaProxy.jsonPath().getList("images")).hasSize(2);
        assertThat(viaProxy.jsonPath().getString("images[0].url")).isNotBlank();
        String viaProxyId = viaProxy.header("x-fal-request-id");
        assertThat(viaProxyId).isNotBlank();
        // the result itself, not the queue's acknowledgement, and nothing of the upstream's address
        assertThat(viaProxy.asString()).doesNotContain("status_url").doesNotContain(sandbox.baseUrl());
        ReceivedSubmit received = sandbox.receivedSubmit(viaProxyId).orElseThrow();
        assertThat(received.path()).isEqualTo("/" + SCHNELL);
        assertThat(received.query()).startsWith("fal_webhook=").doesNotContain("127.0.0.1%3A9");
        assertThat(received.headers().toString()).doesNotContain(key).doesNotContainIgnoringCase("x-fal-target-url");

        // the direct path for callers without proxyUrl
        Response viaRun = direct(key, SCHNELL, body);
        viaRun.then().statusCode(200);
        assertThat(viaRun.jsonPath().getList("images")).hasSize(2);
        String viaRunId = viaRun.header("x-fal-request-id");
        assertThat(viaRunId).isNotBlank().isNotEqualTo(viaProxyId);

        // the same input as a queue job, its result fetched by the tenant
        Response queued = given().header("Authorization", "Key " + key).contentType(ContentType.JSON).body(body)
                .when().post("/" + SCHNELL);
        queued.then().statusCode(200);
        String queuedId = queued.jsonPath().getString("request_id");
        eventually(Duration.ofSeconds(10), () -> given().header("Authorization", "Key " + key)
                .when().get(queued.jsonPath().getString("response_url")), r -> r.statusCode() == 200);

        Settled queueJob = settlements.awaitSettlement(queuedId, Duration.ofSeconds(20));
        for (String id : List.of(viaProxyId, viaRunId)) {
            Settled sync = settlements.awaitSettlement(id, Duration.ofSeconds(20));
            assertThat(sync.outcome()).isEqualTo(queueJob.outcome());
            assertThat(sync.jobStatus()).isEqualTo(queueJob.jobStatus()).isEqualTo("COMPLETED");
            assertThat(sync.reserved()).isEqualTo(queueJob.reserved()).isEqualTo(2 * PER_IMAGE);
            assertThat(sync.charged()).isEqualTo(queueJob.charged()).isEqualTo(2 * PER_IMAGE);
            assertThat(sync.refunded()).isEqualTo(queueJob.refunded()).isZero();
            assertThat(settlements.settlementRows(id)).isEqualTo(1);
            assertThat(settlements.ledgerOfJob(id)).isEqualTo(settlements.ledgerOfJob(queuedId));
        }
        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000 - 3 * 2 * PER_IMAGE);
        List<Map<String, Object>> ledger = Fixtures.ledger(tenant);
        assertThat(ledger).filteredOn(e -> "reserve".equals(e.get("kind"))).hasSize(3);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void aReplayedSyncRunAnswersTheSameResultAndChargesOnce() {
        long tenant = Fixtures.createTenant("sync-replay");
        Fixtures.topUp(tenant, 1_000);
        String key = Fixtures.issueKey(tenant);
        String body = "{\"prompt\":\"replayed\"}";

        Response first = given().header("Authorization", "Key " + key).header("Idempotency-Key", "sync-1")
                .contentType(ContentType.JSON).body(body).when().post("/run/" + SCHNELL);
        first.then().statusCode(200);
        Response again = given().header("Authorization", "Key " + key).header("Idempotency-Key", "sync-1")
                .header("x-fal-target-url", "https://fal.run/" + SCHNELL)
                .contentType(ContentType.JSON).body(body).when().post(ProxyTarget.ROUTE);
        again.then().statusCode(200);

        String requestId = first.header("x-fal-request-id");
        assertThat(again.header("x-fal-request-id")).isEqualTo(requestId);
        assertThat(again.jsonPath().getList("images.url")).isEqualTo(first.jsonPath().getList("images.url")).hasSize(1);
        Response reused = given().header("Authorization", "Key " + key).header("Idempotency-Key", "sync-1")
                .contentType(ContentType.JSON).body("{\"prompt\":\"another\"}").when().post("/run/" + SCHNELL);
        assertThat(reused.statusCode()).isEqualTo(422);
        assertThat(reused.jsonPath().getString("error.code")).isEqualTo("idempotency_key_reused");

        settlements.awaitSettlement(requestId, Duration.ofSeconds(20));
        assertThat(Fixtures.balance(tenant)).isEqualTo(1_000 - PER_IMAGE);
        assertThat(Fixtures.ledger(tenant)).filteredOn(e -> "reserve".equals(e.get("kind"))).hasSize(1);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void aRunLongerThanTheLimitAnswers504WithItsRequestIdAndIsFetchedAndSettledLater() {
        long tenant = Fixtures.createTenant("sync-timeout");
        Fixtures.topUp(tenant, 1_000);
        String key = Fixtures.issueKey(tenant);

        long start = System.nanoTime();
        Response late = direct(key, SCHNELL, "{\"prompt\":\"slow [sandbox:slow]\"}");
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(late.statusCode()).isEqualTo(504);
        assertThat(tookMs).isGreaterThanOrEqualTo(3_000);
        assertThat(late.contentType()).startsWith("application/json");
        assertThat(late.jsonPath().getString("error.code")).isEqualTo("sync_timeout");
        assertThat(late.jsonPath().getString("message")).isNotBlank().isEqualTo(late.jsonPath().getString("detail"));
        String requestId = late.jsonPath().getString("error.request_id");
        assertThat(requestId).isNotBlank();
        assertThat(late.header("x-fal-request-id")).isEqualTo(requestId);
        // fal's clients do not send the run again after a 504 of this type (a new, billed job)
        assertThat(late.header("X-Fal-Request-Timeout-Type")).isEqualTo("user");
        String base = "http://localhost:" + RestAssured.port + "/fal-ai/flux-1/requests/" + requestId;
        assertThat(late.jsonPath().getString("error.response_url")).isEqualTo(base);
        assertThat(late.jsonPath().getString("error.status_url")).isEqualTo(base + "/status");
        // still billed while it runs
        assertThat(Fixtures.balance(tenant)).isEqualTo(1_000 - PER_IMAGE);

        Response result = eventually(Duration.ofSeconds(15), () -> given().header("Authorization", "Key " + key)
                .when().get(late.jsonPath().getString("error.response_url")), r -> r.statusCode() == 200);
        assertThat(result.jsonPath().getList("images")).hasSize(1);
        Settled settled = settlements.awaitSettlement(requestId, Duration.ofSeconds(20));
        assertThat(settled.jobStatus()).isEqualTo("COMPLETED");
        assertThat(settled.charged()).isEqualTo(PER_IMAGE);
        assertThat(Fixtures.balance(tenant)).isEqualTo(1_000 - PER_IMAGE);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void aFailedRunAnswersFalsErrorAndIsRefunded() {
        long tenant = Fixtures.createTenant("sync-failed");
        Fixtures.topUp(tenant, 1_000);
        String key = Fixtures.issueKey(tenant);

        Response failed = direct(key, SCHNELL, "{\"prompt\":\"breaks [sandbox:fail]\"}");
        assertThat(failed.statusCode()).isEqualTo(500);
        String requestId = failed.header("x-fal-request-id");
        assertThat(requestId).isNotBlank();
        Response invalid = viaFalRun(key, "https://fal.run/" + SCHNELL, "{\"prompt\":\"refused [sandbox:fail-422]\"}");
        assertThat(invalid.statusCode()).isEqualTo(422);
        assertThat(invalid.jsonPath().getString("detail[0].type")).isNotBlank();
        String invalidId = invalid.header("x-fal-request-id");

        for (String id : List.of(requestId, invalidId)) {
            Settled settled = settlements.awaitSettlement(id, Duration.ofSeconds(20));
            assertThat(settled.refunded()).isEqualTo(PER_IMAGE);
            assertThat(settled.charged()).isZero();
        }
        assertThat(Fixtures.balance(tenant)).isEqualTo(1_000);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void badInputUnknownModelsPoorTenantsAndStreamingRunsCostNothing() {
        long tenant = Fixtures.createTenant("sync-refused");
        Fixtures.topUp(tenant, 1_000);
        String key = Fixtures.issueKey(tenant);
        long poor = Fixtures.createTenant("sync-poor");
        Fixtures.topUp(poor, 10);
        String poorKey = Fixtures.issueKey(poor);

        Response malformed = direct(key, SCHNELL, "{not json");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.jsonPath().getString("error.code")).isEqualTo("malformed_json");
        Response unknown = direct(key, "fal-ai/no-such-model", "{\"prompt\":\"x\"}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        Response badQuery = viaFalRun(key, "https://fal.run/" + SCHNELL + "?fal_max_queue_length=many", "{\"prompt\":\"x\"}");
        assertThat(badQuery.statusCode()).isEqualTo(422);
        Response get = given().header("Authorization", "Key " + key).when().get("/run/" + SCHNELL);
        assertThat(get.statusCode()).isEqualTo(405);
        Response anonymous = given().contentType(ContentType.JSON).body("{\"prompt\":\"x\"}").when().post("/run/" + SCHNELL);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        // fal refuses the submit: refunded at once, fal's answer relayed
        Response falRefused = direct(key, SCHNELL, "{\"prompt\":\"x [sandbox:submit-422]\"}");
        assertThat(falRefused.statusCode()).isEqualTo(422);

        // fal.stream: refused before anything is charged, on both entries
        for (Response stream : List.of(viaFalRun(key, "https://fal.run/" + SCHNELL + "/stream", "{\"prompt\":\"x\"}"),
                direct(key, SCHNELL + "/stream", "{\"prompt\":\"x\"}"))) {
            assertThat(stream.statusCode()).isEqualTo(400);
            assertThat(stream.jsonPath().getString("error.code")).isEqualTo("streaming_not_supported");
            assertThat(stream.jsonPath().getString("message")).contains("fal.stream");
        }

        Response tooPoor = viaFalRun(poorKey, "https://fal.run/" + SCHNELL, "{\"prompt\":\"x\"}");
        assertThat(tooPoor.statusCode()).isEqualTo(402);
        assertThat(tooPoor.jsonPath().getString("message")).containsIgnoringCase("credit");

        assertThat(Fixtures.balance(tenant)).isEqualTo(1_000);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
        assertThat(Fixtures.balance(poor)).isEqualTo(10);
        assertThat(Fixtures.ledger(poor)).hasSize(1);
        Fixtures.assertBalanceEqualsLedgerSum(poor);
    }

    @Test
    void aTenantThatLeavesMidWaitStillHasItsJobSettled() throws Exception {
        long tenant = Fixtures.createTenant("sync-gone");
        Fixtures.topUp(tenant, 1_000);
        String key = Fixtures.issueKey(tenant);
        String prompt = "left early " + System.nanoTime() + " [sandbox:slow-run] [sandbox:no-webhook]";
        String body = "{\"prompt\":\"" + prompt + "\"}";

        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /run/" + SCHNELL + " HTTP/1.1\r\nHost: localhost:" + RestAssured.port
                    + "\r\nAuthorization: Key " + key + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            // the submit reached fal; the tenant goes away while the run is still running
            eventually(Duration.ofSeconds(10), () -> sandbox.lastSubmits(20).stream()
                    .anyMatch(s -> s.body().contains(prompt) && s.requestId() != null), found -> found);
        }
        String requestId = sandbox.lastSubmits(20).stream().filter(s -> s.body().contains(prompt))
                .map(ReceivedSubmit::requestId).findFirst().orElseThrow();
        assertThat(Fixtures.balance(tenant)).isEqualTo(1_000 - PER_IMAGE);

        // no webhook and no tenant: the reconciler settles it
        Settled settled = settlements.awaitSettlement(requestId, Duration.ofSeconds(30));
        assertThat(settled.source()).isEqualTo("reconciler");
        assertThat(settled.jobStatus()).isEqualTo("COMPLETED");
        assertThat(settled.charged()).isEqualTo(PER_IMAGE);
        assertThat(Fixtures.balance(tenant)).isEqualTo(1_000 - PER_IMAGE);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void parallelSyncRunsOnASmallBalanceChargeOnlyWhatItCovers() throws Exception {
        long tenant = Fixtures.createTenant("sync-parallel");
        // two runs' worth: the third of three parallel runs finds 10 credits left
        Fixtures.topUp(tenant, 2 * PER_IMAGE + 10);
        String key = Fixtures.issueKey(tenant);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Response>> runs = List.of(1, 2, 3).stream().map(i -> CompletableFuture.supplyAsync(() -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            String body = "{\"prompt\":\"parallel " + i + "\"}";
            return i % 2 == 0 ? direct(key, SCHNELL, body) : viaFalRun(key, "https://fal.run/" + SCHNELL, body);
        })).toList();
        go.countDown();
        List<Response> answers = runs.stream().map(CompletableFuture::join).toList();

        assertThat(answers).extracting(Response::statusCode).containsExactlyInAnyOrder(200, 200, 402);
        for (Response ok : answers.stream().filter(r -> r.statusCode() == 200).toList()) {
            assertThat(ok.jsonPath().getList("images")).hasSize(1);
            assertThat(settlements.awaitSettlement(ok.header("x-fal-request-id"), Duration.ofSeconds(20)).charged())
                    .isEqualTo(PER_IMAGE);
        }
        assertThat(Fixtures.balance(tenant)).isEqualTo(10);
        assertThat(Fixtures.ledger(tenant)).filteredOn(e -> "reserve".equals(e.get("kind"))).hasSize(2);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void waitingRunsHoldNoThread() {
        long tenant = Fixtures.createTenant("sync-threads");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);
        int n = 8;
        String tag = "wait " + System.nanoTime();
        // each runs 4 s ([sandbox:slow]), past the test limit of 3 s: all of them wait until the deadline
        List<CompletableFuture<Response>> runs = java.util.stream.IntStream.range(0, n).mapToObj(i ->
                CompletableFuture.supplyAsync(() -> direct(key, SCHNELL, "{\"prompt\":\"" + tag + " " + i + " [sandbox:slow]\"}")))
                .toList();
        // once fal has accepted all of them, they only wait: no thread may be parked in the proxy's code (an event loop
        // running a poll's callback at that instant is RUNNABLE, not held)
        eventually(Duration.ofSeconds(10), () -> sandbox.lastSubmits(50).stream()
                .filter(r -> r.body().contains(tag) && r.requestId() != null).count(), count -> count == n);
        eventually(Duration.ofSeconds(2), () -> Fixtures.ledger(tenant).stream()
                .filter(e -> "reserve".equals(e.get("kind"))).count(), count -> count == n);
        List<String> held = Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getState() != Thread.State.RUNNABLE)
                .filter(e -> java.util.Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().startsWith("io.creditproxy.proxy.")
                        && !f.getClassName().startsWith(SyncRunTest.class.getName())))
                .map(e -> e.getKey().getName() + " " + e.getKey().getState() + " " + java.util.Arrays.toString(e.getValue()))
                .toList();
        assertThat(runs).noneMatch(CompletableFuture::isDone);
        assertThat(held).isEmpty();

        List<Response> answers = runs.stream().map(CompletableFuture::join).toList();
        assertThat(answers).extracting(Response::statusCode).containsOnly(504);
        for (Response r : answers) {
            assertThat(settlements.awaitSettlement(r.header("x-fal-request-id"), Duration.ofSeconds(20)).charged())
                    .isEqualTo(PER_IMAGE);
        }
        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000 - n * PER_IMAGE);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }
}
