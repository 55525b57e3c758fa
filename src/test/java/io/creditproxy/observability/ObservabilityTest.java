package io.creditproxy.observability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.creditproxy.support.Fixtures;
import io.creditproxy.support.Management;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.http.HttpMethod;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Prometheus metrics, the upstream readiness check and the OpenAPI document (all on the management interface),
 * against the running application.
 */
@QuarkusTest
class ObservabilityTest {

    @Inject
    Metrics metrics;

    @Test
    void readinessChecksPostgresRedisAndTheUpstream() {
        given().when().get(Management.url("/q/health/ready")).then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("fal upstream"));
        List<Map<String, Object>> checks = given().when().get(Management.url("/q/health/ready")).then().extract().jsonPath().getList("checks");
        assertThat(checks).extracting(c -> c.get("name")).contains("fal upstream");
        assertThat(checks.toString()).doesNotContain("sandbox-key-secret");
    }

    @Test
    void aSubmitIsCountedByRouteModelStatusWithCreditsAndUpstreamLatency() {
        long tenant = Fixtures.createTenant("metrics tenant");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);
        double submitsBefore = value("creditproxy_requests_seconds_count", "model=\"fal-ai/flux-1/dev\",route=\"submit\",status=\"200\"");
        double reservedBefore = value("creditproxy_credits_total", "flow=\"reserved\"");
        double upstreamBefore = value("creditproxy_upstream_latency_seconds_count", "operation=\"submit\",outcome=\"200\"");

        given().header("Authorization", "Key " + key).contentType(ContentType.JSON).body("{\"prompt\":\"a fox\",\"num_images\":2}")
                .when().post("/fal-ai/flux-1/dev").then().statusCode(200);

        assertThat(value("creditproxy_requests_seconds_count", "model=\"fal-ai/flux-1/dev\",route=\"submit\",status=\"200\""))
                .isEqualTo(submitsBefore + 1);
        assertThat(value("creditproxy_credits_total", "flow=\"reserved\"")).isEqualTo(reservedBefore + 1500);
        assertThat(value("creditproxy_upstream_latency_seconds_count", "operation=\"submit\",outcome=\"200\""))
                .isEqualTo(upstreamBefore + 1);
        assertThat(scrape()).contains("creditproxy_jobs_open");
    }

    @Test
    void settlementAndWebhookCountersMoveThroughTheFacade() {
        double posted = value("creditproxy_credits_total", "flow=\"posted\"");
        double delivered = value("creditproxy_webhook_deliveries_total", "result=\"delivered\"");
        double failed = value("creditproxy_webhook_deliveries_total", "result=\"given_up\"");
        metrics.settled("posted", "webhook", 2250);
        metrics.webhookDelivery("delivered");
        metrics.webhookDelivery("given_up");
        // at least: a job of an earlier test may settle meanwhile (the counter is the application's)
        assertThat(value("creditproxy_credits_total", "flow=\"posted\"")).isGreaterThanOrEqualTo(posted + 2250);
        assertThat(value("creditproxy_webhook_deliveries_total", "result=\"delivered\"")).isEqualTo(delivered + 1);
        assertThat(value("creditproxy_webhook_deliveries_total", "result=\"given_up\"")).isEqualTo(failed + 1);
        assertThat(value("creditproxy_settlements_total", "outcome=\"posted\",source=\"webhook\"")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void routesAreLabelledWithoutRequestIds() {
        assertThat(RequestMetrics.label(HttpMethod.POST, "/fal-ai/flux-1/dev")).isEqualTo(new RequestMetrics.Label("submit", "fal-ai/flux-1/dev"));
        assertThat(RequestMetrics.label(HttpMethod.POST, "/run/fal-ai/flux-1/dev")).isEqualTo(new RequestMetrics.Label("run", "fal-ai/flux-1/dev"));
        assertThat(RequestMetrics.label(HttpMethod.GET, "/fal-ai/flux-1/requests/abc-123/status"))
                .isEqualTo(new RequestMetrics.Label("status", "fal-ai/flux-1"));
        assertThat(RequestMetrics.label(HttpMethod.GET, "/fal-ai/flux-1/requests/abc-123/status/stream").route()).isEqualTo("stream");
        assertThat(RequestMetrics.label(HttpMethod.PUT, "/fal-ai/flux-1/requests/abc-123/cancel").route()).isEqualTo("cancel");
        assertThat(RequestMetrics.label(HttpMethod.GET, "/fal-ai/flux-1/requests/abc-123").route()).isEqualTo("result");
        assertThat(RequestMetrics.label(HttpMethod.GET, "/admin/reports/usage")).isEqualTo(new RequestMetrics.Label("admin", null));
        assertThat(RequestMetrics.label(HttpMethod.GET, "/v1/usage").route()).isEqualTo("tenant");
        assertThat(RequestMetrics.label(HttpMethod.GET, "/q/metrics")).isNull();
    }

    @Test
    void openApiDocumentDescribesTenantAndAdminApis() {
        Map<String, Object> paths = given().queryParam("format", "json").when().get(Management.url("/q/openapi"))
                .then().statusCode(200).extract().jsonPath().getMap("paths");
        assertThat(paths).containsKeys("/v1/usage", "/v1/ledger", "/v1/account", "/admin/reports/usage",
                "/admin/tenants/{id}/statement", "/admin/jobs", "/admin/jobs/{id}", "/admin/tenants", "/admin/login");
    }

    static String scrape() {
        return given().when().get(Management.url("/q/metrics")).then().statusCode(200).extract().asString();
    }

    /** The value of one sample (labels in the registry's alphabetical order), 0 when absent. */
    static double value(String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + "{" + labels) + "[^}]*\\} (\\S+)$").matcher(scrape());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
