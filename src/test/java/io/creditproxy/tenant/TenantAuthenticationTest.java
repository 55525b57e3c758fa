package io.creditproxy.tenant;

import static io.creditproxy.limits.ControlsFixtures.id;
import static io.creditproxy.limits.ControlsFixtures.issueKey;
import static io.creditproxy.limits.ControlsFixtures.submit;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One authentication for every tenant-facing route: the /v1 API refuses a key exactly as the fal passthrough does
 * (revoked, expired), and counts against the key's requests per minute, in a window of its own so that reading the
 * account never takes a submit's place.
 */
@QuarkusTest
class TenantAuthenticationTest {

    private static final String FLUX = "fal-ai/flux-1/dev";
    private static final List<String> API = List.of("/v1/account", "/v1/models", "/v1/usage", "/v1/ledger");

    @Test
    void theV1ApiCountsAgainstTheKeysRateLimitInAWindowOfItsOwn() {
        long tenant = Fixtures.createTenant("api-rpm");
        Fixtures.topUp(tenant, 100_000);
        String key = (String) issueKey(tenant, Map.of("name", "three a minute", "rate_limit_rpm", 3)).get("key");

        for (int i = 0; i < 3; i++) {
            given().header("Authorization", "Bearer " + key).get(API.get(i)).then().statusCode(200);
        }
        // the fourth call of the minute, whichever /v1 endpoint, is refused like a fourth submit would be
        for (String path : API) {
            Response limited = given().header("Authorization", "Key " + key).get(path);
            limited.then().statusCode(429).contentType("application/json");
            assertThat(limited.jsonPath().getString("error.code")).isEqualTo("rate_limited");
            assertThat(limited.jsonPath().getInt("error.limit")).isEqualTo(3);
            int retryAfter = Integer.parseInt(limited.header("Retry-After"));
            assertThat(retryAfter).isBetween(1, 60);
            assertThat(limited.jsonPath().getInt("error.retry_after")).isEqualTo(retryAfter);
        }

        // the submits' window is the key's own: three submits still go through, the fourth is refused
        for (int i = 0; i < 3; i++) {
            submit(key, FLUX, "{\"prompt\":\"" + i + "\"}").then().statusCode(200);
        }
        submit(key, FLUX, "{\"prompt\":\"4\"}").then().statusCode(429);
        assertThat(Fixtures.balance(tenant)).isEqualTo(100_000 - 3 * 750);
        assertThat(Fixtures.ledger(tenant)).hasSize(4);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);

        // per key: the tenant's other key is not limited
        String other = Fixtures.issueKey(tenant);
        given().header("Authorization", "Bearer " + other).get("/v1/account").then().statusCode(200);
    }

    @Test
    void aRevokedOrExpiredKeyIsRefusedTheSameWayOnEveryTenantRoute() {
        long tenant = Fixtures.createTenant("one-auth");
        Fixtures.topUp(tenant, 10_000);
        Map<String, Object> issued = issueKey(tenant, Map.of("name", "in use"));
        String key = (String) issued.get("key");
        String statusUrl = submit(key, FLUX, "{\"prompt\":\"x\"}").then().statusCode(200)
                .extract().jsonPath().getString("status_url");
        for (String path : API) {
            given().header("Authorization", "Bearer " + key).get(path).then().statusCode(200);
        }

        io.creditproxy.limits.ControlsFixtures.patchKey(id(issued),
                Map.of("expires_at", OffsetDateTime.now().minusSeconds(1).toString()));
        assertRefused(key, statusUrl, "key_expired");

        given().auth().oauth2(Fixtures.adminToken()).delete("/admin/keys/{id}", id(issued)).then().statusCode(204);
        assertRefused(key, statusUrl, "unauthorized");

        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000 - 750);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    private static void assertRefused(String key, String statusUrl, String code) {
        for (String path : API) {
            given().header("Authorization", "Bearer " + key).get(path)
                    .then().statusCode(401).contentType("application/json")
                    .body("error.code", org.hamcrest.Matchers.equalTo(code));
        }
        given().header("Authorization", "Bearer " + key).get(statusUrl)
                .then().statusCode(401).body("error.code", org.hamcrest.Matchers.equalTo(code));
        submit(key, FLUX, "{\"prompt\":\"x\"}")
                .then().statusCode(401).body("error.code", org.hamcrest.Matchers.equalTo(code));
    }
}
