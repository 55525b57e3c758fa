package io.creditproxy.settlement;

import static io.creditproxy.support.ProxyCalls.eventually;
import static io.creditproxy.support.ProxyCalls.get;
import static io.creditproxy.support.ProxyCalls.submit;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.sandbox.SandboxServer;
import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Webhook, poll and reconciler settling the same jobs in parallel, many times over: one settlement each. */
@QuarkusTest
class SettlementRaceTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    SandboxServer sandbox;

    @Inject
    SettlementSupport db;

    @Inject
    Reconciler reconciler;

    record Job(String requestId, String responseUrl, String webhookBody) {
    }

    @Test
    void webhookPollAndReconcilerRacingSettleEachJobOnce() throws Exception {
        for (int round = 0; round < 3; round++) {
            long tenant = Fixtures.createTenant("race-" + round);
            Fixtures.topUp(tenant, 100_000);
            String key = Fixtures.issueKey(tenant);
            List<Job> jobs = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                // 3 images of 1 MP reserved (2,250), 2 delivered (1,500): a double settlement would show as a second release
                // (fal's images carry their width and height, from which a per-megapixel job is charged)
                Response r = submit(key, "fal-ai/flux-1/dev",
                        "{\"prompt\":\"[sandbox:no-webhook] [sandbox:fewer-images]\",\"num_images\":3}");
                r.then().statusCode(200);
                String id = r.jsonPath().getString("request_id");
                String webhook = "{\"request_id\":\"" + id + "\",\"gateway_request_id\":\"" + id + "\",\"status\":\"OK\","
                        + "\"payload\":{\"images\":[{\"url\":\"https://v3.fal.media/a.png\",\"width\":1024,\"height\":768},"
                        + "{\"url\":\"https://v3.fal.media/b.png\",\"width\":1024,\"height\":768}]},"
                        + "\"error\":null}";
                jobs.add(new Job(id, r.jsonPath().getString("response_url"), webhook));
            }
            for (Job job : jobs) {
                // wait at fal's side (not through the proxy, which would settle)
                eventually(WAIT, () -> given().header("Authorization", "Key test")
                                .get(sandbox.baseUrl() + "/fal-ai/flux-1/requests/" + job.requestId() + "/status").statusCode(),
                        code -> code == 200);
            }
            db.sql("UPDATE jobs SET next_check_at = now() - interval '1 second' WHERE tenant_id = ?1", tenant);

            ExecutorService pool = Executors.newFixedThreadPool(12);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> work = new ArrayList<>();
            for (Job job : jobs) {
                String jobId = db.jobIdOf(job.requestId());
                byte[] body = job.webhookBody().getBytes(StandardCharsets.UTF_8);
                Map<String, String> headers = sandbox.signWebhook(job.requestId(), body, System.currentTimeMillis() / 1000);
                work.add(pool.submit(() -> {
                    start.await();
                    for (int k = 0; k < 3; k++) {
                        int code = given().contentType("application/json").headers(headers).body(body)
                                .post("/webhooks/fal/" + jobId).statusCode();
                        assertThat(code).isEqualTo(200);
                    }
                    return null;
                }));
                work.add(pool.submit(() -> {
                    start.await();
                    for (int k = 0; k < 3; k++) {
                        assertThat(get(key, job.responseUrl()).statusCode()).isEqualTo(200);
                    }
                    return null;
                }));
            }
            for (int k = 0; k < 3; k++) {
                work.add(pool.submit(() -> {
                    start.await();
                    reconciler.reconcile();
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : work) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();

            for (Job job : jobs) {
                db.awaitSettlement(job.requestId(), WAIT);
            }
            // let any poll-triggered settlement still in flight finish, then check everything
            eventually(WAIT, () -> db.scalar("SELECT count(*) FROM jobs WHERE tenant_id = ?1 AND settled_at IS NULL", tenant), n -> n == 0);
            for (Job job : jobs) {
                assertThat(db.settlementRows(job.requestId())).isEqualTo(1);
                assertThat(db.ledgerOfJob(job.requestId())).isEqualTo(Map.of(
                        "reserve", -2_250L, "reserve#count", 1L, "release", 750L, "release#count", 1L));
            }
            assertThat(Fixtures.balance(tenant)).isEqualTo(100_000 - 12 * 1_500);
            Fixtures.assertBalanceEqualsLedgerSum(tenant);
        }
    }

    @Test
    void aRunOfManyMixedJobsLeavesEveryReservationSettledAndEveryBalanceEqualToItsLedger() throws Exception {
        String[] kinds = {"ok", "[sandbox:fail]", "[sandbox:fewer-images]", "[sandbox:no-webhook]", "[sandbox:submit-500]",
                "[sandbox:fail-422]", "cancel", "[sandbox:no-webhook] [sandbox:fail]", "[sandbox:webhook-duplicate]"};
        List<Long> tenants = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            long id = Fixtures.createTenant("mixed-" + t);
            Fixtures.topUp(id, 60_000);
            tenants.add(id);
            keys.add(Fixtures.issueKey(id));
        }
        Random random = new Random(42);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 72; i++) {
            String key = keys.get(random.nextInt(keys.size()));
            String kind = kinds[random.nextInt(kinds.length)];
            int images = 1 + random.nextInt(4);
            results.add(pool.submit(() -> {
                if (kind.equals("cancel")) {
                    Response r = submit(key, "fal-ai/flux-1/dev", "{\"prompt\":\"[sandbox:slow-queue]\"}");
                    if (r.statusCode() == 200) {
                        given().header("Authorization", "Bearer " + key).put(r.jsonPath().getString("cancel_url"));
                    }
                    return r.statusCode();
                }
                return submit(key, "fal-ai/flux-1/dev", "{\"prompt\":\"" + kind + "\",\"num_images\":" + images + "}").statusCode();
            }));
        }
        for (Future<Integer> f : results) {
            // 402 is allowed: a tenant may run out of credits in the middle of the run
            assertThat(f.get(60, TimeUnit.SECONDS)).isIn(200, 402, 500);
        }
        pool.shutdown();

        for (long tenant : tenants) {
            eventually(WAIT, () -> db.scalar("SELECT count(*) FROM jobs WHERE tenant_id = ?1 AND settled_at IS NULL", tenant),
                    n -> n == 0);
            assertThat(db.scalar("""
                    SELECT count(*) FROM jobs j LEFT JOIN settlements s ON s.job_id = j.id
                    WHERE j.tenant_id = ?1 AND s.job_id IS NULL""", tenant)).isZero();
            // what each job cost is what its settlement says, and the ledger says the same
            assertThat(db.scalar("""
                    SELECT 60000 - coalesce(sum(s.charged), 0) FROM settlements s JOIN jobs j ON j.id = s.job_id
                    WHERE j.tenant_id = ?1""", tenant)).isEqualTo(Fixtures.balance(tenant));
            assertThat(db.scalar("""
                    SELECT count(*) FROM (SELECT job_id, kind FROM ledger_entries WHERE tenant_id = ?1 AND job_id IS NOT NULL
                                          GROUP BY job_id, kind HAVING count(*) > 1) dup""", tenant)).isZero();
            assertThat(Fixtures.balance(tenant)).isGreaterThanOrEqualTo(0);
            Fixtures.assertBalanceEqualsLedgerSum(tenant);
        }
    }
}
