package io.creditproxy.admin;

import static io.creditproxy.admin.AdminLoginSecurityTest.login;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.limits.RedisOutageTest;
import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * With Redis stopped, failed admin logins are still throttled, counted by this instance alone; the lock it took is
 * still honoured once Redis is back. (The application runs on a redis-server of the test's own, shared with
 * {@link RedisOutageTest}.)
 */
@QuarkusTest
@TestProfile(RedisOutageTest.OwnRedis.class)
class LoginThrottleRedisDownTest {

    @AfterEach
    void redisBack() {
        RedisOutageTest.REDIS.start();
    }

    @Test
    void withoutRedisEachInstanceCountsAloneAndStillLocks() {
        String user = "down-" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("username", user, "password", AdminLoginSecurityTest.STRONG, "role", "admin"))
                .post("/admin/users").then().statusCode(201);

        RedisOutageTest.REDIS.stop();
        for (int i = 0; i < 5; i++) {
            login(user, "wrong-" + i).then().statusCode(401);
        }
        Response locked = login(user, AdminLoginSecurityTest.STRONG);
        assertThat(locked.statusCode()).as(locked.asString()).isEqualTo(429);
        assertThat(locked.jsonPath().getString("error.code")).isEqualTo("too_many_login_failures");
        assertThat(Long.parseLong(locked.header("Retry-After"))).isBetween(1L, 900L);
        List<Map<String, Object>> lines = given().auth().oauth2(Fixtures.financeToken())
                .queryParam("action", "login.lockout").get("/admin/audit")
                .then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(lines).anySatisfy(l -> assertThat(l.get("target")).isEqualTo("login:" + user));

        RedisOutageTest.REDIS.start();
        assertThat(login(user, AdminLoginSecurityTest.STRONG).statusCode()).isEqualTo(429);
    }
}
