package io.creditproxy.pricing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** Only that the admin endpoints are closed without a login; their behaviour is tested through PriceListService. */
@QuarkusTest
class AdminModelResourceTest {

    @Inject
    PriceListService pricing;

    @Test
    void theModelEndpointsNeedAnAdminLogin() {
        given().when().get("/admin/models").then().statusCode(401);
        given().contentType("application/json").body("{\"usd_price\":\"9\"}")
                .when().put("/admin/models/fal-ai/flux-1/dev").then().statusCode(401);
        // a tenant key is no admin login
        given().header("Authorization", "Bearer cp_someTenantKey").contentType("application/json").body("{\"usd_price\":\"9\"}")
                .when().put("/admin/models/fal-ai/flux-1/dev").then().statusCode(401);
        assertThat(pricing.model("fal-ai/flux-1/dev").usdPrice()).isEqualByComparingTo("0.025");
    }
}
