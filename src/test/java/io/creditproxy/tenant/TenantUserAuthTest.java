package io.creditproxy.tenant;

import static io.creditproxy.tenant.SelfService.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Tenant users: login, the separation of tenant and admin tokens, and a tenant token seeing only its own tenant.
 */
@QuarkusTest
class TenantUserAuthTest {

    @Test
    void aTenantTokenNeverWorksOnAdminRoutesAndAnAdminTokenNeverOnTenantRoutes() {
        long tenant = Fixtures.createTenant("separation");
        String user = SelfService.userToken(tenant);
        for (String path : new String[] {"/admin/tenants", "/admin/tenants/" + tenant, "/admin/groups", "/admin/audit",
                "/admin/models", "/admin/tenants/" + tenant + "/users", "/admin/users"}) {
            as(user).when().get(path).then().statusCode(403).body("error.code", equalTo("forbidden"));
        }
        as(user).body(Map.of("amount", 1000, "reason", "x")).when().post("/admin/tenants/{id}/credits", tenant)
                .then().statusCode(403);
        as(user).body(Map.of("name", "k")).when().post("/admin/tenants/{id}/keys", tenant).then().statusCode(403);

        String admin = Fixtures.adminToken();
        as(admin).when().get("/v1/keys").then().statusCode(403);
        as(admin).body(Map.of("name", "k")).when().post("/v1/keys").then().statusCode(403);
        // the routes that take an API key or a tenant user's token: an admin's token is neither
        as(admin).when().get("/v1/account").then().statusCode(401);
        as(admin).when().get("/v1/groups").then().statusCode(401);
        given().header("Authorization", "Bearer " + admin).when().get("/v1/usage").then().statusCode(401);
        // nothing was created
        given().auth().oauth2(admin).when().get("/admin/tenants/{id}/keys", tenant).then().statusCode(200).body("$", hasSize(0));
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void aTenantTokenSeesOnlyItsOwnTenant() {
        long a = Fixtures.createTenant("tenant-a");
        long b = Fixtures.createTenant("tenant-b");
        String userA = SelfService.userToken(a);
        String userB = SelfService.userToken(b);
        long keyB = ((Number) SelfService.createKey(userB, Map.of("name", "b's key")).get("id")).longValue();
        SelfService.createKey(userA, Map.of("name", "a's key"));

        as(userA).when().get("/v1/keys").then().statusCode(200).body("keys", hasSize(1))
                .body("keys[0].name", equalTo("a's key")).body("keys[0].tenant_id", equalTo((int) a));
        as(userA).when().get("/v1/keys/{id}", keyB).then().statusCode(404).body("error.code", equalTo("unknown_key"));
        as(userA).body(Map.of("name", "stolen")).when().patch("/v1/keys/{id}", keyB).then().statusCode(404);
        as(userA).when().post("/v1/keys/{id}/rotate", keyB).then().statusCode(404);
        as(userA).when().delete("/v1/keys/{id}", keyB).then().statusCode(404);
        as(userA).when().get("/v1/keys/{id}/usage", keyB).then().statusCode(404);
        as(userA).when().get("/v1/keys/{id}/models", keyB).then().statusCode(404);
        as(userA).when().get("/v1/account").then().statusCode(200).body("tenant_id", equalTo((int) a));
        // b's key is untouched
        as(userB).when().get("/v1/keys/{id}", keyB).then().statusCode(200).body("name", equalTo("b's key"))
                .body("revoked_at", equalTo(null));
    }

    @Test
    void loginDisableAndPasswordReset() {
        long tenant = Fixtures.createTenant("logins");
        String name = "Login-" + UUID.randomUUID().toString().substring(0, 8);
        long userId = SelfService.createUser(tenant, name);
        // the same name in another case is taken (a login names no tenant)
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("username", name.toLowerCase(), "password", SelfService.PASSWORD))
                .when().post("/admin/tenants/{id}/users", Fixtures.createTenant("other")).then().statusCode(409);
        // the admins' password rules
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("username", "weak-" + name, "password", "password1234"))
                .when().post("/admin/tenants/{id}/users", tenant).then().statusCode(422);

        given().contentType(ContentType.JSON).body(Map.of("username", name, "password", "wrong-password-here"))
                .when().post("/v1/login").then().statusCode(401).body("error.code", equalTo("invalid_credentials"));
        given().contentType(ContentType.JSON).body("{").when().post("/v1/login").then().statusCode(400);
        String token = SelfService.login(name, SelfService.PASSWORD);
        as(token).when().get("/v1/keys").then().statusCode(200);
        given().auth().oauth2(Fixtures.adminToken()).when().get("/admin/tenants/{id}/users", tenant).then().statusCode(200)
                .body("$", hasSize(1)).body("[0].username", equalTo(name)).body("[0].password_hash", equalTo(null));

        // disabled: its token stops at once, and it cannot log in
        given().auth().oauth2(Fixtures.adminToken()).when().post("/admin/tenants/{id}/users/{u}/disable", tenant, userId)
                .then().statusCode(200).body("disabled", equalTo(true));
        as(token).when().get("/v1/keys").then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("username", name, "password", SelfService.PASSWORD))
                .when().post("/v1/login").then().statusCode(401);
        given().auth().oauth2(Fixtures.adminToken()).when().post("/admin/tenants/{id}/users/{u}/enable", tenant, userId)
                .then().statusCode(200);
        as(token).when().get("/v1/keys").then().statusCode(401); // old tokens stay refused
        String second = SelfService.login(name, SelfService.PASSWORD);
        as(second).when().get("/v1/keys").then().statusCode(200);

        // a password reset ends every session
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("password", "another-tenant-passphrase"))
                .when().put("/admin/tenants/{id}/users/{u}/password", tenant, userId).then().statusCode(200);
        as(second).when().get("/v1/keys").then().statusCode(401);
        SelfService.login(name, "another-tenant-passphrase");
        // another tenant's id in the path is 404 (the user is not there)
        given().auth().oauth2(Fixtures.adminToken()).when().post("/admin/tenants/{id}/users/{u}/disable",
                Fixtures.createTenant("third"), userId).then().statusCode(404);
    }

    @Test
    void aForgedTenantIdClaimIsRefused() {
        long a = Fixtures.createTenant("forge-a");
        long b = Fixtures.createTenant("forge-b");
        String name = "forger-" + UUID.randomUUID().toString().substring(0, 8);
        long userId = SelfService.createUser(a, name);
        // correctly signed (the test has the key), but the user is not b's: the token check refuses it
        String forged = io.smallrye.jwt.build.Jwt.issuer("credit-proxy").upn(name).subject(Long.toString(userId))
                .groups("tenant").claim("tenant_id", b).claim("token_version", 1).expiresIn(3600).sign();
        as(forged).when().get("/v1/keys").then().statusCode(401);
        // a tenant role beside an admin role is never issued, and refused
        String mixed = io.smallrye.jwt.build.Jwt.issuer("credit-proxy").upn(name).subject(Long.toString(userId))
                .groups(java.util.Set.of("tenant", "admin")).claim("tenant_id", a).claim("token_version", 1)
                .expiresIn(3600).sign();
        as(mixed).when().get("/admin/tenants").then().statusCode(401);
        as(mixed).when().get("/v1/keys").then().statusCode(401);
    }
}
