package io.creditproxy.pricing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import io.creditproxy.tenant.KeyGenerator;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class TenantModelResourceTest {

    @Inject
    EntityManager em;

    @Inject
    PriceListService pricing;

    @Inject
    PriceTable table;

    @AfterEach
    void removeTestModels() {
        QuarkusTransaction.requiringNew().run(() ->
                em.createNativeQuery("UPDATE models SET enabled = false WHERE id LIKE 'ptest-%'").executeUpdate());
        table.invalidate();
    }

    @Test
    void aTenantSeesTheEnabledModelsWithTheirPrices() {
        String key = newTenantKey(false);
        String on = PricingServiceTest.testId("on");
        String off = PricingServiceTest.testId("off");
        pricing.addMissingModels(List.of(PricingServiceTest.imageModel(on, "0.01"), PricingServiceTest.imageModel(off, "0.01")));
        pricing.updateModel(off, PriceListEntry.changeEnabled(false));

        String flux = "models.find { it.id == 'fal-ai/flux-1/dev' }";
        String kling = "models.find { it.id == 'fal-ai/kling-video/v1.6/standard/text-to-video' }";
        String pixverse = "models.find { it.id == 'fal-ai/pixverse/v4.5/text-to-video' }";
        given().header("Authorization", "Bearer " + key)
                .when().get("/v1/models")
                .then().statusCode(200)
                .body("exchange_rate", equalTo("3"))
                .body("credits_per_cny", equalTo("10000"))
                .body("models.id", hasItem(on))
                .body("models.id", not(hasItem(off)))
                .body(flux + ".unit", equalTo("megapixel"))
                .body(flux + ".size_param", equalTo("image_size"))
                .body(flux + ".default_size", equalTo("landscape_4_3"))
                .body(flux + ".usd_price", equalTo("0.025"))
                .body(flux + ".credits_per_unit", equalTo(750))
                .body(flux + ".default_credits", equalTo(750))
                .body(flux + ".quantity_param", equalTo("num_images"))
                .body(flux + ".default_quantity", equalTo(1))
                .body(flux + ".min_quantity", equalTo(1))
                .body(flux + ".max_quantity", equalTo(4))
                .body(flux + ".description", equalTo("画图"))
                .body(kling + ".unit", equalTo("second"))
                .body(kling + ".usd_price", equalTo("0.045"))
                .body(kling + ".credits_per_unit", equalTo(1_350))
                .body(kling + ".default_credits", equalTo(6_750))
                .body(kling + ".allowed_quantities", contains(5, 10))
                .body(kling + ".resolutions", nullValue())
                .body(pixverse + ".unit", equalTo("clip"))
                .body(pixverse + ".usd_price", equalTo("0.3"))
                .body(pixverse + ".credits_per_unit", equalTo(12_000))
                .body(pixverse + ".default_credits", equalTo(12_000))
                .body(pixverse + ".clip_seconds", equalTo(5))
                .body(pixverse + ".default_resolution", equalTo("720p"))
                .body(pixverse + ".resolutions", contains("360p", "540p", "720p", "1080p"))
                .body(pixverse + ".allowed_quantities", contains(5, 8));

        // fal's own header form works too
        given().header("Authorization", "Key " + key)
                .when().get("/v1/models")
                .then().statusCode(200).body("models.id", hasItem("fal-ai/flux-1/schnell"));
    }

    @Test
    void withoutAValidKeyItIs401() {
        given().when().get("/v1/models")
                .then().statusCode(401).body("error.code", equalTo("unauthorized"));
        given().header("Authorization", "Bearer cp_not-a-key")
                .when().get("/v1/models")
                .then().statusCode(401).body("error.code", equalTo("unauthorized"));
        String revoked = newTenantKey(true);
        given().header("Authorization", "Bearer " + revoked)
                .when().get("/v1/models")
                .then().statusCode(401).body("error.code", equalTo("unauthorized"));
    }

    private String newTenantKey(boolean revoked) {
        KeyGenerator.NewKey key = KeyGenerator.generate();
        QuarkusTransaction.requiringNew().run(() -> {
            Number tenant = (Number) em.createNativeQuery("INSERT INTO tenants(name) VALUES ('pricing test') RETURNING id")
                    .getSingleResult();
            em.createNativeQuery("INSERT INTO api_keys(tenant_id, name, prefix, key_hash, revoked_at) VALUES (?1, 'test', ?2, ?3, "
                            + (revoked ? "now()" : "NULL") + ")")
                    .setParameter(1, tenant.longValue())
                    .setParameter(2, key.prefix())
                    .setParameter(3, key.hash())
                    .executeUpdate();
        });
        return key.key();
    }
}
