package io.creditproxy.limits;

import static io.creditproxy.limits.ControlsFixtures.assertNoCreditMoved;
import static io.creditproxy.limits.ControlsFixtures.id;
import static io.creditproxy.limits.ControlsFixtures.issueKey;
import static io.creditproxy.limits.ControlsFixtures.patchKey;
import static io.creditproxy.limits.ControlsFixtures.patchTenant;
import static io.creditproxy.limits.ControlsFixtures.submit;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.support.Fixtures;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Every control of the submit path through the real passthrough and the sandbox upstream: the refusal, its status,
 * its error body, and that no credit moved (balance and ledger).
 */
@QuarkusTest
class SubmitControlsTest {

    private static final String FLUX = "fal-ai/flux-1/dev";
    private static final long TOP_UP = 100_000;

    @Inject
    JobSlots slots;

    @Inject
    EntityManager em;

    @Test
    void aKeyMayUseOnlyItsAllowedModels() {
        long tenant = Fixtures.createTenant("allowed-models");
        Fixtures.topUp(tenant, TOP_UP);
        String key = (String) issueKey(tenant, Map.of("name", "flux only", "allowed_models", List.of("fal-ai/flux-1/*"))).get("key");

        Response refused = submit(key, "fal-ai/flux-pro/kontext", "{\"prompt\":\"x\"}");
        refused.then().statusCode(403);
        assertThat(refused.jsonPath().getString("error.code")).isEqualTo("model_not_allowed");
        assertThat(refused.jsonPath().getString("error.message")).contains("fal-ai/flux-pro/kontext");
        assertThat(refused.jsonPath().getList("error.allowed_models")).containsExactly("fal-ai/flux-1/*");
        // refused before pricing: even an unknown model or a broken body is 403, not 404 or 400
        submit(key, "fal-ai/not-a-model", "{").then().statusCode(403);
        assertNoCreditMoved(tenant, TOP_UP);

        // the pattern covers deeper paths of the same family
        submit(key, FLUX, "{\"prompt\":\"x\"}").then().statusCode(200);
        submit(key, "fal-ai/flux-1/schnell/redux", "{\"prompt\":\"x\"}").then().statusCode(200);
        assertThat(Fixtures.balance(tenant)).isEqualTo(TOP_UP - 750 - 90);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void anExpiredKeyIs401EverywhereAndMovesNoCredit() {
        long tenant = Fixtures.createTenant("expired");
        Fixtures.topUp(tenant, TOP_UP);
        String key = (String) issueKey(tenant, Map.of("name", "old",
                "expires_at", OffsetDateTime.now().minusMinutes(1).toString())).get("key");

        Response refused = submit(key, FLUX, "{\"prompt\":\"x\"}");
        refused.then().statusCode(401);
        assertThat(refused.jsonPath().getString("error.code")).isEqualTo("key_expired");
        given().header("Authorization", "Bearer " + key).get("/v1/account").then().statusCode(401);
        assertNoCreditMoved(tenant, TOP_UP);
    }

    @Test
    void aKeyExpiredWhileInUseStopsAtOnceForSubmitsAndPolls() {
        long tenant = Fixtures.createTenant("expires-in-use");
        Fixtures.topUp(tenant, TOP_UP);
        Map<String, Object> issued = issueKey(tenant, Map.of("name", "soon",
                "expires_at", OffsetDateTime.now().plusDays(1).toString()));
        String key = (String) issued.get("key");
        Response ok = submit(key, FLUX, "{\"prompt\":\"x\"}");
        ok.then().statusCode(200);
        String statusUrl = ok.jsonPath().getString("status_url");

        patchKey(id(issued), Map.of("expires_at", OffsetDateTime.now().minusSeconds(1).toString()));

        Response refused = submit(key, FLUX, "{\"prompt\":\"x\"}");
        refused.then().statusCode(401);
        assertThat(refused.jsonPath().getString("error.code")).isEqualTo("key_expired");
        given().header("Authorization", "Bearer " + key).get(statusUrl).then().statusCode(401);
        assertThat(Fixtures.balance(tenant)).isEqualTo(TOP_UP - 750);
        assertThat(Fixtures.ledger(tenant)).hasSize(2);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void requestsPerMinuteAreLimitedWith429AndRetryAfter() {
        long tenant = Fixtures.createTenant("rpm");
        Fixtures.topUp(tenant, TOP_UP);
        Map<String, Object> issued = issueKey(tenant, Map.of("name", "two a minute", "rate_limit_rpm", 2));
        String key = (String) issued.get("key");

        submit(key, FLUX, "{\"prompt\":\"1\"}").then().statusCode(200);
        submit(key, FLUX, "{\"prompt\":\"2\"}").then().statusCode(200);
        Response limited = submit(key, FLUX, "{\"prompt\":\"3\"}");
        limited.then().statusCode(429);
        assertThat(limited.jsonPath().getString("error.code")).isEqualTo("rate_limited");
        assertThat(limited.jsonPath().getInt("error.limit")).isEqualTo(2);
        int retryAfter = Integer.parseInt(limited.header("Retry-After"));
        assertThat(retryAfter).isBetween(1, 60);
        assertThat(limited.jsonPath().getInt("error.retry_after")).isEqualTo(retryAfter);
        // a refused request is not counted, and still refused
        submit(key, FLUX, "{\"prompt\":\"4\"}").then().statusCode(429);

        // exactly two charges
        assertThat(Fixtures.balance(tenant)).isEqualTo(TOP_UP - 2 * 750);
        assertThat(Fixtures.ledger(tenant)).hasSize(3);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);

        // the limit is per key: another key of the tenant is not affected; raising the limit applies at once
        String other = Fixtures.issueKey(tenant);
        submit(other, FLUX, "{\"prompt\":\"5\"}").then().statusCode(200);
        patchKey(id(issued), Map.of("rate_limit_rpm", 3));
        submit(key, FLUX, "{\"prompt\":\"6\"}").then().statusCode(200);
    }

    @Test
    void aTenantsConcurrentOpenJobsAreLimitedAndSlotsComeBack() {
        long tenant = Fixtures.createTenant("concurrency");
        Fixtures.topUp(tenant, TOP_UP);
        patchTenant(tenant, Map.of("max_concurrent_jobs", 1));
        String key = Fixtures.issueKey(tenant);

        // a submit fal refuses is refunded and gives its slot back
        submit(key, FLUX, "{\"prompt\":\"[sandbox:submit-500]\"}").then().statusCode(500);
        // a submit refused before the reservation (bad parameter) never holds one
        submit(key, FLUX, "{\"num_images\":0}").then().statusCode(422);

        // slow jobs (seconds in the sandbox), so that they are surely still open when the next submit comes
        Response first = submit(key, FLUX, "{\"prompt\":\"first [sandbox:slow]\"}");
        first.then().statusCode(200);
        long afterFirst = Fixtures.balance(tenant);
        assertThat(afterFirst).isEqualTo(TOP_UP - 750);
        int ledgerSize = Fixtures.ledger(tenant).size();

        Response refused = submit(key, FLUX, "{\"prompt\":\"second\"}");
        refused.then().statusCode(429);
        assertThat(refused.jsonPath().getString("error.code")).isEqualTo("too_many_open_jobs");
        assertThat(refused.jsonPath().getInt("error.limit")).isEqualTo(1);
        assertThat(refused.jsonPath().getInt("error.open")).isEqualTo(1);
        assertThat(Integer.parseInt(refused.header("Retry-After"))).isPositive();
        assertThat(Fixtures.balance(tenant)).isEqualTo(afterFirst);
        assertThat(Fixtures.ledger(tenant)).hasSize(ledgerSize);

        // the first job completes and is settled (here by the tenant's poll): its slot comes back
        String statusUrl = first.jsonPath().getString("status_url");
        io.creditproxy.support.ProxyCalls.eventually(java.time.Duration.ofSeconds(15),
                () -> given().header("Authorization", "Bearer " + key).get(statusUrl).jsonPath().getString("status"),
                "COMPLETED"::equals);
        io.creditproxy.support.ProxyCalls.eventually(java.time.Duration.ofSeconds(10),
                () -> submit(key, FLUX, "{\"prompt\":\"third [sandbox:slow]\"}").statusCode(), status -> status == 200);
        assertThat(Fixtures.balance(tenant)).isEqualTo(TOP_UP - 2 * 750);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);

        // an admin can also free a slot by hand (JobSlots.release is what settlement calls; twice is harmless)
        submit(key, FLUX, "{\"prompt\":\"fourth\"}").then().statusCode(429);
        UUID open = openJob(tenant);
        slots.release(tenant, open);
        slots.release(tenant, open);
        // the release is sent without waiting for Redis' answer
        io.creditproxy.support.ProxyCalls.eventually(java.time.Duration.ofSeconds(5),
                () -> submit(key, FLUX, "{\"prompt\":\"fifth\"}").statusCode(), status -> status == 200);

        // lifting the limit applies at once
        patchTenant(tenant, java.util.Collections.singletonMap("max_concurrent_jobs", null));
        submit(key, FLUX, "{\"prompt\":\"sixth\"}").then().statusCode(200);
    }

    @Test
    void jobSlotsAreIdempotent() {
        long tenant = Fixtures.createTenant("slots");
        patchTenant(tenant, Map.of("max_concurrent_jobs", 2));
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        slots.acquire(tenant, a);
        slots.acquire(tenant, a); // the same job again takes no second slot
        slots.acquire(tenant, b);
        UUID c = UUID.randomUUID();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> slots.acquire(tenant, c))
                .isInstanceOfSatisfying(io.creditproxy.common.ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.code()).isEqualTo("too_many_open_jobs");
                });
        slots.release(tenant, a);
        slots.release(tenant, a);
        io.creditproxy.support.ProxyCalls.eventually(java.time.Duration.ofSeconds(5), () -> {
            try {
                slots.acquire(tenant, c);
                return true;
            } catch (io.creditproxy.common.ApiException e) {
                return false;
            }
        }, acquired -> acquired);
    }

    @Test
    void thePriceMultiplierIsAppliedExactlyAndFrozenOntoTheJob() {
        long tenant = Fixtures.createTenant("multiplier");
        Fixtures.topUp(tenant, TOP_UP);
        patchTenant(tenant, Map.of("price_multiplier", "0.9"));
        String key = Fixtures.issueKey(tenant);

        // 2 x 750 x 0.9 = 1350
        String first = submit(key, FLUX, "{\"prompt\":\"x\",\"num_images\":2}").then().statusCode(200)
                .extract().path("request_id");
        assertThat(Fixtures.balance(tenant)).isEqualTo(TOP_UP - 1_350);

        // the tenant's catalog shows its own credits: 750 x 0.9 = 675 per image
        given().header("Authorization", "Bearer " + key).get("/v1/models").then().statusCode(200)
                .body("models.find { it.id == 'fal-ai/flux-1/dev' }.credits_per_unit", org.hamcrest.Matchers.equalTo(675))
                .body("models.find { it.id == 'fal-ai/flux-1/dev' }.usd_price", org.hamcrest.Matchers.equalTo("0.025"));

        // a markup applies to the next submit at once; 0.003 USD x 30,000 x 1.2345 = 111.105 -> 112 (rounded up)
        Map<String, Object> view = patchTenant(tenant, Map.of("price_multiplier", 1.2345));
        assertThat(view.get("price_multiplier")).isEqualTo("1.2345");
        submit(key, "fal-ai/flux-1/schnell", "{\"prompt\":\"x\"}").then().statusCode(200);
        assertThat(Fixtures.balance(tenant)).isEqualTo(TOP_UP - 1_350 - 112);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);

        Object[] job = QuarkusTransaction.requiringNew().call(() -> (Object[]) em.createNativeQuery(
                        "SELECT price_multiplier, price_credits, price_version_id, rate_version_id FROM jobs WHERE request_id = ?1")
                .setParameter(1, first).getSingleResult());
        assertThat((BigDecimal) job[0]).isEqualByComparingTo("0.9");
        assertThat(((Number) job[1]).longValue()).isEqualTo(1_350);
        Number currentVersion = QuarkusTransaction.requiringNew().call(() -> (Number) em.createNativeQuery(
                "SELECT price_version_id FROM models WHERE id = ?1").setParameter(1, FLUX).getSingleResult());
        assertThat(((Number) job[2]).longValue()).isEqualTo(currentVersion.longValue());
        assertThat(job[3]).isNotNull();

        // bad multipliers are refused
        for (Object bad : List.of(0, -1, "abc", "0.12345", 1001)) {
            given().auth().oauth2(Fixtures.adminToken()).contentType("application/json")
                    .body(Map.of("price_multiplier", bad))
                    .when().patch("/admin/tenants/{id}", tenant)
                    .then().statusCode(422);
        }
    }

    @Test
    void theCreditLimitCanBeChangedButNotBelowTheBalance() {
        long tenant = Fixtures.createTenant("credit-limit");
        String key = Fixtures.issueKey(tenant);
        // without a limit an empty account is refused
        submit(key, FLUX, "{\"prompt\":\"x\"}").then().statusCode(402);
        patchTenant(tenant, Map.of("credit_limit", 1_000));
        submit(key, FLUX, "{\"prompt\":\"x\"}").then().statusCode(200);
        assertThat(Fixtures.balance(tenant)).isEqualTo(-750);
        // a second one would go below -1000
        submit(key, FLUX, "{\"prompt\":\"x\"}").then().statusCode(402);
        given().auth().oauth2(Fixtures.adminToken()).contentType("application/json")
                .body(Map.of("credit_limit", 500))
                .when().patch("/admin/tenants/{id}", tenant)
                .then().statusCode(409)
                .body("error.code", org.hamcrest.Matchers.equalTo("credit_limit_below_balance"));
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    private UUID openJob(long tenant) {
        return QuarkusTransaction.requiringNew().call(() -> (UUID) em.createNativeQuery(
                        "SELECT id FROM jobs WHERE tenant_id = ?1 AND settled_at IS NULL AND status = 'SUBMITTED' ORDER BY created_at LIMIT 1")
                .setParameter(1, tenant).getSingleResult());
    }
}
