package io.creditproxy.limits;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.support.Fixtures;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;

/** Helpers for the controls' tests, on top of {@link Fixtures}: keys with controls, tenant changes, polling. */
public final class ControlsFixtures {

    private ControlsFixtures() {
    }

    /** Issues a key with controls; @return the whole answer (id, key, ...) */
    public static Map<String, Object> issueKey(long tenantId, Map<String, Object> spec) {
        return given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(spec)
                .when().post("/admin/tenants/{id}/keys", tenantId)
                .then().statusCode(201)
                .extract().jsonPath().getMap("$");
    }

    public static Map<String, Object> patchTenant(long tenantId, Map<String, Object> patch) {
        return given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(patch)
                .when().patch("/admin/tenants/{id}", tenantId)
                .then().statusCode(200)
                .extract().jsonPath().getMap("$");
    }

    public static Map<String, Object> patchKey(long keyId, Map<String, Object> patch) {
        return given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(patch)
                .when().patch("/admin/keys/{id}", keyId)
                .then().statusCode(200)
                .extract().jsonPath().getMap("$");
    }

    public static Response submit(String key, String model, String body) {
        return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body(body)
                .when().post("/" + model);
    }

    /** Nothing but the fixture top-up in the ledger, and the balance equal to it. */
    public static void assertNoCreditMoved(long tenantId, long topUp) {
        assertThat(Fixtures.balance(tenantId)).isEqualTo(topUp);
        List<Map<String, Object>> ledger = Fixtures.ledger(tenantId);
        assertThat(ledger).hasSize(1);
        assertThat(ledger.get(0).get("kind")).isEqualTo("topup");
        Fixtures.assertBalanceEqualsLedgerSum(tenantId);
    }

    public static long id(Map<String, Object> m) {
        return ((Number) m.get("id")).longValue();
    }
}
