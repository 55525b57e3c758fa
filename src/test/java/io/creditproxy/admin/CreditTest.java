package io.creditproxy.admin;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

@QuarkusTest
class CreditTest {

    private static io.restassured.response.ValidatableResponse credit(long tenant, Object amount, String reason, String key) {
        Map<String, Object> body = new HashMap<>();
        body.put("amount", amount);
        body.put("reason", reason);
        var request = given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(body);
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return request.when().post("/admin/tenants/{id}/credits", tenant).then();
    }

    @Test
    void topUpAndAdjustmentWriteLedgerEntriesWithTheBalanceAfter() {
        long tenant = Fixtures.createTenant("credits");
        credit(tenant, 10_000, "first top-up", null)
                .statusCode(201).contentType(ContentType.JSON)
                .body("id", notNullValue())
                .body("tenant_id", equalTo((int) tenant))
                .body("amount", equalTo(10_000))
                .body("balance_after", equalTo(10_000))
                .body("kind", equalTo("topup"))
                .body("reason", equalTo("first top-up"))
                .body("created_by", equalTo("fixture-admin"))
                .body("created_at", notNullValue())
                .body("job_id", nullValue());
        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000);

        credit(tenant, -2_500, "correction", null)
                .statusCode(201)
                .body("amount", equalTo(-2_500))
                .body("balance_after", equalTo(7_500))
                .body("kind", equalTo("adjustment"));
        assertThat(Fixtures.balance(tenant)).isEqualTo(7_500);

        List<Map<String, Object>> ledger = Fixtures.ledger(tenant);
        assertThat(ledger).extracting(e -> ((Number) e.get("amount")).longValue()).containsExactly(-2_500L, 10_000L);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void anAdjustmentBelowZeroIs402AndMovesNothing() {
        long tenant = Fixtures.createTenant("poor");
        Fixtures.topUp(tenant, 100);
        credit(tenant, -101, "too much", null)
                .statusCode(402).contentType(ContentType.JSON)
                .body("error.code", equalTo("insufficient_credits"))
                .body("error.balance", equalTo(100));
        assertThat(Fixtures.balance(tenant)).isEqualTo(100);
        assertThat(Fixtures.ledger(tenant)).hasSize(1);
        credit(tenant, -100, "exactly all", null).statusCode(201).body("balance_after", equalTo(0));
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void theCreditLimitLetsTheBalanceGoThatFarBelowZero() {
        long tenant = ((Number) given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("name", "on credit", "credit_limit", 1_000))
                .when().post("/admin/tenants").then().statusCode(201).extract().path("id")).longValue();
        credit(tenant, -1_000, "use the limit", null).statusCode(201).body("balance_after", equalTo(-1_000));
        credit(tenant, -1, "beyond the limit", null).statusCode(402).body("error.code", equalTo("insufficient_credits"));
        assertThat(Fixtures.balance(tenant)).isEqualTo(-1_000);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void invalidAmountsAndReasonsAre422AndMoveNothing() {
        long tenant = Fixtures.createTenant("validation");
        Fixtures.topUp(tenant, 50);
        List<Object[]> bad = List.of(
                new Object[] {0, "zero"},
                new Object[] {1.5, "fraction"},
                new Object[] {"100", "a string"},
                new Object[] {1_000_000_000_001L, "over 10^12"},
                new Object[] {-1_000_000_000_001L, "under -10^12"},
                new Object[] {null, "missing amount"},
                new Object[] {10, null},
                new Object[] {10, "  "},
                new Object[] {10, "x".repeat(1001)});
        for (Object[] b : bad) {
            credit(tenant, b[0], (String) b[1], null)
                    .statusCode(422).contentType(ContentType.JSON).body("error.code", equalTo("invalid_parameter"));
        }
        credit(tenant, 10, "key too long", "k".repeat(256)).statusCode(422).body("error.code", equalTo("invalid_parameter"));
        credit(tenant, 1_000_000_000_000L, "exactly 10^12 is allowed", null).statusCode(201);
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body("{\"amount\": 5, ")
                .when().post("/admin/tenants/{id}/credits", tenant)
                .then().statusCode(400).contentType(ContentType.JSON).body("error.code", notNullValue());
        assertThat(Fixtures.balance(tenant)).isEqualTo(1_000_000_000_050L);
        assertThat(Fixtures.ledger(tenant)).hasSize(2);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void unknownTenantIs404ForCreditsAndLedger() {
        credit(Long.MAX_VALUE, 10, "nobody", null).statusCode(404).body("error.code", equalTo("unknown_tenant"));
        credit(Long.MAX_VALUE, 10, "nobody", "k-" + UUID.randomUUID()).statusCode(404).body("error.code", equalTo("unknown_tenant"));
        given().auth().oauth2(Fixtures.financeToken()).when().get("/admin/tenants/{id}/ledger", Long.MAX_VALUE)
                .then().statusCode(404).contentType(ContentType.JSON).body("error.code", equalTo("unknown_tenant"));
    }

    @Test
    void aReplayedIdempotencyKeyReturnsTheFirstEntryAndMovesNothing() {
        long tenant = Fixtures.createTenant("idempotent");
        String key = "topup-" + UUID.randomUUID();
        Map<String, Object> first = credit(tenant, 700, "order 42", key)
                .statusCode(201).extract().jsonPath().getMap("$");
        var replay = credit(tenant, 700, "order 42", key).statusCode(201)
                .header("Idempotent-Replayed", "true")
                .extract();
        assertThat(replay.jsonPath().getMap("$")).isEqualTo(first);
        assertThat(Fixtures.balance(tenant)).isEqualTo(700);
        assertThat(Fixtures.ledger(tenant)).hasSize(1);

        // the key is per tenant: another tenant may use the same key
        long other = Fixtures.createTenant("idempotent other");
        credit(other, 700, "order 42", key).statusCode(201).body("balance_after", equalTo(700));
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
        Fixtures.assertBalanceEqualsLedgerSum(other);
    }

    @Test
    void theSameKeyWithAnotherBodyIs422AndMovesNothing() {
        long tenant = Fixtures.createTenant("reused key");
        String key = "k-" + UUID.randomUUID();
        credit(tenant, 300, "first", key).statusCode(201);
        credit(tenant, 301, "first", key).statusCode(422).contentType(ContentType.JSON)
                .body("error.code", equalTo("idempotency_key_reused"));
        credit(tenant, 300, "second", key).statusCode(422).body("error.code", equalTo("idempotency_key_reused"));
        credit(tenant, -300, "first", key).statusCode(422).body("error.code", equalTo("idempotency_key_reused"));
        assertThat(Fixtures.balance(tenant)).isEqualTo(300);
        assertThat(Fixtures.ledger(tenant)).hasSize(1);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void twentyConcurrentRequestsWithOneKeyMoveMoneyOnce() throws Exception {
        long tenant = Fixtures.createTenant("concurrent replay");
        String key = "k-" + UUID.randomUUID();
        List<HttpResponse<String>> answers = parallel(20, () -> post(tenant, "{\"amount\": 1234, \"reason\": \"once\"}", key));
        assertThat(answers).extracting(HttpResponse::statusCode).containsOnly(201);
        assertThat(answers).extracting(r -> JsonPath.from(r.body()).getLong("id")).containsOnly(
                JsonPath.from(answers.get(0).body()).getLong("id"));
        assertThat(answers.stream().filter(r -> r.headers().firstValue("Idempotent-Replayed").isPresent()).count())
                .isEqualTo(19);
        assertThat(Fixtures.balance(tenant)).isEqualTo(1234);
        assertThat(Fixtures.ledger(tenant)).hasSize(1);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void twentyConcurrentDebitsOfOneKeyOnAnExactBalanceMoveMoneyOnce() throws Exception {
        long tenant = Fixtures.createTenant("concurrent debit replay");
        Fixtures.topUp(tenant, 100);
        String key = "k-" + UUID.randomUUID();
        List<HttpResponse<String>> answers = parallel(20, () -> post(tenant, "{\"amount\": -100, \"reason\": \"all\"}", key));
        // the losers find the balance already spent by the winner, and answer with the winner's entry
        assertThat(answers).extracting(HttpResponse::statusCode).containsOnly(201);
        assertThat(Fixtures.balance(tenant)).isEqualTo(0);
        assertThat(Fixtures.ledger(tenant)).hasSize(2);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void twentyConcurrentDebitsOnABalanceCoveringFiveLetExactlyFiveThrough() throws Exception {
        long tenant = Fixtures.createTenant("concurrent debits");
        Fixtures.topUp(tenant, 500);
        List<HttpResponse<String>> answers = parallel(20, () -> post(tenant, "{\"amount\": -100, \"reason\": \"debit\"}", null));
        assertThat(answers.stream().filter(r -> r.statusCode() == 201).count()).isEqualTo(5);
        assertThat(answers.stream().filter(r -> r.statusCode() == 402).count()).isEqualTo(15);
        answers.stream().filter(r -> r.statusCode() == 402).forEach(r ->
                assertThat(JsonPath.from(r.body()).getString("error.code")).isEqualTo("insufficient_credits"));
        assertThat(Fixtures.balance(tenant)).isEqualTo(0);
        assertThat(Fixtures.ledger(tenant)).hasSize(6);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void theLedgerIsNewestFirstAndPagesWithBeforeId() {
        long tenant = Fixtures.createTenant("paging");
        for (int i = 1; i <= 5; i++) {
            Fixtures.topUp(tenant, i);
        }
        List<Map<String, Object>> page1 = given().auth().oauth2(Fixtures.financeToken()).queryParam("limit", 2)
                .when().get("/admin/tenants/{id}/ledger", tenant)
                .then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(page1).extracting(e -> ((Number) e.get("amount")).intValue()).containsExactly(5, 4);
        long before = ((Number) page1.get(1).get("id")).longValue();
        List<Map<String, Object>> page2 = given().auth().oauth2(Fixtures.financeToken())
                .queryParam("limit", 2).queryParam("before_id", before)
                .when().get("/admin/tenants/{id}/ledger", tenant)
                .then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(page2).extracting(e -> ((Number) e.get("amount")).intValue()).containsExactly(3, 2);
        assertThat(page2.get(0)).containsKeys("id", "tenant_id", "amount", "balance_after", "kind", "reason",
                "created_by", "created_at").doesNotContainKeys("request_hash", "idempotency_key");
        given().auth().oauth2(Fixtures.financeToken()).queryParam("limit", 0)
                .when().get("/admin/tenants/{id}/ledger", tenant)
                .then().statusCode(422).body("error.code", equalTo("invalid_parameter"));
        given().auth().oauth2(Fixtures.financeToken()).queryParam("before_id", "abc")
                .when().get("/admin/tenants/{id}/ledger", tenant)
                .then().statusCode(422).body("error.code", equalTo("invalid_parameter"));
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> post(long tenant, String json, String idempotencyKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://localhost:" + RestAssured.port + "/admin/tenants/" + tenant + "/credits"))
                .header("Authorization", "Bearer " + Fixtures.adminToken())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Runs n calls at once (released together) and returns their answers. */
    private static <T> List<T> parallel(int n, Callable<T> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return call.call();
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
