package io.creditproxy.tenant;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.creditproxy.common.Hashing;
import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class KeyTest {

    @Inject
    RevocationRecorder revocations;

    @Test
    void issuedKeyIsShownOnceAndWorksWithBothSchemes() {
        long tenant = Fixtures.createTenant("key owner");
        Fixtures.topUp(tenant, 4321);
        Map<String, Object> issued = given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("name", "production"))
                .when().post("/admin/tenants/{id}/keys", tenant)
                .then().statusCode(201).contentType(ContentType.JSON)
                .body("id", notNullValue())
                .body("key", startsWith("cp_"))
                .body("name", equalTo("production"))
                .body("created_at", notNullValue())
                .extract().jsonPath().getMap("$");
        String key = (String) issued.get("key");
        assertThat(key).startsWith((String) issued.get("prefix"));
        assertThat((String) issued.get("prefix")).hasSize(11);

        for (String header : List.of("Bearer " + key, "Key " + key)) {
            given().header("Authorization", header)
                    .when().get("/v1/account")
                    .then().statusCode(200).contentType(ContentType.JSON)
                    .body("tenant_id", equalTo((int) tenant))
                    .body("name", equalTo("key owner"))
                    .body("balance", equalTo(4321));
        }

        String listing = given().auth().oauth2(Fixtures.financeToken())
                .when().get("/admin/tenants/{id}/keys", tenant)
                .then().statusCode(200)
                .body("[0].id", equalTo(issued.get("id")))
                .body("[0].prefix", equalTo(issued.get("prefix")))
                .body("[0].name", equalTo("production"))
                .body("[0].revoked_at", nullValue())
                .extract().asString();
        assertThat(listing).doesNotContain(key).doesNotContain(Hashing.sha256Hex(key)).doesNotContain("key_hash");
    }

    @Test
    void aRevokedKeyStopsWorkingAtOnceAndTheEventIsFired() {
        long tenant = Fixtures.createTenant("revoker");
        String key = Fixtures.issueKey(tenant);
        String other = Fixtures.issueKey(tenant);
        long keyId = keyId(tenant, key);
        given().header("Authorization", "Bearer " + key).when().get("/v1/account").then().statusCode(200);

        given().auth().oauth2(Fixtures.adminToken()).when().delete("/admin/keys/{id}", keyId)
                .then().statusCode(204);

        for (String header : List.of("Bearer " + key, "Key " + key)) {
            given().header("Authorization", header).when().get("/v1/account")
                    .then().statusCode(401).contentType(ContentType.JSON).body("error.code", equalTo("unauthorized"));
        }
        // the tenant's other key still works
        given().header("Authorization", "Key " + other).when().get("/v1/account").then().statusCode(200);
        assertThat(revocations.seen()).contains(new KeyRevoked(keyId, Hashing.sha256Hex(key)));

        given().auth().oauth2(Fixtures.financeToken()).when().get("/admin/tenants/{id}/keys", tenant)
                .then().statusCode(200)
                .body("find { it.id == " + keyId + " }.revoked_at", notNullValue());

        // revoking again changes nothing and fires nothing
        long before = revocations.seen().stream().filter(e -> e.keyId() == keyId).count();
        given().auth().oauth2(Fixtures.adminToken()).when().delete("/admin/keys/{id}", keyId).then().statusCode(204);
        assertThat(revocations.seen().stream().filter(e -> e.keyId() == keyId).count()).isEqualTo(before);
    }

    @Test
    void unknownKeysAndTenantsAre404() {
        given().auth().oauth2(Fixtures.adminToken()).when().delete("/admin/keys/{id}", Long.MAX_VALUE)
                .then().statusCode(404).contentType(ContentType.JSON).body("error.code", equalTo("unknown_key"));
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of("name", "x"))
                .when().post("/admin/tenants/{id}/keys", Long.MAX_VALUE)
                .then().statusCode(404).body("error.code", equalTo("unknown_tenant"));
        given().auth().oauth2(Fixtures.financeToken()).when().get("/admin/tenants/{id}/keys", Long.MAX_VALUE)
                .then().statusCode(404).body("error.code", equalTo("unknown_tenant"));
    }

    @Test
    void keyNamesAreValidated() {
        long tenant = Fixtures.createTenant("names");
        Map<String, Object> nullName = new HashMap<>();
        nullName.put("name", null);
        for (Map<String, Object> body : List.<Map<String, Object>>of(nullName, Map.of("name", ""), Map.of("name", "x".repeat(201)))) {
            given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(body)
                    .when().post("/admin/tenants/{id}/keys", tenant)
                    .then().statusCode(422).contentType(ContentType.JSON).body("error.code", equalTo("invalid_parameter"));
        }
        given().auth().oauth2(Fixtures.financeToken()).when().get("/admin/tenants/{id}/keys", tenant)
                .then().statusCode(200).body("size()", equalTo(0));
    }

    @Test
    void accountRefusesMissingUnknownAndMalformedKeysWith401Json() {
        for (String header : new String[] {null, "", "Bearer", "Basic dXNlcjpwYXNz", "Bearer cp_unknown", "Key cp_unknown",
                "Bearer " + Fixtures.adminToken()}) {
            var request = given();
            if (header != null) {
                request.header("Authorization", header);
            }
            request.when().get("/v1/account")
                    .then().statusCode(401).contentType(ContentType.JSON)
                    .body("error.code", equalTo("unauthorized"))
                    .body("error.message", notNullValue());
        }
    }

    private static long keyId(long tenant, String key) {
        List<Map<String, Object>> keys = given().auth().oauth2(Fixtures.adminToken())
                .when().get("/admin/tenants/{id}/keys", tenant)
                .then().statusCode(200).extract().jsonPath().getList("$");
        return keys.stream().filter(k -> key.startsWith((String) k.get("prefix")))
                .map(k -> ((Number) k.get("id")).longValue())
                .findFirst().orElseThrow();
    }
}
