package io.creditproxy.admin;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AdminAuthTest {

    /** one admin endpoint: method, path, JSON body (null for none), whether it changes anything */
    record Endpoint(String method, String path, Object body, boolean write) {
    }

    /** Every admin endpoint except login, against data that exists, so only auth decides the answer. */
    private static List<Endpoint> endpoints() {
        long tenant = Fixtures.createTenant("auth-matrix");
        String key = Fixtures.issueKey(tenant);
        long keyId = ((Number) given().auth().oauth2(Fixtures.adminToken())
                .get("/admin/tenants/{id}/keys", tenant).then().statusCode(200)
                .extract().path("[0].id")).longValue();
        assertThat(key).startsWith("cp_");
        long liveKeyId = ((Number) given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("name", "matrix-live")).post("/admin/tenants/{id}/keys", tenant)
                .then().statusCode(201).extract().path("id")).longValue();
        long userId = ((Number) given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("username", "m" + UUID.randomUUID().toString().substring(0, 8),
                        "password", "long-enough-password", "role", "finance"))
                .post("/admin/users").then().statusCode(201).extract().path("id")).longValue();
        return List.of(
                new Endpoint("POST", "/admin/users", Map.of("username", "u" + UUID.randomUUID().toString().substring(0, 8),
                        "password", "long-enough-password", "role", "finance"), true),
                new Endpoint("POST", "/admin/users/" + userId + "/disable", Map.of(), true),
                new Endpoint("POST", "/admin/users/" + userId + "/enable", Map.of(), true),
                new Endpoint("GET", "/admin/users", null, false),
                new Endpoint("POST", "/admin/tenants", Map.of("name", "matrix"), true),
                new Endpoint("GET", "/admin/tenants", null, false),
                new Endpoint("GET", "/admin/tenants/" + tenant, null, false),
                new Endpoint("POST", "/admin/tenants/" + tenant + "/credits", Map.of("amount", 5, "reason", "matrix"), true),
                new Endpoint("GET", "/admin/tenants/" + tenant + "/ledger", null, false),
                new Endpoint("POST", "/admin/tenants/" + tenant + "/keys", Map.of("name", "matrix"), true),
                new Endpoint("GET", "/admin/tenants/" + tenant + "/keys", null, false),
                new Endpoint("DELETE", "/admin/keys/" + keyId, null, true),
                // controls (feat/controls)
                new Endpoint("PATCH", "/admin/tenants/" + tenant, Map.of("price_multiplier", "0.95"), true),
                new Endpoint("GET", "/admin/keys/" + keyId, null, false),
                new Endpoint("PATCH", "/admin/keys/" + liveKeyId, Map.of("rate_limit_rpm", 60), true),
                new Endpoint("POST", "/admin/keys/" + liveKeyId + "/rotate", Map.of("grace_seconds", 60), true),
                new Endpoint("GET", "/admin/models", null, false),
                new Endpoint("GET", "/admin/models/fal-ai/flux-1/dev", null, false),
                new Endpoint("PUT", "/admin/models/fal-ai/veo3", Map.of("description", "matrix"), true),
                new Endpoint("GET", "/admin/pricing/export", null, false),
                new Endpoint("POST", "/admin/pricing/import", null, true),
                new Endpoint("GET", "/admin/pricing/rates", null, false),
                new Endpoint("PUT", "/admin/pricing/rates", Map.of("credits_per_cny", 10000), true),
                new Endpoint("GET", "/admin/pricing/rates/history", null, false),
                new Endpoint("GET", "/admin/pricing/history?model=fal-ai/flux-1/dev", null, false),
                // books against fal's bill (issue 13)
                new Endpoint("POST", "/admin/pricing/sync", Map.of(), true),
                new Endpoint("GET", "/admin/reports/reconciliation", null, false),
                new Endpoint("GET", "/admin/fal/balance", null, false),
                new Endpoint("POST", "/admin/fal/billing-events/pull", Map.of(), true),
                new Endpoint("GET", "/admin/audit", null, false),
                new Endpoint("GET", "/admin/audit?tenant_id=" + tenant, null, false),
                new Endpoint("GET", "/admin/webhook-deliveries", null, false));
    }

    private static ValidatableResponse call(Endpoint e, String token) {
        RequestSpecification r = given();
        if (token != null) {
            r = r.header("Authorization", "Bearer " + token);
        }
        if (e.body() != null) {
            r = r.contentType(ContentType.JSON).body(e.body());
        } else if (e.path().endsWith("/import")) {
            // a price list that changes nothing (dry run)
            r = r.contentType("text/csv; charset=UTF-8").body(String.join(",", io.creditproxy.pricing.PriceListCsv.COLUMNS) + "\n"
                    + "fal-ai/flux-1/dev,image,0.025,num_images,1,,1,4,,,,,画图,true\n");
        }
        return r.when().request(e.method(), e.path()).then();
    }

    @Test
    void loginWithTheBootstrapAdminGivesAWorkingAdminToken() {
        String username = ConfigProvider.getConfig().getValue("admin.bootstrap.username", String.class);
        String password = ConfigProvider.getConfig().getValue("admin.bootstrap.password", String.class);
        String token = given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", password))
                .when().post("/admin/login")
                .then().statusCode(200).body("token", notNullValue())
                .extract().path("token");

        Map<String, Object> claims = claims(token);
        assertThat(claims.get("iss")).isEqualTo("credit-proxy");
        assertThat(claims.get("upn")).isEqualTo(username);
        assertThat(claims.get("groups")).isEqualTo(List.of("admin"));
        long lifespan = ((Number) claims.get("exp")).longValue() - ((Number) claims.get("iat")).longValue();
        assertThat(lifespan).isEqualTo(8 * 3600);

        // the token can write: create a tenant
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("name", "via-login"))
                .when().post("/admin/tenants").then().statusCode(201);
    }

    @Test
    void wrongPasswordAndUnknownUserGetTheSame401() {
        String username = ConfigProvider.getConfig().getValue("admin.bootstrap.username", String.class);
        String wrongPassword = given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", "not-the-password"))
                .when().post("/admin/login")
                .then().statusCode(401).contentType(ContentType.JSON)
                .body("error.code", equalTo("invalid_credentials"))
                .extract().asString();
        String unknownUser = given().contentType(ContentType.JSON)
                .body(Map.of("username", "nobody-" + UUID.randomUUID(), "password", "not-the-password"))
                .when().post("/admin/login")
                .then().statusCode(401).contentType(ContentType.JSON)
                .extract().asString();
        assertThat(unknownUser).isEqualTo(wrongPassword);
    }

    @Test
    void loginRefusesMissingFieldsAndBadJson() {
        given().contentType(ContentType.JSON).body(Map.of("username", "admin"))
                .when().post("/admin/login")
                .then().statusCode(422).body("error.code", equalTo("invalid_parameter"));
        given().contentType(ContentType.JSON).body("{\"username\": ")
                .when().post("/admin/login")
                .then().statusCode(400).body("error.code", notNullValue());
    }

    @Test
    void everyAdminEndpointRefusesMissingExpiredTamperedAndForeignTokensWith401Json() throws Exception {
        String expired = Jwt.issuer("credit-proxy").upn("fixture-admin").groups("admin")
                .issuedAt(Instant.now().minusSeconds(7200)).expiresAt(Instant.now().minusSeconds(3600)).sign();
        String tampered = tamper(Fixtures.financeToken());
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair other = generator.generateKeyPair();
        String foreign = Jwt.issuer("credit-proxy").upn("fixture-admin").groups("admin").expiresIn(3600)
                .sign(other.getPrivate());
        String wrongIssuer = Jwt.issuer("someone-else").upn("fixture-admin").groups("admin").expiresIn(3600).sign();

        for (Endpoint e : endpoints()) {
            for (String token : new String[] {null, expired, tampered, foreign, wrongIssuer, "not-a-jwt"}) {
                call(e, token).statusCode(401).contentType(ContentType.JSON)
                        .body("error.code", equalTo("unauthorized"))
                        .body("error.message", notNullValue());
            }
        }
    }

    @Test
    void financeGets403OnEveryWriteAndMayReadEverything() {
        String finance = Fixtures.financeToken();
        for (Endpoint e : endpoints()) {
            if (e.write()) {
                call(e, finance).statusCode(403).contentType(ContentType.JSON).body("error.code", equalTo("forbidden"));
            } else {
                call(e, finance).statusCode(200)
                        .contentType(org.hamcrest.Matchers.startsWith(e.path().endsWith("/export") ? "text/csv" : "application/json"));
            }
        }
    }

    @Test
    void adminCreatesAndListsUsersAndTheNewFinanceUserCanLogIn() {
        String username = "fin-" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", "finance-password-1", "role", "finance"))
                .when().post("/admin/users")
                .then().statusCode(201)
                .body("username", equalTo(username))
                .body("role", equalTo("finance"))
                .body("id", notNullValue())
                .body("created_at", notNullValue())
                .body("$", not(org.hamcrest.Matchers.hasKey("password")))
                .body("$", not(org.hamcrest.Matchers.hasKey("password_hash")));

        String listing = given().auth().oauth2(Fixtures.financeToken())
                .when().get("/admin/users")
                .then().statusCode(200).body("username", hasItem(username))
                .extract().asString();
        assertThat(listing).doesNotContain("$2a$").doesNotContain("finance-password-1").doesNotContain("password");

        String token = given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", "finance-password-1"))
                .when().post("/admin/login").then().statusCode(200).extract().path("token");
        given().auth().oauth2(token).when().get("/admin/tenants").then().statusCode(200);
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("name", "nope"))
                .when().post("/admin/tenants").then().statusCode(403).body("error.code", equalTo("forbidden"));
    }

    @Test
    void userCreationValidatesAndRefusesDuplicates() {
        String admin = Fixtures.adminToken();
        String username = "dup-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> ok = Map.of("username", username, "password", "long-enough-pw", "role", "admin");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(ok)
                .when().post("/admin/users").then().statusCode(201);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(ok)
                .when().post("/admin/users").then().statusCode(409).body("error.code", equalTo("username_taken"));

        for (Map<String, Object> bad : List.<Map<String, Object>>of(
                Map.of("username", "x" + username, "password", "short-pw", "role", "admin"),
                Map.of("username", "x" + username, "password", "x".repeat(73), "role", "admin"),
                Map.of("username", "x" + username, "password", "long-enough-pw", "role", "root"),
                Map.of("username", "has space", "password", "long-enough-pw", "role", "admin"),
                Map.of("password", "long-enough-pw", "role", "admin"),
                Map.of("username", "x" + username, "password", "long-enough-pw"))) {
            given().auth().oauth2(admin).contentType(ContentType.JSON).body(bad)
                    .when().post("/admin/users")
                    .then().statusCode(422).contentType(ContentType.JSON)
                    .body("error.code", equalTo("invalid_parameter"));
        }
        // the 11-character password was not accepted, so this user cannot log in
        given().contentType(ContentType.JSON).body(Map.of("username", "x" + username, "password", "short-pw"))
                .when().post("/admin/login").then().statusCode(401);
    }

    /** Swaps the role in the payload, keeping the original signature. */
    private static String tamper(String token) {
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        assertThat(payload).contains("\"finance\"");
        String forged = payload.replace("\"finance\"", "\"admin\"");
        return parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(forged.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> claims(String token) {
        String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        return io.restassured.path.json.JsonPath.from(payload).getMap("$");
    }
}
