package io.creditproxy.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditproxy.support.Fixtures;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Every admin write leaves one audit line (who, when, what, before, after), readable and filterable, never editable. */
@QuarkusTest
class AuditLogTest {

    @Inject
    EntityManager em;

    @Test
    void tenantCreditKeyAndUserActionsAreAuditedWithTheActor() {
        String admin = Fixtures.token("auditor-" + UUID.randomUUID().toString().substring(0, 8), "admin");
        String actor = claimsUpn(admin);
        long tenant = ((Number) given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "audited")).post("/admin/tenants").then().statusCode(201).extract().path("id")).longValue();
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("amount", 5_000, "reason", "audit top-up"))
                .post("/admin/tenants/{id}/credits", tenant).then().statusCode(201);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("amount", -1_000, "reason", "audit fix"))
                .post("/admin/tenants/{id}/credits", tenant).then().statusCode(201);
        Map<String, Object> issued = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "k", "rate_limit_rpm", 10)).post("/admin/tenants/{id}/keys", tenant)
                .then().statusCode(201).extract().jsonPath().getMap("$");
        long keyId = ((Number) issued.get("id")).longValue();
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("rate_limit_rpm", 20))
                .patch("/admin/keys/{id}", keyId).then().statusCode(200);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("price_multiplier", "0.9"))
                .patch("/admin/tenants/{id}", tenant).then().statusCode(200);
        given().auth().oauth2(admin).delete("/admin/keys/{id}", keyId).then().statusCode(204);
        // a revoke of a revoked key changes nothing and is not a second action
        given().auth().oauth2(admin).delete("/admin/keys/{id}", keyId).then().statusCode(204);

        List<Map<String, Object>> lines = audit(Map.of("tenant_id", tenant));
        assertThat(lines).extracting(l -> l.get("action")).containsExactly(
                "key.revoke", "tenant.update", "key.update", "key.issue", "credits.adjust", "credits.topup", "tenant.create");
        assertThat(lines).allSatisfy(l -> {
            assertThat(l.get("actor")).isEqualTo(actor);
            assertThat(l.get("actor_role")).isEqualTo("admin");
            assertThat(l.get("at")).isNotNull();
            assertThat(((Number) l.get("tenant_id")).longValue()).isEqualTo(tenant);
        });
        Map<String, Object> update = lines.get(1);
        assertThat(path(update, "before", "price_multiplier")).isEqualTo("1");
        assertThat(path(update, "after", "price_multiplier")).isEqualTo("0.9");
        Map<String, Object> keyUpdate = lines.get(2);
        assertThat(path(keyUpdate, "before", "rate_limit_rpm")).isEqualTo(10);
        assertThat(path(keyUpdate, "after", "rate_limit_rpm")).isEqualTo(20);
        assertThat(path(lines.get(0), "after", "revoked_at")).isNotNull();
        assertThat(path(lines.get(5), "after", "balance_after")).isEqualTo(5_000);
        // the key itself is never written to the log
        String all = given().auth().oauth2(Fixtures.financeToken()).queryParam("tenant_id", tenant)
                .get("/admin/audit").then().statusCode(200).extract().asString();
        assertThat(all).doesNotContain((String) issued.get("key")).doesNotContain("key_hash");

        // filter by actor: exactly this admin's actions (the revoke no-op left nothing)
        assertThat(audit(Map.of("actor", actor))).hasSize(7);
        assertThat(audit(Map.of("actor", actor, "action", "credits.topup"))).hasSize(1);

        // a new admin user is audited without its password
        String username = "audited-" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", "a-long-audited-passphrase", "role", "finance"))
                .post("/admin/users").then().statusCode(201);
        List<Map<String, Object>> users = audit(Map.of("actor", actor, "action", "user.create"));
        assertThat(users).hasSize(1);
        assertThat(path(users.get(0), "after", "username")).isEqualTo(username);
        assertThat(users.toString()).doesNotContain("a-long-audited-passphrase").doesNotContain("$2a$");
    }

    @Test
    void modelChangesAreAuditedAndFilterableByModel() {
        String model = "ptest-" + UUID.randomUUID().toString().substring(0, 8) + "/audited";
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("unit", "image", "usd_price", "0.01", "quantity_param", "num_images", "default_quantity", 1))
                .put("/admin/models/" + model).then().statusCode(200);
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of("usd_price", "0.015"))
                .put("/admin/models/" + model).then().statusCode(200);

        List<Map<String, Object>> lines = audit(Map.of("model", model));
        assertThat(lines).extracting(l -> l.get("action")).containsExactly("model.update", "model.create");
        assertThat(path(lines.get(0), "before", "usd_price")).isEqualTo("0.01");
        assertThat(path(lines.get(0), "after", "usd_price")).isEqualTo("0.015");
        assertThat(path(lines.get(1), "before", "usd_price")).isNull();
        assertThat(lines.get(0).get("actor")).isEqualTo("fixture-admin");
    }

    @Test
    void theAuditLogIsAppendOnlyAndPaged() {
        Fixtures.createTenant("append-only");
        assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() ->
                em.createNativeQuery("UPDATE audit_log SET actor = 'someone-else'").executeUpdate()))
                .hasStackTraceContaining("append-only");
        assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() ->
                em.createNativeQuery("DELETE FROM audit_log").executeUpdate()))
                .hasStackTraceContaining("append-only");

        List<Map<String, Object>> first = audit(Map.of("limit", 2));
        assertThat(first).hasSize(2);
        long lastId = ((Number) first.get(1).get("id")).longValue();
        List<Map<String, Object>> next = audit(Map.of("limit", 2, "before_id", lastId));
        assertThat(next).allSatisfy(l -> assertThat(((Number) l.get("id")).longValue()).isLessThan(lastId));
        given().auth().oauth2(Fixtures.adminToken()).queryParam("limit", 0).get("/admin/audit").then().statusCode(422);
        given().auth().oauth2(Fixtures.adminToken()).queryParam("tenant_id", "x").get("/admin/audit").then().statusCode(422);
    }

    private static List<Map<String, Object>> audit(Map<String, Object> query) {
        return given().auth().oauth2(Fixtures.financeToken()).queryParams(query)
                .when().get("/admin/audit")
                .then().statusCode(200)
                .extract().jsonPath().getList("$");
    }

    @SuppressWarnings("unchecked")
    private static Object path(Map<String, Object> line, String side, String field) {
        Map<String, Object> m = (Map<String, Object>) line.get(side);
        return m == null ? null : m.get(field);
    }

    private static String claimsUpn(String token) {
        String payload = new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]), java.nio.charset.StandardCharsets.UTF_8);
        return io.restassured.path.json.JsonPath.from(payload).getString("upn");
    }
}
