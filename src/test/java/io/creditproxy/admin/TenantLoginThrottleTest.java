package io.creditproxy.admin;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.support.Fixtures;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tenant users' logins are throttled like admins': per user name (apart from admins' names) and per address. */
@QuarkusTest
class TenantLoginThrottleTest {

    private static final String PASSWORD = "tenant-throttle-passphrase";

    @Inject
    RedisDataSource redis;

    private final String name = "throttled-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    @AfterEach
    void forgetFailures() {
        redis.key().del(LoginThrottle.addressKey(AdminLoginSecurityTest.HERE));
        redis.key().del(LoginThrottle.usernameKey(AuthService.TENANT_THROTTLE_PREFIX + name));
    }

    @Test
    void fiveWrongPasswordsLockTheNameWith429AndAnAuditLine() {
        long tenant = Fixtures.createTenant("throttle");
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("username", name, "password", PASSWORD))
                .when().post("/admin/tenants/{id}/users", tenant).then().statusCode(201);
        for (int i = 0; i < 5; i++) {
            login(name, "wrong-password-" + i).then().statusCode(401);
        }
        // locked: the right password is not even checked
        Response locked = login(name, PASSWORD);
        assertThat(locked.statusCode()).isEqualTo(429);
        assertThat(locked.jsonPath().getString("error.code")).isEqualTo("too_many_login_failures");
        assertThat(locked.header("Retry-After")).isNotNull();
        List<Map<String, Object>> lines = given().auth().oauth2(Fixtures.financeToken())
                .queryParam("action", "login.lockout").get("/admin/audit")
                .then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(lines).anySatisfy(l -> assertThat(l.get("target")).isEqualTo("login:tenant:" + name));
        assertThat(lines.toString()).doesNotContain("wrong-password").doesNotContain(PASSWORD);
        // an admin login of the same name is not locked by the tenant user's failures
        given().contentType(ContentType.JSON).body(Map.of("username", name, "password", PASSWORD))
                .when().post("/admin/login").then().statusCode(401);
    }

    private static Response login(String username, String password) {
        return given().contentType(ContentType.JSON).body(Map.of("username", username, "password", password))
                .when().post("/v1/login");
    }
}
