package io.creditproxy.tenant;

import static io.creditproxy.support.ProxyCalls.eventually;
import static io.creditproxy.limits.ControlsFixtures.issueKey;
import static io.creditproxy.limits.ControlsFixtures.submit;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rotation: the new key works at once, the old one until its grace period ends, then it is revoked by itself. */
@QuarkusTest
class KeyRotationTest {

    private static final String FLUX = "fal-ai/flux-1/dev";

    @Test
    void theOldKeyWorksThroughTheGracePeriodThenIsRefusedAndRevoked() {
        long tenant = Fixtures.createTenant("rotation");
        Fixtures.topUp(tenant, 10_000);
        Map<String, Object> old = issueKey(tenant, Map.of("name", "prod", "allowed_models", List.of("fal-ai/flux-1/*"),
                "rate_limit_rpm", 100));
        String oldKey = (String) old.get("key");
        long oldId = ((Number) old.get("id")).longValue();

        Map<String, Object> rotated = given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("grace_seconds", 2))
                .when().post("/admin/keys/{id}/rotate", oldId)
                .then().statusCode(201)
                .extract().jsonPath().getMap("$");
        @SuppressWarnings("unchecked")
        Map<String, Object> fresh = (Map<String, Object>) rotated.get("new_key");
        String newKey = (String) fresh.get("key");
        long newId = ((Number) fresh.get("id")).longValue();
        assertThat(newKey).startsWith("cp_").isNotEqualTo(oldKey);
        assertThat(((Number) rotated.get("old_key_id")).longValue()).isEqualTo(oldId);
        assertThat(rotated.get("old_key_expires_at")).isNotNull();

        // the replacement keeps the controls
        Map<String, Object> newView = key(newId);
        assertThat(newView.get("name")).isEqualTo("prod");
        assertThat(newView.get("allowed_models")).isEqualTo(List.of("fal-ai/flux-1/*"));
        assertThat(newView.get("rate_limit_rpm")).isEqualTo(100);
        assertThat(((Number) key(oldId).get("rotated_to")).longValue()).isEqualTo(newId);

        // both work during the grace period
        submit(oldKey, FLUX, "{\"prompt\":\"old\"}").then().statusCode(200);
        submit(newKey, FLUX, "{\"prompt\":\"new\"}").then().statusCode(200);

        // then the old one is refused (expired) and, shortly after, revoked
        // (polled on /v1/account, which costs nothing)
        eventually(Duration.ofSeconds(5), () -> given().header("Authorization", "Bearer " + oldKey).get("/v1/account").statusCode(),
                status -> status == 401);
        Response refused = submit(oldKey, FLUX, "{\"prompt\":\"late\"}");
        refused.then().statusCode(401);
        assertThat(refused.jsonPath().getString("error.code")).isIn("key_expired", "unauthorized");
        eventually(Duration.ofSeconds(5), () -> key(oldId).get("revoked_at"), revokedAt -> revokedAt != null);
        given().header("Authorization", "Bearer " + oldKey).get("/v1/account").then().statusCode(401);
        submit(newKey, FLUX, "{\"prompt\":\"still\"}").then().statusCode(200);

        // two charges for the old key's one and the new key's two; nothing for the refusal
        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000 - 3 * 750);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);

        // the automatic revocation is audited as the system's
        List<Map<String, Object>> lines = given().auth().oauth2(Fixtures.adminToken())
                .queryParam("tenant_id", tenant).queryParam("action", "key.revoke")
                .get("/admin/audit").then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).get("actor")).isEqualTo("system");
        assertThat(lines.get(0).get("target")).isEqualTo("key:" + oldId);
    }

    @Test
    void aRotationWithoutGraceRevokesAtOnceAndAKeyRotatesOnce() {
        long tenant = Fixtures.createTenant("rotation-now");
        Fixtures.topUp(tenant, 10_000);
        Map<String, Object> old = issueKey(tenant, Map.of("name", "leaked"));
        String oldKey = (String) old.get("key");
        long oldId = ((Number) old.get("id")).longValue();
        submit(oldKey, FLUX, "{\"prompt\":\"before\"}").then().statusCode(200);

        String newKey = given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("grace_seconds", 0))
                .when().post("/admin/keys/{id}/rotate", oldId)
                .then().statusCode(201).extract().path("new_key.key");
        submit(oldKey, FLUX, "{\"prompt\":\"after\"}").then().statusCode(401);
        assertThat(key(oldId).get("revoked_at")).isNotNull();
        submit(newKey, FLUX, "{\"prompt\":\"after\"}").then().statusCode(200);

        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of("grace_seconds", 10))
                .when().post("/admin/keys/{id}/rotate", oldId)
                .then().statusCode(409).body("error.code", org.hamcrest.Matchers.equalTo("key_revoked"));
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of("grace_seconds", -1))
                .when().post("/admin/keys/{id}/rotate", ((Number) key(oldId).get("rotated_to")).longValue())
                .then().statusCode(422);
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of())
                .when().post("/admin/keys/{id}/rotate", 999_999_999L)
                .then().statusCode(404);
        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000 - 2 * 750);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void keyControlsAreValidated() {
        long tenant = Fixtures.createTenant("key-validation");
        for (Map<String, Object> bad : List.<Map<String, Object>>of(
                Map.of("name", "k", "allowed_models", List.of()),
                Map.of("name", "k", "allowed_models", List.of("not a pattern")),
                Map.of("name", "k", "allowed_models", "fal-ai/*"),
                Map.of("name", "k", "expires_at", "tomorrow"),
                Map.of("name", "k", "rate_limit_rpm", 0),
                Map.of("name", "k", "rate_limit_rpm", 1.5),
                Map.of("name", "k", "colour", "red"))) {
            given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(bad)
                    .when().post("/admin/tenants/{id}/keys", tenant)
                    .then().statusCode(422).body("error.code", org.hamcrest.Matchers.equalTo("invalid_parameter"));
        }
        assertThat(given().auth().oauth2(Fixtures.adminToken()).get("/admin/tenants/{id}/keys", tenant)
                .then().statusCode(200).extract().jsonPath().getList("$")).isEmpty();
    }

    private static Map<String, Object> key(long id) {
        return given().auth().oauth2(Fixtures.adminToken()).get("/admin/keys/{id}", id)
                .then().statusCode(200).extract().jsonPath().getMap("$");
    }
}
