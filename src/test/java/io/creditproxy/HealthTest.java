package io.creditproxy;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.creditproxy.support.Management;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class HealthTest {

    @Test
    void healthIsUpWithRealPostgresAndRedis() {
        given().when().get(Management.url("/q/health")).then().statusCode(200).body("status", equalTo("UP"));
    }
}
