package io.creditproxy.support;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.restassured.http.ContentType;
import io.quarkus.arc.Arc;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Shared test fixture: builds data through the real admin API of the running test application
 * (RestAssured, so call it from {@code @QuarkusTest} classes). Every call makes its own data; nothing
 * depends on other tests. Numbers from JSON maps may be Integer or Long: read them as {@link Number}.
 */
public final class Fixtures {

    /** ids of the keys issued here, so that {@link #revokeKey(String)} can take the key itself */
    private static final Map<String, Long> ISSUED_KEY_IDS = new ConcurrentHashMap<>();

    /** a valid bcrypt hash of a random password nobody knows */
    private static final String UNUSABLE_HASH = io.quarkus.elytron.security.common.BcryptUtil.bcryptHash(
            java.util.UUID.randomUUID().toString(), 4);

    private Fixtures() {
    }

    /** A token with role admin, signed with the application's own key, for the admin "fixture-admin". */
    public static String adminToken() {
        return token("fixture-admin", "admin");
    }

    /** A token with role finance (read-only). */
    public static String financeToken() {
        return token("fixture-finance", "finance");
    }

    /** A token for any user name and role, valid for an hour. */
    public static String token(String username, String role) {
        return tokenClaims(username, role).expiresIn(3600).sign();
    }

    /**
     * The claims of a current admin token, to sign as it is or after changing them (e.g. the expiry). The admin is
     * created in PostgreSQL when missing (as finance when the role is neither admin nor finance, so that a token
     * with an unknown role can be tried), because every admin request checks that the token's admin exists, is
     * enabled and has the token's version. Its password is random: these admins never log in.
     */
    public static JwtClaimsBuilder tokenClaims(String username, String role) {
        long[] admin = admin(username, role);
        return Jwt.issuer("credit-proxy").upn(username).subject(Long.toString(admin[0])).groups(role)
                .claim("token_version", admin[1]);
    }

    /** {id, token_version} of the admin, created when missing */
    private static long[] admin(String username, String role) {
        DataSource ds = Arc.container().instance(DataSource.class).get();
        try (Connection c = ds.getConnection()) {
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO admins(username, password_hash, role) VALUES (?, ?, ?) ON CONFLICT (username) DO NOTHING")) {
                insert.setString(1, username);
                insert.setString(2, UNUSABLE_HASH);
                insert.setString(3, "admin".equals(role) ? "admin" : "finance");
                insert.executeUpdate();
            }
            try (PreparedStatement select = c.prepareStatement("SELECT id, token_version FROM admins WHERE username = ?")) {
                select.setString(1, username);
                try (ResultSet r = select.executeQuery()) {
                    r.next();
                    return new long[] {r.getLong(1), r.getLong(2)};
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the new tenant's id (balance 0, credit limit 0) */
    public static long createTenant(String name) {
        return ((Number) given().auth().oauth2(adminToken()).contentType(ContentType.JSON)
                .body(Map.of("name", name))
                .when().post("/admin/tenants")
                .then().statusCode(201)
                .extract().path("id")).longValue();
    }

    /** Adds credits (amount > 0) through the admin credits endpoint. @return balance after it */
    public static long topUp(long tenantId, long amount) {
        return ((Number) given().auth().oauth2(adminToken()).contentType(ContentType.JSON)
                .body(Map.of("amount", amount, "reason", "fixture top-up"))
                .when().post("/admin/tenants/{id}/credits", tenantId)
                .then().statusCode(201)
                .extract().path("balance_after")).longValue();
    }

    /** @return a new API key of the tenant, usable as {@code Authorization: Bearer <key>} or {@code Key <key>} */
    public static String issueKey(long tenantId) {
        Map<String, Object> issued = given().auth().oauth2(adminToken()).contentType(ContentType.JSON)
                .body(Map.of("name", "fixture key"))
                .when().post("/admin/tenants/{id}/keys", tenantId)
                .then().statusCode(201)
                .extract().jsonPath().getMap("$");
        String key = (String) issued.get("key");
        ISSUED_KEY_IDS.put(key, ((Number) issued.get("id")).longValue());
        return key;
    }

    /** Revokes a key issued by {@link #issueKey(long)} (DELETE /admin/keys/{id}, expects 204). */
    public static void revokeKey(String key) {
        Long id = ISSUED_KEY_IDS.get(key);
        if (id == null) {
            throw new IllegalArgumentException("revokeKey only knows keys issued by Fixtures.issueKey");
        }
        given().auth().oauth2(adminToken())
                .when().delete("/admin/keys/{id}", id)
                .then().statusCode(204);
    }

    public static long balance(long tenantId) {
        return ((Number) given().auth().oauth2(adminToken())
                .when().get("/admin/tenants/{id}", tenantId)
                .then().statusCode(200)
                .extract().path("balance")).longValue();
    }

    /** All ledger entries of the tenant, newest first (every page). */
    public static List<Map<String, Object>> ledger(long tenantId) {
        List<Map<String, Object>> all = new ArrayList<>();
        Long beforeId = null;
        while (true) {
            var request = given().auth().oauth2(adminToken()).queryParam("limit", 200);
            if (beforeId != null) {
                request.queryParam("before_id", beforeId);
            }
            List<Map<String, Object>> page = request.when().get("/admin/tenants/{id}/ledger", tenantId)
                    .then().statusCode(200)
                    .extract().jsonPath().getList("$");
            all.addAll(page);
            if (page.size() < 200) {
                return all;
            }
            beforeId = ((Number) page.get(page.size() - 1).get("id")).longValue();
        }
    }

    /**
     * The ledger invariant: the balance equals the sum of the ledger's amounts, and walking the ledger
     * oldest first, each entry's balance_after equals the running sum.
     */
    public static void assertBalanceEqualsLedgerSum(long tenantId) {
        // the ledger and the balance are two reads: a settlement still in flight (a release, a refund) may commit
        // between them, so the balance is read between two reads of the ledger, and the check made on a moment
        // when the ledger did not move around it (a settlement at that moment is retried, a wrong sum never is)
        List<Map<String, Object>> entries = ledger(tenantId);
        long balance = balance(tenantId);
        for (int attempt = 0; attempt < 50; attempt++) {
            List<Map<String, Object>> again = ledger(tenantId);
            if (again.equals(entries)) {
                break;
            }
            entries = again;
            balance = balance(tenantId);
        }
        List<Map<String, Object>> oldestFirst = new ArrayList<>(entries);
        Collections.reverse(oldestFirst);
        long sum = 0;
        for (Map<String, Object> entry : oldestFirst) {
            sum += ((Number) entry.get("amount")).longValue();
            assertEquals(sum, ((Number) entry.get("balance_after")).longValue(),
                    "balance_after of ledger entry " + entry.get("id") + " of tenant " + tenantId);
        }
        assertEquals(sum, balance, "balance of tenant " + tenantId + " vs the sum of its ledger");
    }
}
