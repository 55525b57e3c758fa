package io.creditproxy.admin;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.creditproxy.config.AdminConfig;
import io.creditproxy.support.Fixtures;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Admin access under attack: failed logins are throttled per user name and per client address (shared by every
 * instance through Redis) with 429, Retry-After and an audit line; weak passwords are refused; disabling an admin or
 * changing a password refuses every token issued before, at once.
 */
@QuarkusTest
class AdminLoginSecurityTest {

    static final String STRONG = "first-strong-Pa55phrase-x9";
    static final String STRONGER = "second-strong-Pa55phrase-y8";
    /** the test client's address as the application sees it */
    static final String HERE = "127.0.0.1";

    @Inject
    RedisDataSource redis;

    @Inject
    AdminConfig config;

    private final List<String> usernames = new ArrayList<>();

    @BeforeEach
    @AfterEach
    void forgetFailures() {
        // other tests of this run may have failed logins from this address too; and no lock may outlive a test
        redis.key().del(LoginThrottle.addressKey(HERE));
        for (String u : usernames) {
            redis.key().del(LoginThrottle.usernameKey(u));
        }
    }

    @Test
    void failedLoginsAreThrottledPerUserNameWith429RetryAfterAndAnAuditLine() {
        String user = newUser("admin", STRONG);
        int limit = config.loginThrottle().maxFailuresPerUsername();
        assertThat(limit).isEqualTo(5);
        for (int i = 0; i < limit; i++) {
            login(user, "wrong-password-" + i).then().statusCode(401).body("error.code", equalTo("invalid_credentials"));
        }
        // locked: even the right password, and the name in another case, are refused without being checked
        for (String name : List.of(user, user.toUpperCase())) {
            Response locked = login(name, STRONG);
            assertLocked(locked, config.loginThrottle().window().toSeconds());
        }
        // one audit line for the lockout, with the name and the address, never a password
        List<Map<String, Object>> lines = given().auth().oauth2(Fixtures.financeToken())
                .queryParam("action", "login.lockout").get("/admin/audit")
                .then().statusCode(200).extract().jsonPath().getList("$");
        List<Map<String, Object>> mine = lines.stream().filter(l -> ("login:" + user).equals(l.get("target"))).toList();
        assertThat(mine).hasSize(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> after = (Map<String, Object>) mine.get(0).get("after");
        assertThat(after).containsEntry("scope", "username").containsEntry("username", user)
                .containsEntry("address", HERE).containsEntry("failures", limit);
        assertThat(mine.toString()).doesNotContain("wrong-password").doesNotContain(STRONG);

        // other names from the same address are not locked
        String other = newUser("finance", STRONG);
        login(other, STRONG).then().statusCode(200);
    }

    @Test
    void failedLoginsAreThrottledPerAddressAcrossUserNames() {
        int limit = config.loginThrottle().maxFailuresPerAddress();
        assertThat(limit).isEqualTo(20);
        String real = newUser("admin", STRONG);
        for (int i = 0; i < limit; i++) {
            String name = "nobody-" + UUID.randomUUID().toString().substring(0, 8);
            usernames.add(name);
            login(name, "guess-" + i).then().statusCode(401);
        }
        // the address is locked: a name never tried before, and a real admin with its right password, get 429
        String fresh = "nobody-" + UUID.randomUUID().toString().substring(0, 8);
        usernames.add(fresh);
        assertLocked(login(fresh, "guess"), config.loginThrottle().window().toSeconds());
        assertLocked(login(real, STRONG), config.loginThrottle().window().toSeconds());
        List<Map<String, Object>> lines = given().auth().oauth2(Fixtures.financeToken())
                .queryParam("action", "login.lockout").get("/admin/audit")
                .then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.get("target")).isEqualTo("address:" + HERE);
            assertThat(l.toString()).contains("scope=address");
        });
    }

    @Test
    void theCountIsSharedByEveryInstanceThroughRedis() {
        String user = newUser("admin", STRONG);
        // another instance: its own throttle (own memory) on the same Redis, seeing failures from another address
        LoginThrottle otherInstance = new LoginThrottle(redis, config);
        login(user, "wrong-1").then().statusCode(401);
        login(user, "wrong-2").then().statusCode(401);
        login(user, "wrong-3").then().statusCode(401);
        assertThat(otherInstance.failed(user, "192.0.2.7")).isEmpty();
        assertThat(otherInstance.failed(user, "192.0.2.7")).extracting(LoginThrottle.Lockout::scope)
                .containsExactly(LoginThrottle.Scope.USERNAME);
        // this instance saw only three failures, yet the name is locked here too
        assertLocked(login(user, STRONG), config.loginThrottle().window().toSeconds());
        redis.key().del(LoginThrottle.addressKey("192.0.2.7"));
    }

    @Test
    void aSuccessfulLoginClearsTheNamesFailures() {
        String user = newUser("admin", STRONG);
        for (int i = 0; i < 4; i++) {
            login(user, "wrong-" + i).then().statusCode(401);
        }
        login(user, STRONG).then().statusCode(200);
        for (int i = 0; i < 4; i++) {
            login(user, "wrong-again-" + i).then().statusCode(401);
        }
        login(user, STRONG).then().statusCode(200);
    }

    @Test
    void weakPasswordsAreRefusedWith422() {
        for (String weak : List.of("password1234", "Password123!", "aaaaaaaaaaaa", "qwertyuiop12", "abcdefghijkl",
                "iloveyou1234", "123456789012", "short-Pw1", "x".repeat(73))) {
            Response r = given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                    .body(Map.of("username", "weak-" + UUID.randomUUID().toString().substring(0, 8), "password", weak,
                            "role", "admin"))
                    .post("/admin/users");
            assertThat(r.statusCode()).as(weak).isEqualTo(422);
            assertThat(r.jsonPath().getString("error.code")).isEqualTo("invalid_parameter");
            assertThat(r.jsonPath().getString("error.message")).startsWith("password").doesNotContain(weak);
        }
        // the password change follows the same rules, and a refused one changes nothing
        String user = newUser("finance", STRONG);
        String token = loginToken(user, STRONG);
        changePassword(token, STRONG, "password1234").then().statusCode(422).body("error.code", equalTo("invalid_parameter"));
        changePassword(token, STRONG, STRONG).then().statusCode(422);
        given().auth().oauth2(token).get("/admin/tenants").then().statusCode(200);
        login(user, STRONG).then().statusCode(200);
    }

    @Test
    void aDisabledAdminsTokensAreRefusedAtOnceAndItCannotLogIn() {
        String user = newUser("admin", STRONG);
        long id = idOf(user);
        String token = loginToken(user, STRONG);
        given().auth().oauth2(token).get("/admin/tenants").then().statusCode(200);

        // no body at all, as with curl -X POST
        given().auth().oauth2(Fixtures.adminToken()).post("/admin/users/{id}/disable", id)
                .then().statusCode(200).body("disabled", equalTo(true)).body("disabled_at", org.hamcrest.Matchers.notNullValue());
        given().auth().oauth2(token).get("/admin/tenants").then().statusCode(401).body("error.code", equalTo("unauthorized"));
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("name", "x")).post("/admin/tenants")
                .then().statusCode(401);
        login(user, STRONG).then().statusCode(401).body("error.code", equalTo("invalid_credentials"));
        given().auth().oauth2(Fixtures.financeToken()).get("/admin/users").then().statusCode(200)
                .body("find { it.username == '" + user + "' }.disabled", equalTo(true));

        // enabled again: it logs in, but the tokens from before stay refused
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).post("/admin/users/{id}/enable", id)
                .then().statusCode(200).body("disabled", equalTo(false));
        given().auth().oauth2(token).get("/admin/tenants").then().statusCode(401);
        String again = loginToken(user, STRONG);
        given().auth().oauth2(again).get("/admin/tenants").then().statusCode(200);

        // audited; finance may not do it; nobody disables itself (so one admin is always left)
        List<Map<String, Object>> lines = given().auth().oauth2(Fixtures.financeToken())
                .queryParam("action", "user.disable").get("/admin/audit").then().statusCode(200)
                .extract().jsonPath().getList("$");
        assertThat(lines).anySatisfy(l -> assertThat(l.get("target")).isEqualTo("user:" + id));
        given().auth().oauth2(Fixtures.financeToken()).contentType(ContentType.JSON).post("/admin/users/{id}/disable", id)
                .then().statusCode(403);
        given().auth().oauth2(again).contentType(ContentType.JSON).post("/admin/users/{id}/disable", id)
                .then().statusCode(409).body("error.code", equalTo("cannot_disable_self"));
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).post("/admin/users/{id}/disable", Long.MAX_VALUE)
                .then().statusCode(404).contentType(ContentType.JSON);
    }

    @Test
    void changingThePasswordRefusesEveryEarlierTokenAndTheNewPasswordLogsIn() {
        String user = newUser("finance", STRONG);
        String first = loginToken(user, STRONG);
        String second = loginToken(user, STRONG);

        // a wrong current password is refused (403, not 401: the session is fine) and counts as a failure
        changePassword(first, "not-the-password", STRONGER).then().statusCode(403).body("error.code", equalTo("invalid_credentials"));
        changePassword(first, STRONG, STRONGER).then().statusCode(204);

        given().auth().oauth2(first).get("/admin/tenants").then().statusCode(401);
        given().auth().oauth2(second).get("/admin/tenants").then().statusCode(401);
        login(user, STRONG).then().statusCode(401);
        String fresh = loginToken(user, STRONGER);
        given().auth().oauth2(fresh).get("/admin/tenants").then().statusCode(200);

        List<Map<String, Object>> lines = given().auth().oauth2(Fixtures.financeToken())
                .queryParam("action", "user.password_change").get("/admin/audit").then().statusCode(200)
                .extract().jsonPath().getList("$");
        assertThat(lines).anySatisfy(l -> assertThat(l.get("actor")).isEqualTo(user));
        assertThat(lines.toString()).doesNotContain(STRONG).doesNotContain(STRONGER).doesNotContain("$2a$");

        // without a token: 401
        given().contentType(ContentType.JSON).body(Map.of("current_password", STRONGER, "new_password", STRONG))
                .put("/admin/users/me/password").then().statusCode(401);
    }

    @Test
    void tokensWithoutACurrentVersionOrAdminAreRefused() {
        String user = newUser("admin", STRONG);
        long id = idOf(user);
        String signedButVersionless = io.smallrye.jwt.build.Jwt.issuer("credit-proxy").upn(user).subject(Long.toString(id))
                .groups("admin").expiresIn(3600).sign();
        String oldVersion = io.smallrye.jwt.build.Jwt.issuer("credit-proxy").upn(user).subject(Long.toString(id))
                .groups("admin").claim("token_version", 0).expiresIn(3600).sign();
        String noSuchAdmin = io.smallrye.jwt.build.Jwt.issuer("credit-proxy").upn("ghost").subject(Long.toString(Long.MAX_VALUE))
                .groups("admin").claim("token_version", 1).expiresIn(3600).sign();
        String otherName = io.smallrye.jwt.build.Jwt.issuer("credit-proxy").upn("someone-else").subject(Long.toString(id))
                .groups("admin").claim("token_version", 1).expiresIn(3600).sign();
        for (String token : List.of(signedButVersionless, oldVersion, noSuchAdmin, otherName)) {
            given().auth().oauth2(token).get("/admin/tenants").then().statusCode(401).contentType(ContentType.JSON)
                    .body("error.code", equalTo("unauthorized"));
        }
        // a login's token names the admin and its version
        String token = loginToken(user, STRONG);
        Map<String, Object> claims = io.restassured.path.json.JsonPath.from(new String(java.util.Base64.getUrlDecoder()
                .decode(token.split("\\.")[1]), java.nio.charset.StandardCharsets.UTF_8)).getMap("$");
        assertThat(claims.get("sub")).isEqualTo(Long.toString(id));
        assertThat(claims.get("token_version")).isEqualTo(1);
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    private static void assertLocked(Response r, long windowSeconds) {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(429);
        assertThat(r.contentType()).startsWith("application/json");
        assertThat(r.jsonPath().getString("error.code")).isEqualTo("too_many_login_failures");
        long retryAfter = Long.parseLong(r.header("Retry-After"));
        assertThat(retryAfter).isBetween(1L, windowSeconds);
        assertThat(r.jsonPath().getLong("error.retry_after")).isEqualTo(retryAfter);
    }

    private String newUser(String role, String password) {
        String username = "sec-" + UUID.randomUUID().toString().substring(0, 8);
        usernames.add(username);
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", password, "role", role))
                .post("/admin/users").then().statusCode(201);
        return username;
    }

    private static long idOf(String username) {
        return ((Number) given().auth().oauth2(Fixtures.financeToken()).get("/admin/users").then().statusCode(200)
                .extract().jsonPath().get("find { it.username == '" + username + "' }.id")).longValue();
    }

    static Response login(String username, String password) {
        return given().contentType(ContentType.JSON).body(Map.of("username", username, "password", password))
                .post("/admin/login");
    }

    static String loginToken(String username, String password) {
        return login(username, password).then().statusCode(200).extract().path("token");
    }

    private static Response changePassword(String token, String current, String next) {
        return given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("current_password", current, "new_password", next))
                .put("/admin/users/me/password");
    }
}
