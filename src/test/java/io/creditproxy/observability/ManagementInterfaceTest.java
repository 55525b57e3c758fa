package io.creditproxy.observability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.creditproxy.fal.FalClient;
import io.creditproxy.support.Management;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Metrics and the detailed health output are not public: they are served only by the management interface (its own
 * port, bound to loopback by default), never by the port tenants and admins reach; and the health answer does not
 * name the upstream's URL. (The OpenAPI document moved there with them, Quarkus' default.)
 */
@QuarkusTest
class ManagementInterfaceTest {

    @Inject
    FalClient fal;

    @Test
    void thePublicPortServesNoMetricsAndNoHealth() {
        for (String path : List.of("/q/metrics", "/q/metrics/", "/q/health", "/q/health/ready", "/q/health/live",
                "/q/health/started", "/q/health/well", "/q/openapi")) {
            int status = given().when().get(path).then().extract().statusCode();
            assertThat(status).as(path + " on the public port").isEqualTo(404);
        }
    }

    @Test
    void theManagementInterfaceServesThemOnLoopback() {
        String metrics = given().when().get(Management.url("/q/metrics")).then().statusCode(200).extract().asString();
        assertThat(metrics).contains("creditproxy_jobs_open");
        given().when().get(Management.url("/q/health/live")).then().statusCode(200).body("status", equalTo("UP"));
        String ready = given().when().get(Management.url("/q/health/ready")).then().statusCode(200)
                .body("status", equalTo("UP")).extract().asString();
        assertThat(ready).contains("fal upstream");

        // its own port, on loopback unless an operator says otherwise
        URI management = URI.create(Management.url("/"));
        assertThat(management.getPort()).isNotEqualTo(URI.create(io.quarkus.test.common.http.TestHTTPResourceManager.getUri()).getPort());
        assertThat(ConfigProvider.getConfig().getValue("quarkus.management.host", String.class)).isEqualTo("127.0.0.1");
    }

    @Test
    void theHealthAnswerDoesNotNameTheUpstream() {
        URI upstream = URI.create(fal.baseUrl());
        for (String path : List.of("/q/health", "/q/health/ready")) {
            String answer = given().when().get(Management.url(path)).then().extract().asString();
            assertThat(answer).as(path).contains("fal upstream")
                    .doesNotContain(fal.baseUrl()).doesNotContain(upstream.getHost() + ":" + upstream.getPort())
                    .doesNotContain("\"url\"").doesNotContain("sandbox-key");
        }
    }
}
