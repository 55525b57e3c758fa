package io.creditproxy.proxy;

import static io.creditproxy.support.ProxyCalls.submit;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ProxyConcurrencyTest {

    @Test
    void fiftyParallelSubmitsOnABalanceForExactlyTen() throws Exception {
        long tenant = Fixtures.createTenant("race");
        Fixtures.topUp(tenant, 10 * 750);
        String key = Fixtures.issueKey(tenant);

        ExecutorService pool = Executors.newFixedThreadPool(50);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int n = i;
            results.add(pool.submit(() -> {
                start.await();
                return submit(key, "fal-ai/flux-1/dev", "{\"prompt\":\"race " + n + "\"}").statusCode();
            }));
        }
        start.countDown();
        List<Integer> codes = new ArrayList<>();
        for (Future<Integer> f : results) {
            codes.add(f.get());
        }
        pool.shutdown();

        assertThat(codes.stream().filter(c -> c == 200)).hasSize(10);
        assertThat(codes.stream().filter(c -> c == 402)).hasSize(40);
        assertThat(Fixtures.balance(tenant)).isZero();
        assertThat(Fixtures.ledger(tenant).stream().filter(e -> "reserve".equals(e.get("kind")))).hasSize(10);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void parallelReplaysOfOneIdempotencyKeyChargeOnce() throws Exception {
        long tenant = Fixtures.createTenant("idem-race");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);

        ExecutorService pool = Executors.newFixedThreadPool(20);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<io.restassured.response.Response>> results = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            results.add(pool.submit(() -> {
                start.await();
                return io.restassured.RestAssured.given().header("Authorization", "Bearer " + key)
                        .header("Idempotency-Key", "same").contentType("application/json")
                        .body("{\"prompt\":\"one\"}").post("/fal-ai/flux-1/dev");
            }));
        }
        start.countDown();
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (Future<io.restassured.response.Response> f : results) {
            io.restassured.response.Response r = f.get();
            // the first is forwarded; the others replay it, or see 409 while it is still in flight
            assertThat(r.statusCode()).isIn(200, 409);
            if (r.statusCode() == 200) {
                ids.add(r.jsonPath().getString("request_id"));
            }
        }
        pool.shutdown();
        assertThat(ids).hasSize(1);
        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000 - 750);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void aReplayAnswersTheFirstAnswerEvenAfterTheBalanceRanOut() {
        long tenant = Fixtures.createTenant("idem-spent");
        Fixtures.topUp(tenant, 750);
        String key = Fixtures.issueKey(tenant);
        java.util.function.Supplier<io.restassured.response.Response> once = () -> io.restassured.RestAssured.given()
                .header("Authorization", "Bearer " + key).header("Idempotency-Key", "spent")
                .contentType("application/json").body("{\"prompt\":\"one\"}").post("/fal-ai/flux-1/dev");

        io.restassured.response.Response first = once.get();
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(Fixtures.balance(tenant)).isZero();
        // the balance no longer covers a submit, but a replay is not a submit: same answer, nothing charged
        io.restassured.response.Response replay = once.get();
        assertThat(replay.statusCode()).isEqualTo(200);
        assertThat(replay.jsonPath().getString("request_id")).isEqualTo(first.jsonPath().getString("request_id"));
        assertThat(submit(key, "fal-ai/flux-1/dev", "{\"prompt\":\"two\"}").statusCode()).isEqualTo(402);
        assertThat(Fixtures.balance(tenant)).isZero();
        assertThat(Fixtures.ledger(tenant).stream().filter(e -> "reserve".equals(e.get("kind")))).hasSize(1);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }
}
