package io.creditproxy.admin;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Bad admin input: POST /admin/tenants validates its fields exactly like PATCH (no silent coercion of 1.9 or "77"),
 * and every refusal, whichever route and whichever layer (JSON parsing, Jackson binding, validation), carries the one
 * JSON error body.
 */
@QuarkusTest
class AdminInputErrorsTest {

    record Call(String method, String path, String body) {
    }

    @Test
    void createRefusesCreditLimitsThatAreNotIntegersExactlyAsPatchDoes() {
        long tenant = Fixtures.createTenant("patch target");
        for (String limit : List.of("1.9", "\"77\"", "\"abc\"", "true", "[1]", "{}", "-1", "1e30")) {
            String name = "limit " + UUID.randomUUID();
            Response created = admin().body("{\"name\":\"" + name + "\",\"credit_limit\":" + limit + "}")
                    .post("/admin/tenants");
            Response patched = admin().body("{\"credit_limit\":" + limit + "}").patch("/admin/tenants/" + tenant);
            assertThat(created.statusCode()).as("POST credit_limit " + limit).isEqualTo(422);
            assertThat(patched.statusCode()).as("PATCH credit_limit " + limit).isEqualTo(422);
            assertThat(created.jsonPath().getString("error.code")).isEqualTo("invalid_parameter");
            assertThat(created.jsonPath().getString("error.message"))
                    .isEqualTo(patched.jsonPath().getString("error.message"));
            // nothing was created
            assertThat(given().auth().oauth2(Fixtures.adminToken()).queryParam("q", name).get("/admin/tenants")
                    .then().statusCode(200).extract().jsonPath().getList("$")).isEmpty();
        }
        // the same checks for the other fields, and unknown fields are refused rather than ignored
        for (String body : List.of("{\"name\":\"m\",\"price_multiplier\":\"abc\"}", "{\"name\":\"m\",\"price_multiplier\":0}",
                "{\"name\":\"m\",\"max_concurrent_jobs\":2.5}", "{\"name\":\"m\",\"max_concurrent_jobs\":\"3\"}",
                "{\"name\":7}", "{\"name\":\"m\",\"credit_limt\":5}")) {
            admin().body(body).post("/admin/tenants").then().statusCode(422)
                    .contentType(ContentType.JSON).body("error.code", org.hamcrest.Matchers.equalTo("invalid_parameter"));
        }
        // what is valid still works, with the same answer as before
        admin().body("{\"name\":\"ok\",\"credit_limit\":77,\"price_multiplier\":\"0.9\",\"max_concurrent_jobs\":3}")
                .post("/admin/tenants").then().statusCode(201)
                .body("credit_limit", org.hamcrest.Matchers.equalTo(77))
                .body("price_multiplier", org.hamcrest.Matchers.equalTo("0.9"))
                .body("max_concurrent_jobs", org.hamcrest.Matchers.equalTo(3));
    }

    @Test
    void everyRefusedAdminBodyCarriesTheJsonErrorBody() {
        long tenant = Fixtures.createTenant("bad bodies");
        long keyId = ((Number) admin().body(Map.of("name", "k")).post("/admin/tenants/" + tenant + "/keys")
                .then().statusCode(201).extract().path("id")).longValue();
        List<Call> calls = List.of(
                // values of the wrong type or format, bound by Jackson to typed records
                new Call("PUT", "/admin/models/fal-ai/flux-1/dev", "{\"usd_price\":\"NaN\"}"),
                new Call("PUT", "/admin/models/fal-ai/flux-1/dev", "{\"usd_price\":\"abc\"}"),
                new Call("PUT", "/admin/models/fal-ai/flux-1/dev", "{\"min_quantity\":\"abc\"}"),
                new Call("PUT", "/admin/models/fal-ai/flux-1/dev", "{\"enabled\":\"maybe\"}"),
                new Call("PUT", "/admin/models/fal-ai/flux-1/dev", "[1,2]"),
                new Call("PUT", "/admin/pricing/rates", "{\"exchange_rate\":\"NaN\"}"),
                new Call("PUT", "/admin/pricing/rates", "{\"credits_per_cny\":\"abc\"}"),
                new Call("POST", "/admin/tenants", "{\"credit_limit\":\"abc\"}"),
                new Call("POST", "/admin/tenants", "[1]"),
                new Call("POST", "/admin/tenants", "\"just a string\""),
                new Call("PATCH", "/admin/tenants/" + tenant, "{\"credit_limit\":\"abc\"}"),
                new Call("POST", "/admin/tenants/" + tenant + "/credits", "{\"amount\":\"abc\",\"reason\":\"x\"}"),
                new Call("POST", "/admin/users", "{\"username\":{},\"password\":\"x\",\"role\":\"admin\"}"),
                new Call("POST", "/admin/users", "[\"admin\"]"),
                new Call("POST", "/admin/login", "{\"username\":{},\"password\":\"x\"}"),
                new Call("POST", "/admin/login", "[]"),
                new Call("PATCH", "/admin/keys/" + keyId, "{\"rate_limit_rpm\":\"fast\"}"),
                // not JSON at all
                new Call("POST", "/admin/tenants", "{\"name\": "),
                new Call("PATCH", "/admin/tenants/" + tenant, "{"),
                new Call("PUT", "/admin/models/fal-ai/flux-1/dev", "{\"usd_price\":"),
                new Call("PUT", "/admin/pricing/rates", "not json"),
                new Call("POST", "/admin/users", "{'username':'single quotes'}"),
                new Call("POST", "/admin/login", "{\"username\":\"admin\",}"),
                new Call("POST", "/admin/tenants/" + tenant + "/keys", "{\"name\""),
                new Call("PATCH", "/admin/keys/" + keyId, "}"));
        for (Call c : calls) {
            Response r = (c.path().equals("/admin/login") ? given().contentType(ContentType.JSON) : admin())
                    .body(c.body()).request(c.method(), c.path());
            String what = c.method() + " " + c.path() + " " + c.body() + " -> " + r.statusCode() + " " + r.asString();
            assertThat(r.statusCode()).as(what).isIn(400, 422);
            assertThat(r.contentType()).as(what).startsWith("application/json");
            assertThat(r.jsonPath().getString("error.code")).as(what).isNotBlank();
            assertThat(r.jsonPath().getString("error.message")).as(what).isNotBlank();
            // nothing of Jackson's or Java's insides
            assertThat(r.asString()).as(what).doesNotContain("objectName").doesNotContain("Class")
                    .doesNotContain("java.").doesNotContain("com.fasterxml");
        }
        // the field that was wrong is named
        Response nan = admin().body("{\"usd_price\":\"NaN\"}").put("/admin/models/fal-ai/flux-1/dev");
        assertThat(nan.statusCode()).isEqualTo(400);
        assertThat(nan.jsonPath().getString("error.message")).contains("usd_price");
        // and nothing changed
        given().auth().oauth2(Fixtures.adminToken()).get("/admin/models/fal-ai/flux-1/dev").then().statusCode(200)
                .body("usd_price", org.hamcrest.Matchers.not(org.hamcrest.Matchers.equalTo("NaN")));
    }

    private static io.restassured.specification.RequestSpecification admin() {
        return given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON);
    }
}
