package io.creditproxy.admin;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AdminTenantTest {

    @Test
    void createReturns201WithTheTenantAndGetReadsItBack() {
        String name = "Acme " + UUID.randomUUID();
        Map<String, Object> created = given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("name", name))
                .when().post("/admin/tenants")
                .then().statusCode(201).contentType(ContentType.JSON)
                .body("name", equalTo(name))
                .body("balance", equalTo(0))
                .body("credit_limit", equalTo(0))
                .body("created_at", notNullValue())
                .extract().jsonPath().getMap("$");
        long id = ((Number) created.get("id")).longValue();

        given().auth().oauth2(Fixtures.financeToken())
                .when().get("/admin/tenants/{id}", id)
                .then().statusCode(200)
                .body("id", equalTo((int) id))
                .body("name", equalTo(name))
                .body("balance", equalTo(0))
                .body("created_at", equalTo(created.get("created_at")));
    }

    @Test
    void createAcceptsAnOptionalCreditLimit() {
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("name", "with limit", "credit_limit", 5000))
                .when().post("/admin/tenants")
                .then().statusCode(201).body("credit_limit", equalTo(5000));
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("name", "negative limit", "credit_limit", -1))
                .when().post("/admin/tenants")
                .then().statusCode(422).body("error.code", equalTo("invalid_parameter"));
    }

    @Test
    void createValidatesTheName() {
        Map<String, Object> missing = new HashMap<>();
        Map<String, Object> nullName = new HashMap<>();
        nullName.put("name", null);
        for (Map<String, Object> body : List.<Map<String, Object>>of(missing, nullName, Map.of("name", ""), Map.of("name", "   "),
                Map.of("name", "x".repeat(201)))) {
            given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(body)
                    .when().post("/admin/tenants")
                    .then().statusCode(422).contentType(ContentType.JSON)
                    .body("error.code", equalTo("invalid_parameter"));
        }
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of("name", "x".repeat(200)))
                .when().post("/admin/tenants").then().statusCode(201);
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body("{\"name\": ")
                .when().post("/admin/tenants")
                .then().statusCode(400).contentType(ContentType.JSON).body("error.code", notNullValue());
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .when().post("/admin/tenants")
                .then().statusCode(422).contentType(ContentType.JSON).body("error.code", equalTo("invalid_parameter"));
    }

    @Test
    void unknownTenantIs404Json() {
        given().auth().oauth2(Fixtures.financeToken())
                .when().get("/admin/tenants/{id}", Long.MAX_VALUE)
                .then().statusCode(404).contentType(ContentType.JSON).body("error.code", equalTo("unknown_tenant"));
        given().auth().oauth2(Fixtures.financeToken())
                .when().get("/admin/tenants/not-a-number")
                .then().statusCode(404).contentType(ContentType.JSON).body("error.code", notNullValue());
    }

    @Test
    void listSearchesByNameAndPagesById() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        long a = Fixtures.createTenant("Alpha_" + tag);
        long b = Fixtures.createTenant("beta " + tag.toUpperCase());
        long c = Fixtures.createTenant("GAMMA-" + tag);
        Fixtures.createTenant("unrelated");

        List<Integer> ids = given().auth().oauth2(Fixtures.financeToken()).queryParam("q", tag)
                .when().get("/admin/tenants")
                .then().statusCode(200).extract().jsonPath().getList("id", Integer.class);
        assertThat(ids).containsExactly((int) a, (int) b, (int) c);

        List<Integer> firstPage = given().auth().oauth2(Fixtures.financeToken())
                .queryParam("q", tag).queryParam("limit", 2)
                .when().get("/admin/tenants")
                .then().statusCode(200).extract().jsonPath().getList("id", Integer.class);
        assertThat(firstPage).containsExactly((int) a, (int) b);
        List<Integer> secondPage = given().auth().oauth2(Fixtures.financeToken())
                .queryParam("q", tag).queryParam("limit", 2).queryParam("after_id", b)
                .when().get("/admin/tenants")
                .then().statusCode(200).extract().jsonPath().getList("id", Integer.class);
        assertThat(secondPage).containsExactly((int) c);

        // LIKE wildcards in q are literal: "_" matches only an underscore
        List<Integer> underscore = given().auth().oauth2(Fixtures.financeToken()).queryParam("q", "a_" + tag)
                .when().get("/admin/tenants")
                .then().statusCode(200).extract().jsonPath().getList("id", Integer.class);
        assertThat(underscore).containsExactly((int) a);

        List<Map<String, Object>> all = given().auth().oauth2(Fixtures.financeToken())
                .when().get("/admin/tenants")
                .then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(all).isNotEmpty().allSatisfy(t -> assertThat(t).containsKeys("id", "name", "balance", "credit_limit", "created_at"));
    }

    @Test
    void listRefusesBadPaging() {
        for (Map<String, Object> params : List.<Map<String, Object>>of(Map.of("limit", 0), Map.of("limit", 201),
                Map.of("limit", "ten"), Map.of("after_id", "x"))) {
            given().auth().oauth2(Fixtures.financeToken()).queryParams(params)
                    .when().get("/admin/tenants")
                    .then().statusCode(422).contentType(ContentType.JSON).body("error.code", equalTo("invalid_parameter"));
        }
    }
}
