package io.creditproxy.tenant;

import static io.creditproxy.support.ProxyCalls.submit;
import static io.creditproxy.tenant.SelfService.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.support.Fixtures;
import io.creditproxy.support.ProxyCalls;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Key credit quotas through the real proxy (sandbox upstream, PostgreSQL, Redis): reserved in the same statement as
 * the balance, given back with it, never below zero under concurrency.
 */
@QuarkusTest
class KeyQuotaTest {

    private static final String FLUX = "fal-ai/flux-1/dev";

    @Test
    void fiftyParallelSubmitsOnAQuotaForExactlyTen() throws Exception {
        long tenant = Fixtures.createTenant("quota-race");
        Fixtures.topUp(tenant, 1_000_000);
        String user = SelfService.userToken(tenant);
        Map<String, Object> created = SelfService.createKey(user, Map.of("name", "race", "credit_quota", 10 * 750));
        String key = (String) created.get("key");
        long keyId = ((Number) created.get("id")).longValue();

        ExecutorService pool = Executors.newFixedThreadPool(50);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Response>> results = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int n = i;
            results.add(pool.submit(() -> {
                start.await();
                return submit(key, FLUX, "{\"prompt\":\"quota race " + n + "\"}");
            }));
        }
        start.countDown();
        List<Response> answers = new ArrayList<>();
        for (Future<Response> f : results) {
            answers.add(f.get());
        }
        pool.shutdown();

        assertThat(answers.stream().filter(r -> r.statusCode() == 200)).hasSize(10);
        List<Response> refused = answers.stream().filter(r -> r.statusCode() == 402).toList();
        assertThat(refused).hasSize(40);
        for (Response r : refused) {
            assertThat(r.jsonPath().getString("error.code")).isEqualTo("key_quota_exceeded");
            assertThat(r.jsonPath().getLong("error.quota")).isEqualTo(7500);
            assertThat(r.jsonPath().getLong("error.remaining")).isZero();
            assertThat(r.jsonPath().getLong("error.price")).isEqualTo(750);
        }
        given().header("Authorization", "Bearer " + key).when().get("/v1/key").then().statusCode(200)
                .body("credit_quota", org.hamcrest.Matchers.equalTo(7500))
                .body("credits_used", org.hamcrest.Matchers.equalTo(7500))
                .body("credits_remaining", org.hamcrest.Matchers.equalTo(0))
                .body("tenant_balance", org.hamcrest.Matchers.equalTo(1_000_000 - 7500));
        // the balance paid exactly the ten, the ledger has exactly ten reservations, and the key's spend is the ledger's
        assertThat(Fixtures.balance(tenant)).isEqualTo(1_000_000 - 7500);
        assertThat(Fixtures.ledger(tenant).stream().filter(e -> "reserve".equals(e.get("kind")))).hasSize(10);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
        assertThat(SelfService.creditsUsed(keyId)).isEqualTo(7500).isEqualTo(SelfService.spendFromLedger(keyId));
    }

    @Test
    void aRefusedSubmitGivesTheQuotaBackWithTheBalance() {
        long tenant = Fixtures.createTenant("quota-refund");
        Fixtures.topUp(tenant, 100_000);
        String user = SelfService.userToken(tenant);
        Map<String, Object> created = SelfService.createKey(user, Map.of("name", "q", "credit_quota", 1500));
        String key = (String) created.get("key");
        long keyId = ((Number) created.get("id")).longValue();

        // fal refuses the submit: the price goes back to the balance and to the key's quota
        assertThat(submit(key, FLUX, "{\"prompt\":\"x [sandbox:submit-500]\"}").statusCode()).isEqualTo(500);
        assertThat(SelfService.creditsUsed(keyId)).isZero();
        assertThat(Fixtures.balance(tenant)).isEqualTo(100_000);

        // two images: the whole quota; then nothing more fits
        assertThat(submit(key, FLUX, "{\"prompt\":\"two\",\"num_images\":2}").statusCode()).isEqualTo(200);
        Response over = submit(key, FLUX, "{\"prompt\":\"one more\"}");
        assertThat(over.statusCode()).isEqualTo(402);
        assertThat(over.jsonPath().getString("error.code")).isEqualTo("key_quota_exceeded");
        assertThat(over.jsonPath().getLong("error.remaining")).isZero();
        assertThat(Fixtures.balance(tenant)).isEqualTo(100_000 - 1500);

        // raising the quota lets it spend again; lowering it below what was used is refused
        as(user).body(Map.of("credit_quota", 1000)).when().patch("/v1/keys/{id}", keyId)
                .then().statusCode(422).body("error.code", org.hamcrest.Matchers.equalTo("quota_below_used"));
        as(user).body(Map.of("credit_quota", 2250)).when().patch("/v1/keys/{id}", keyId)
                .then().statusCode(200).body("credits_remaining", org.hamcrest.Matchers.equalTo(750));
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
        assertThat(SelfService.creditsUsed(keyId)).isEqualTo(SelfService.spendFromLedger(keyId));
    }

    @Test
    void aReleaseGivesBackToTheQuota() {
        long tenant = Fixtures.createTenant("quota-release");
        Fixtures.topUp(tenant, 100_000);
        String user = SelfService.userToken(tenant);
        Map<String, Object> created = SelfService.createKey(user, Map.of("name", "q", "credit_quota", 3000));
        String key = (String) created.get("key");
        long keyId = ((Number) created.get("id")).longValue();
        Response r = submit(key, FLUX, "{\"prompt\":\"b [sandbox:fewer-images]\",\"num_images\":4}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(SelfService.creditsUsed(keyId)).isEqualTo(3000);
        ProxyCalls.get(key, r.jsonPath().getString("response_url")); // the result: 3 images; the poll settles
        long used = ProxyCalls.eventually(Duration.ofSeconds(15), () -> SelfService.creditsUsed(keyId), u -> u == 2250);
        assertThat(used).isEqualTo(2250).isEqualTo(SelfService.spendFromLedger(keyId));
        assertThat(Fixtures.balance(tenant)).isEqualTo(100_000 - 2250);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void heldCreditsAndTheQuotaQueries() {
        long tenant = Fixtures.createTenant("held");
        Fixtures.topUp(tenant, 20_000);
        String user = SelfService.userToken(tenant);
        Map<String, Object> created = SelfService.createKey(user, Map.of("name", "held", "credit_quota", 10_000,
                "expires_at", "2099-01-01T00:00:00Z"));
        String key = (String) created.get("key");
        Response r = submit(key, FLUX, "{\"prompt\":\"slow [sandbox:slow]\"}");
        assertThat(r.statusCode()).isEqualTo(200);

        // while the job runs its price is held: taken from the balance, shown apart
        Map<String, Object> account = given().header("Authorization", "Bearer " + key).when().get("/v1/account")
                .then().statusCode(200).extract().jsonPath().getMap("$");
        assertThat(account).containsEntry("balance", 19_250).containsEntry("held", 750).containsEntry("available", 19_250);
        // the same with the tenant user's token, and in the admin's tenant view
        as(user).when().get("/v1/account").then().statusCode(200)
                .body("held", org.hamcrest.Matchers.equalTo(750));
        given().auth().oauth2(Fixtures.adminToken()).when().get("/admin/tenants/{id}", tenant).then().statusCode(200)
                .body("balance", org.hamcrest.Matchers.equalTo(19_250))
                .body("held", org.hamcrest.Matchers.equalTo(750))
                .body("available", org.hamcrest.Matchers.equalTo(19_250));

        // OpenAI-style quota queries with the key: 1 unit = 10,000 credits (1 CNY)
        var subscription = given().header("Authorization", "Bearer " + key).when().get("/v1/dashboard/billing/subscription")
                .then().statusCode(200)
                .body("object", org.hamcrest.Matchers.equalTo("billing_subscription"))
                .body("hard_limit_usd", org.hamcrest.Matchers.equalTo(1.0f))
                .extract().jsonPath();
        assertThat(subscription.getLong("access_until")).isEqualTo(4070908800L);
        given().header("Authorization", "Bearer " + key).when().get("/v1/dashboard/billing/usage?start_date=2020-01-01&end_date=2099-01-01")
                .then().statusCode(200)
                .body("total_usage", org.hamcrest.Matchers.equalTo(7));
        // the quota query needs the key itself
        as(user).when().get("/v1/key").then().statusCode(400);

        Map<String, Object> settled = ProxyCalls.eventually(Duration.ofSeconds(20),
                () -> given().header("Authorization", "Bearer " + key).when().get("/v1/account").then().extract().jsonPath()
                        .<String, Object>getMap("$"),
                a -> ((Number) a.get("held")).longValue() == 0);
        assertThat(new HashMap<>(settled)).containsEntry("balance", 19_250);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }
}
