package io.creditproxy.tenant;

import static io.creditproxy.support.ProxyCalls.submit;
import static io.creditproxy.tenant.SelfService.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The System API (/v1/keys with a tenant user's token), the tenant's limits, price groups and audit. */
@QuarkusTest
class SystemApiTest {

    private static final String FLUX = "fal-ai/flux-1/dev";

    @Test
    void createListSearchPatchRotateRevoke() {
        long tenant = Fixtures.createTenant("system-api");
        Fixtures.topUp(tenant, 100_000);
        String user = SelfService.userToken(tenant);
        Map<String, Object> made = SelfService.createKey(user, Map.of("name", "prod images", "credit_quota", 5000,
                "allowed_models", List.of("fal-ai/flux-1/*"), "expires_at", "2099-01-01T00:00:00Z", "rate_limit_rpm", 60));
        String key = (String) made.get("key");
        long id = ((Number) made.get("id")).longValue();
        assertThat(key).startsWith("cp_");
        assertThat(made).containsEntry("group", "default").containsEntry("credit_quota", 5000);
        for (int i = 0; i < 3; i++) {
            SelfService.createKey(user, Map.of("name", "batch " + i));
        }

        // newest first, paged, searchable by name or prefix; never the key itself
        as(user).when().get("/v1/keys?limit=2").then().statusCode(200).body("keys", hasSize(2))
                .body("keys.name", contains("batch 2", "batch 1")).body("next_before", notNullValue())
                .body("keys[0].key", nullValue());
        long before = as(user).when().get("/v1/keys?limit=2").then().extract().jsonPath().getLong("next_before");
        as(user).when().get("/v1/keys?limit=2&before=" + before).then().statusCode(200)
                .body("keys.name", contains("batch 0", "prod images"));
        as(user).when().get("/v1/keys?search=PROD").then().statusCode(200).body("keys", hasSize(1))
                .body("keys[0].id", equalTo((int) id)).body("keys[0].credit_quota", equalTo(5000))
                .body("keys[0].credits_used", equalTo(0)).body("keys[0].credits_remaining", equalTo(5000))
                .body("keys[0].allowed_models", contains("fal-ai/flux-1/*")).body("keys[0].rate_limit_rpm", equalTo(60));
        String prefix = (String) made.get("prefix");
        as(user).when().get("/v1/keys?search=" + prefix).then().body("keys", hasSize(1));
        as(user).when().get("/v1/keys?limit=0").then().statusCode(422);

        // the key works, is priced and shows its use
        assertThat(submit(key, FLUX, "{\"prompt\":\"fox\"}").statusCode()).isEqualTo(200);
        as(user).when().get("/v1/keys/{id}", id).then().statusCode(200).body("credits_used", equalTo(750))
                .body("credits_remaining", equalTo(4250)).body("last_used_at", notNullValue());
        as(user).when().get("/v1/keys/{id}/usage", id).then().statusCode(200).body("jobs", hasSize(1))
                .body("jobs[0].model", equalTo(FLUX));
        as(user).when().get("/v1/keys/{id}/usage?group_by=model", id).then().statusCode(200)
                .body("rows[0].model", equalTo(FLUX)).body("rows[0].jobs_submitted", equalTo(1))
                .body("totals.margin_cny", nullValue()).body("totals.fal_cost_usd", nullValue());
        as(user).when().get("/v1/keys/{id}/models", id).then().statusCode(200)
                .body("group", equalTo("default"))
                .body("models.id", org.hamcrest.Matchers.everyItem(org.hamcrest.Matchers.startsWith("fal-ai/flux-1/")))
                .body("models.find { it.id == 'fal-ai/flux-1/dev' }.credits_per_unit", equalTo(750));

        // PATCH: absent = unchanged, null = cleared; bad input is a 422 that changes nothing
        as(user).body(Map.of("name", "renamed", "rate_limit_rpm", 120)).when().patch("/v1/keys/{id}", id)
                .then().statusCode(200).body("name", equalTo("renamed")).body("rate_limit_rpm", equalTo(120))
                .body("credit_quota", equalTo(5000));
        as(user).body("{\"credit_quota\":-1}").when().patch("/v1/keys/{id}", id).then().statusCode(422);
        as(user).body("{\"credit_quota\":\"5\"}").when().patch("/v1/keys/{id}", id).then().statusCode(422);
        as(user).body("{\"owner\":7}").when().patch("/v1/keys/{id}", id).then().statusCode(422);
        as(user).body("{\"allowed_models\":null}").when().patch("/v1/keys/{id}", id).then().statusCode(200)
                .body("allowed_models", nullValue()).body("name", equalTo("renamed"));

        // rotate: the new key is shown once and takes what is left of the quota
        Map<String, Object> rotated = as(user).body(Map.of("grace_seconds", 0)).when().post("/v1/keys/{id}/rotate", id)
                .then().statusCode(201).extract().jsonPath().getMap("new_key");
        String newKey = (String) rotated.get("key");
        assertThat(rotated).containsEntry("credit_quota", 4250);
        given().header("Authorization", "Bearer " + key).when().get("/v1/account").then().statusCode(401);

        // delete: the key stops at once
        long newId = ((Number) rotated.get("id")).longValue();
        given().header("Authorization", "Bearer " + newKey).when().get("/v1/account").then().statusCode(200);
        as(user).when().delete("/v1/keys/{id}", newId).then().statusCode(204);
        given().header("Authorization", "Bearer " + newKey).when().get("/v1/account").then().statusCode(401);
        assertThat(submit(newKey, FLUX, "{\"prompt\":\"after delete\"}").statusCode()).isEqualTo(401);

        // every change is in the audit log with the tenant user as actor
        List<Map<String, Object>> audit = given().auth().oauth2(Fixtures.adminToken())
                .when().get("/admin/audit?tenant_id=" + tenant).then().statusCode(200).extract().jsonPath().getList("$");
        List<String> actions = audit.stream().filter(e -> "tenant".equals(e.get("actor_role")))
                .map(e -> (String) e.get("action")).toList();
        assertThat(actions).contains("key.issue", "key.update", "key.rotate", "key.revoke");
        assertThat(audit.stream().filter(e -> "tenant".equals(e.get("actor_role"))).map(e -> e.get("actor")).distinct())
                .hasSize(1).doesNotContain("system");
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void limitsAnAdminSetAreEnforcedWithAClear4xx() {
        long tenant = Fixtures.createTenant("limited");
        String user = SelfService.userToken(tenant);
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of("max_keys", 2))
                .when().patch("/admin/tenants/{id}", tenant).then().statusCode(200).body("max_keys", equalTo(2));
        long first = ((Number) SelfService.createKey(user, Map.of("name", "one")).get("id")).longValue();
        SelfService.createKey(user, Map.of("name", "two"));
        as(user).body(Map.of("name", "three")).when().post("/v1/keys").then().statusCode(409)
                .body("error.code", equalTo("key_limit_reached")).body("error.max_keys", equalTo(2));
        as(user).when().delete("/v1/keys/{id}", first).then().statusCode(204);
        SelfService.createKey(user, Map.of("name", "three"));

        // a group the tenant may not use
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of("price_multiplier", "2"))
                .when().put("/admin/groups/{name}", "vip-only").then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of("max_keys", 10))
                .when().patch("/admin/tenants/{id}", tenant).then().statusCode(200);
        as(user).body(Map.of("name", "vip", "group", "vip-only")).when().post("/v1/keys").then().statusCode(403)
                .body("error.code", equalTo("group_not_allowed"));
        as(user).body(Map.of("name", "nope", "group", "no-such-group")).when().post("/v1/keys").then().statusCode(403);
        // bad input: nothing is created
        as(user).body(Map.of("name", "")).when().post("/v1/keys").then().statusCode(422);
        as(user).body("{\"name\":\"x\",\"credit_quota\":1.5}").when().post("/v1/keys").then().statusCode(422);
        as(user).body("{\"name\":\"x\",\"expires_at\":\"tomorrow\"}").when().post("/v1/keys").then().statusCode(422);
        as(user).body("{\"name\":").when().post("/v1/keys").then().statusCode(400);
        // nothing was created: "one" (revoked), "two", "three"
        as(user).when().get("/v1/keys").then().body("keys.name", contains("three", "two", "one"));
    }

    @Test
    void groupsPriceKeysAndThePriceIsFrozenOnTheJob() {
        String group = "pro-" + Long.toString(System.nanoTime(), 36);
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("price_multiplier", "1.5", "description", "faster lane"))
                .when().put("/admin/groups/{name}", group).then().statusCode(201)
                .body("name", equalTo(group)).body("price_multiplier", equalTo("1.5")).body("enabled", equalTo(true));
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of("description", "fast"))
                .when().put("/admin/groups/{name}", group).then().statusCode(200).body("price_multiplier", equalTo("1.5"));
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of("price_multiplier", "0"))
                .when().put("/admin/groups/{name}", group).then().statusCode(422);
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of("enabled", true))
                .when().put("/admin/groups/{name}", "Bad Name").then().statusCode(422);
        given().auth().oauth2(Fixtures.financeToken()).contentType(ContentType.JSON).body(Map.of("enabled", true))
                .when().put("/admin/groups/{name}", group).then().statusCode(403);
        given().auth().oauth2(Fixtures.financeToken()).when().get("/admin/groups").then().statusCode(200)
                .body("name", org.hamcrest.Matchers.hasItems("default", group));

        long tenant = Fixtures.createTenant("grouped");
        Fixtures.topUp(tenant, 100_000);
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("price_multiplier", "0.9", "allowed_groups", List.of(group)))
                .when().patch("/admin/tenants/{id}", tenant).then().statusCode(200)
                .body("allowed_groups", contains(group)).body("default_group", equalTo("default"));
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("allowed_groups", List.of("no-such-group")))
                .when().patch("/admin/tenants/{id}", tenant).then().statusCode(422);
        String user = SelfService.userToken(tenant);
        as(user).when().get("/v1/groups").then().statusCode(200).body("name", contains("default", group))
                .body("find { it.name == '" + group + "' }.effective_multiplier", equalTo("1.35"));
        // 750 x 0.9 x 1.5 = 1012.5 → 1013 credits (rounded up once, after the whole product)
        as(user).when().get("/v1/models?group=" + group).then().statusCode(200)
                .body("group", equalTo(group))
                .body("models.find { it.id == 'fal-ai/flux-1/dev' }.credits_per_unit", equalTo(1013));
        as(user).when().get("/v1/models?group=vip-none").then().statusCode(403);
        String key = (String) SelfService.createKey(user, Map.of("name", "pro key", "group", group)).get("key");
        given().header("Authorization", "Bearer " + key).when().get("/v1/models").then().statusCode(200)
                .body("group", equalTo(group))
                .body("models.find { it.id == 'fal-ai/flux-1/dev' }.credits_per_unit", equalTo(1013));

        var answer = submit(key, FLUX, "{\"prompt\":\"priced in a group\"}");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(Fixtures.balance(tenant)).isEqualTo(100_000 - 1013);
        // a later change of the group's multiplier does not touch the job; the next submit pays the new one
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of("price_multiplier", "2"))
                .when().put("/admin/groups/{name}", group).then().statusCode(200);
        assertThat(SelfService.queryText("SELECT group_multiplier FROM jobs WHERE tenant_id = ? ORDER BY created_at LIMIT 1",
                tenant)).isEqualTo(new BigDecimal("1.5000").toPlainString());
        assertThat(SelfService.queryText("SELECT price_multiplier FROM jobs WHERE tenant_id = ? ORDER BY created_at LIMIT 1",
                tenant)).isEqualTo("0.9000");
        assertThat(submit(key, FLUX, "{\"prompt\":\"new price\"}").statusCode()).isEqualTo(200);
        assertThat(Fixtures.balance(tenant)).isEqualTo(100_000 - 1013 - 1350);
        // a disabled group stops its keys' submits (403, nothing charged)
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of("enabled", false))
                .when().put("/admin/groups/{name}", group).then().statusCode(200);
        var refused = submit(key, FLUX, "{\"prompt\":\"disabled\"}");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.jsonPath().getString("error.code")).isEqualTo("group_disabled");
        assertThat(Fixtures.balance(tenant)).isEqualTo(100_000 - 1013 - 1350);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }
}
