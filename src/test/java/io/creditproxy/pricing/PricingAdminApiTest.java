package io.creditproxy.pricing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.creditproxy.limits.ControlsFixtures;
import io.creditproxy.support.Fixtures;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Models, price history, rates and the CSV import/export through the admin API, with submits through the proxy. */
@QuarkusTest
class PricingAdminApiTest {

    @Inject
    EntityManager em;

    @Test
    void anUnpricedSeedModelIsListedNeverServedAndCanBeEnabledOncePriced() {
        String model = "fal-ai/qwen-image-edit-lora";
        given().auth().oauth2(Fixtures.financeToken()).get("/admin/models/" + model)
                .then().statusCode(200).body("enabled", equalTo(false)).body("usd_price", org.hamcrest.Matchers.nullValue());
        long tenant = Fixtures.createTenant("unpriced");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);

        Response refused = ControlsFixtures.submit(key, model, "{\"prompt\":\"x\"}");
        refused.then().statusCode(404);
        assertThat(refused.jsonPath().getString("error.code")).isEqualTo("model_not_priced");
        given().header("Authorization", "Bearer " + key).get("/v1/models")
                .then().statusCode(200).body("models.id", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(model)));
        // enabling it without a price is refused
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of("enabled", true))
                .put("/admin/models/" + model).then().statusCode(422).body("error.code", equalTo("model_not_priced"));
        ControlsFixtures.assertNoCreditMoved(tenant, 10_000);

        // priced and enabled in one change: 0.04 x 30,000 = 1200 credits per image
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of("usd_price", "0.04", "enabled", true))
                .put("/admin/models/" + model).then().statusCode(200).body("enabled", equalTo(true));
        ControlsFixtures.submit(key, model, "{\"prompt\":\"x\"}").then().statusCode(200);
        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000 - 1_200);
        // back to how the seeds have it, for other tests
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of("enabled", false))
                .put("/admin/models/" + model).then().statusCode(200);
    }

    @Test
    void anAdminSetsAPricePerMegapixelAndTheProxyChargesFalsRounding() {
        String model = "ptest-" + UUID.randomUUID().toString().substring(0, 8) + "/megapixel";
        Map<String, Object> body = new java.util.HashMap<>(Map.of("unit", "megapixel", "usd_price", "0.02",
                "quantity_param", "num_images", "default_quantity", 1, "min_quantity", 1, "max_quantity", 4,
                "size_param", "image_size", "default_size", "landscape_4_3"));
        body.put("multiplier_param", "max_images");
        body.put("max_multiplier", 2);
        put(model, body).then().statusCode(200).body("unit", equalTo("megapixel"))
                .body("size_param", equalTo("image_size")).body("default_size", equalTo("landscape_4_3"))
                .body("multiplier_param", equalTo("max_images")).body("max_multiplier", equalTo(2));
        // a megapixel model without size_param, or a default size fal does not have, is refused
        put(model, Map.of("size_param", "")).then().statusCode(422).body("error.message", org.hamcrest.Matchers.containsString("size_param"));
        put(model, Map.of("default_size", "huge")).then().statusCode(422);
        long tenant = Fixtures.createTenant("megapixel");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);
        // square_hd: 1024x1024 = 1.05 MP -> 2 MP per image x 2 images x max_images 2 x $0.02 x 30,000 = 4,800
        ControlsFixtures.submit(key, model, "{\"prompt\":\"x\",\"image_size\":\"square_hd\",\"num_images\":\"2\",\"max_images\":2}")
                .then().statusCode(200);
        // what was reserved (the simulator does not know this test model, so what it delivers decides the rest)
        assertThat(Fixtures.ledger(tenant)).filteredOn(e -> "reserve".equals(e.get("kind")))
                .extracting(e -> ((Number) e.get("amount")).longValue()).containsExactly(-4_800L);
        Response refused = ControlsFixtures.submit(key, model, "{\"prompt\":\"x\",\"image_size\":{\"width\":100}}");
        refused.then().statusCode(422);
        assertThat(refused.jsonPath().getString("error.param")).isEqualTo("image_size");
        assertThat(Fixtures.ledger(tenant)).filteredOn(e -> "reserve".equals(e.get("kind"))).hasSize(1);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void everyPriceChangeIsAVersionAndJobsKeepTheirs() {
        String model = "ptest-" + UUID.randomUUID().toString().substring(0, 8) + "/history";
        put(model, Map.of("unit", "image", "usd_price", "0.01", "quantity_param", "num_images", "default_quantity", 1,
                "min_quantity", 1, "max_quantity", 4)).then().statusCode(200).body("enabled", equalTo(true));
        long tenant = Fixtures.createTenant("history");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);
        String first = ControlsFixtures.submit(key, model, "{\"prompt\":\"x\"}").then().statusCode(200).extract().path("request_id");

        put(model, Map.of("usd_price", "0.02")).then().statusCode(200);
        // a change that does not touch the price is no new version
        put(model, Map.of("description", "now with a description")).then().statusCode(200);
        String second = ControlsFixtures.submit(key, model, "{\"prompt\":\"x\"}").then().statusCode(200).extract().path("request_id");
        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000 - 300 - 600);

        List<Map<String, Object>> history = given().auth().oauth2(Fixtures.financeToken()).queryParam("model", model)
                .get("/admin/pricing/history").then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(history).extracting(v -> v.get("usd_price")).containsExactly("0.02", "0.01");
        assertThat(history).allSatisfy(v -> assertThat(v.get("effective_at")).isNotNull());
        assertThat(history.get(0).get("created_by")).isEqualTo("fixture-admin");
        long newest = ((Number) history.get(0).get("id")).longValue();
        long oldest = ((Number) history.get(1).get("id")).longValue();

        assertThat(jobVersion(first)).isEqualTo(oldest);
        assertThat(jobVersion(second)).isEqualTo(newest);
        given().auth().oauth2(Fixtures.adminToken()).get("/admin/pricing/history").then().statusCode(422);
        given().auth().oauth2(Fixtures.adminToken()).queryParam("model", "fal-ai/none").get("/admin/pricing/history").then().statusCode(404);
    }

    @Test
    void ratesAreVersionedAndApplyToTheNextSubmit() {
        long tenant = Fixtures.createTenant("rates");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);
        long before = ((Number) given().auth().oauth2(Fixtures.financeToken()).get("/admin/pricing/rates")
                .then().statusCode(200).body("exchange_rate", equalTo("3")).body("credits_per_cny", equalTo("10000"))
                .extract().path("version_id")).longValue();
        try {
            given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of("exchange_rate", "3.5"))
                    .put("/admin/pricing/rates").then().statusCode(200).body("exchange_rate", equalTo("3.5"));
            // 0.025 x 3.5 x 10,000 = 875
            ControlsFixtures.submit(key, "fal-ai/flux-1/dev", "{\"prompt\":\"x\"}").then().statusCode(200);
            assertThat(Fixtures.balance(tenant)).isEqualTo(10_000 - 875);
        } finally {
            given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of("exchange_rate", "3"))
                    .put("/admin/pricing/rates").then().statusCode(200);
        }
        List<Map<String, Object>> history = given().auth().oauth2(Fixtures.financeToken()).get("/admin/pricing/rates/history")
                .then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(history.get(0).get("exchange_rate")).isEqualTo("3");
        assertThat(history.get(1).get("exchange_rate")).isEqualTo("3.5");
        assertThat(((Number) history.get(1).get("version_id")).longValue()).isGreaterThan(before);
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of("exchange_rate", "-1"))
                .put("/admin/pricing/rates").then().statusCode(422);
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of())
                .put("/admin/pricing/rates").then().statusCode(422);
    }

    @Test
    void importShowsTheDifferenceFirstAndAppliesOnlyWhenAsked() {
        String changed = "ptest-" + UUID.randomUUID().toString().substring(0, 8) + "/import";
        String added = "ptest-" + UUID.randomUUID().toString().substring(0, 8) + "/import-new";
        put(changed, Map.of("unit", "image", "usd_price", "0.01", "quantity_param", "num_images", "default_quantity", 1))
                .then().statusCode(200);

        String export = given().auth().oauth2(Fixtures.financeToken()).get("/admin/pricing/export")
                .then().statusCode(200).contentType(org.hamcrest.Matchers.startsWith("text/csv")).extract().asString();
        assertThat(export).startsWith(String.join(",", PriceListCsv.COLUMNS) + "\n");
        assertThat(export).contains("fal-ai/flux-1/dev,megapixel,0.025,num_images,1,,1,4,,,,,image_size,landscape_4_3,,,");
        assertThat(export).contains("fal-ai/veo3,second,0.2,duration,8,\"4s,6s,8s\",,,,generate_audio,true,\"false=1,true=2\",");

        // the export with one price changed and one model added
        String csv = export.replace(changed + ",image,0.01,", changed + ",image,0.05,")
                + added + ",image,0.02,num_images,1,,1,4,,,,,,,,,new,true\n";
        Map<String, Object> dryRun = importCsv(csv, null).then().statusCode(200).extract().jsonPath().getMap("$");
        assertThat(dryRun.get("applied")).isEqualTo(false);
        assertThat(ids(dryRun.get("added"))).containsExactly(added);
        assertThat(ids(dryRun.get("changed"))).containsExactly(changed);
        assertThat(((Number) dryRun.get("unchanged")).intValue()).isGreaterThan(40);
        assertThat(dryRun.get("not_in_file")).isEqualTo(List.of());
        // nothing written by the dry run
        given().auth().oauth2(Fixtures.adminToken()).get("/admin/models/" + changed).then().body("usd_price", equalTo("0.01"));
        given().auth().oauth2(Fixtures.adminToken()).get("/admin/models/" + added).then().statusCode(404);

        Map<String, Object> applied = importCsv(csv, "true").then().statusCode(200).extract().jsonPath().getMap("$");
        assertThat(applied.get("applied")).isEqualTo(true);
        given().auth().oauth2(Fixtures.adminToken()).get("/admin/models/" + changed).then().body("usd_price", equalTo("0.05"));
        given().auth().oauth2(Fixtures.adminToken()).get("/admin/models/" + added).then().statusCode(200).body("enabled", equalTo(true));
        assertThat(given().auth().oauth2(Fixtures.adminToken()).queryParam("model", changed).get("/admin/pricing/history")
                .then().extract().jsonPath().getList("usd_price")).containsExactly("0.05", "0.01");
        assertThat(given().auth().oauth2(Fixtures.adminToken()).queryParam("model", changed).queryParam("action", "model.import")
                .get("/admin/audit").then().extract().jsonPath().getList("$")).hasSize(1);

        // the same file again changes nothing; sent as curl does (UTF-8 bytes, "text/csv" without a charset)
        Map<String, Object> again = given().auth().oauth2(Fixtures.adminToken())
                .config(io.restassured.RestAssured.config().encoderConfig(io.restassured.config.EncoderConfig.encoderConfig()
                        .appendDefaultContentCharsetToContentTypeIfUndefined(false)))
                .contentType("text/csv").body(csv.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .queryParam("apply", "true").post("/admin/pricing/import")
                .then().statusCode(200).extract().jsonPath().getMap("$");
        assertThat((List<?>) again.get("added")).isEmpty();
        assertThat((List<?>) again.get("changed")).isEmpty();

        // a broken file is refused as a whole, naming the line
        importCsv(csv + "fal-ai/bad,image,-1,num_images,1,,,,,,,,,true\n", "true").then().statusCode(422)
                .body("error.code", equalTo("invalid_price_list"))
                .body("error.message", org.hamcrest.Matchers.containsString("line"));
        importCsv(csv, "maybe").then().statusCode(422);
    }

    private static Response put(String model, Map<String, Object> body) {
        return given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(body).put("/admin/models/" + model);
    }

    private static Response importCsv(String csv, String apply) {
        var r = given().auth().oauth2(Fixtures.adminToken()).contentType("text/csv; charset=UTF-8").body(csv);
        if (apply != null) {
            r = r.queryParam("apply", apply);
        }
        return r.post("/admin/pricing/import");
    }

    @SuppressWarnings("unchecked")
    private static List<Object> ids(Object list) {
        return ((List<Map<String, Object>>) list).stream().map(m -> m.get("id")).toList();
    }

    private long jobVersion(String requestId) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "SELECT price_version_id FROM jobs WHERE request_id = ?1").setParameter(1, requestId).getSingleResult()).longValue());
    }
}
