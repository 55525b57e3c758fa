package io.creditproxy.tenant;

import static io.restassured.RestAssured.given;

import io.creditproxy.support.Fixtures;
import io.quarkus.arc.Arc;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/** Test helpers for the tenant self-service API: tenant users, their logins, keys made through /v1/keys, SQL reads. */
final class SelfService {

    static final String PASSWORD = "tenant-user-test-passphrase";

    private SelfService() {
    }

    /** A new tenant user (made by an admin) of the tenant, logged in: its token. */
    static String userToken(long tenantId) {
        String username = "u-" + UUID.randomUUID().toString().substring(0, 12);
        createUser(tenantId, username);
        return login(username, PASSWORD);
    }

    static long createUser(long tenantId, String username) {
        return ((Number) given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", PASSWORD))
                .when().post("/admin/tenants/{id}/users", tenantId)
                .then().statusCode(201).extract().path("id")).longValue();
    }

    static String login(String username, String password) {
        return given().contentType(ContentType.JSON).body(Map.of("username", username, "password", password))
                .when().post("/v1/login")
                .then().statusCode(200).extract().path("token");
    }

    static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    /** A key made through POST /v1/keys: {id, key}. */
    static Map<String, Object> createKey(String userToken, Map<String, Object> body) {
        return as(userToken).body(body).when().post("/v1/keys")
                .then().statusCode(201).extract().jsonPath().getMap("$");
    }

    static long queryLong(String sql, Object... params) {
        DataSource ds = Arc.container().instance(DataSource.class).get();
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static String queryText(String sql, Object... params) {
        DataSource ds = Arc.container().instance(DataSource.class).get();
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the key's jobs took from the ledger, net: the key's spend derived from the tenant's ledger. */
    static long spendFromLedger(long keyId) {
        return queryLong("SELECT COALESCE(-sum(e.amount), 0) FROM ledger_entries e JOIN jobs j ON j.id = e.job_id "
                + "WHERE j.api_key_id = ?", keyId);
    }

    static long creditsUsed(long keyId) {
        return queryLong("SELECT credits_used FROM api_keys WHERE id = ?", keyId);
    }
}
