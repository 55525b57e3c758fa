package io.creditproxy.webhook;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditproxy.common.ApiException;
import io.creditproxy.support.Fixtures;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What admins and finance see of deliveries: the service's filters, then the endpoint with real logins. */
@QuarkusTest
class AdminWebhookDeliveryTest {

    @Inject
    TenantWebhookOutbox outbox;

    @Inject
    OutboxFixtures db;

    @Test
    void listsDeliveriesByJobTenantAndStatusWithTheHostOnly() {
        long tenant = db.tenant();
        UUID first = db.job(tenant);
        UUID second = db.job(tenant);
        UUID otherTenants = db.job(null);
        QuarkusTransaction.requiringNew().run(() -> {
            outbox.enqueue(first, tenant, "https://hooks.example.com/services/T0/SECRET?token=abc", "{\"secret\":1}");
            outbox.enqueue(second, tenant, "https://other.example.org/hook", "{}");
            outbox.enqueue(otherTenants, db.tenantOf(otherTenants), "https://hooks.example.com/x", "{}");
        });
        // keep the workers off these rows (example.com is not reachable here) so their state is what this test set
        db.update("UPDATE webhook_deliveries SET next_attempt_at = now() + interval '1 day' WHERE tenant_id IN ("
                + tenant + ", " + db.tenantOf(otherTenants) + ")");
        db.update("UPDATE webhook_deliveries SET status = 'failed', attempts = 10, last_error = 'HTTP 500', last_status = 500 "
                + "WHERE job_id = '" + second + "'");

        List<WebhookDeliveryView> mine = outbox.find(null, tenant, null, 100);
        assertThat(mine).extracting(WebhookDeliveryView::jobId).containsExactly(second, first); // newest first
        WebhookDeliveryView view = outbox.find(first, null, null, 100).get(0);
        assertThat(view.urlHost()).isEqualTo("hooks.example.com");
        assertThat(view.tenantId()).isEqualTo(tenant);
        assertThat(view.status()).isEqualTo("pending");
        assertThat(view.attempts()).isZero();
        assertThat(view.createdAt()).isNotNull();
        assertThat(view.deliveredAt()).isNull();
        assertThat(view.toString()).doesNotContain("SECRET").doesNotContain("token");

        assertThat(outbox.find(null, tenant, "failed", 100)).singleElement()
                .satisfies(v -> {
                    assertThat(v.jobId()).isEqualTo(second);
                    assertThat(v.lastStatus()).isEqualTo(500);
                    assertThat(v.lastError()).isEqualTo("HTTP 500");
                });
        assertThat(outbox.find(null, tenant, "delivered", 100)).isEmpty();
        assertThat(outbox.find(null, tenant, null, 1)).hasSize(1);

        assertThatThrownBy(() -> outbox.find(null, tenant, "lost", 100))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(422));
        assertThatThrownBy(() -> outbox.find(null, tenant, null, 0)).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> outbox.find(null, tenant, null, 1001)).isInstanceOf(ApiException.class);
    }

    @Test
    void adminAndFinanceReadDeliveriesOverHttp() {
        long tenant = db.tenant();
        UUID job = db.job(tenant);
        QuarkusTransaction.requiringNew().run(() ->
                outbox.enqueue(job, tenant, "https://hooks.example.net/cb?token=tenant-secret", "{\"secret\":\"s3\"}"));
        db.update("UPDATE webhook_deliveries SET next_attempt_at = now() + interval '1 day' WHERE job_id = '" + job + "'");

        for (String token : new String[] {Fixtures.financeToken(), Fixtures.adminToken()}) {
            String body = given().auth().oauth2(token)
                    .when().get("/admin/webhook-deliveries?job_id=" + job + "&tenant_id=" + tenant + "&status=pending")
                    .then().statusCode(200)
                    .body("$", hasSize(1))
                    .body("[0].job_id", equalTo(job.toString()))
                    .body("[0].tenant_id", equalTo((int) tenant))
                    .body("[0].url_host", equalTo("hooks.example.net"))
                    .body("[0].status", equalTo("pending"))
                    .body("[0].attempts", equalTo(0))
                    .extract().asString();
            assertThat(body).doesNotContain("tenant-secret").doesNotContain("s3").doesNotContain("payload");
        }
        given().auth().oauth2(Fixtures.financeToken()).when().get("/admin/webhook-deliveries?tenant_id=" + tenant + "&status=delivered")
                .then().statusCode(200).body("$", hasSize(0));
    }

    @Test
    void badFiltersAre422() {
        String token = Fixtures.financeToken();
        given().auth().oauth2(token).when().get("/admin/webhook-deliveries?status=lost")
                .then().statusCode(422).body("error.code", equalTo("invalid_parameter"));
        given().auth().oauth2(token).when().get("/admin/webhook-deliveries?job_id=not-a-uuid")
                .then().statusCode(422).body("error.message", containsString("job_id"));
        given().auth().oauth2(token).when().get("/admin/webhook-deliveries?tenant_id=x")
                .then().statusCode(422).body("error.message", containsString("tenant_id"));
        given().auth().oauth2(token).when().get("/admin/webhook-deliveries?limit=4294967396")
                .then().statusCode(422).body("error.message", not(containsString("Exception")));
    }

    @Test
    void otherRolesAre403() {
        given().auth().oauth2(Fixtures.token("someone", "support")).when().get("/admin/webhook-deliveries")
                .then().statusCode(403).body("error.code", equalTo("forbidden"));
    }

    @Test
    void theEndpointNeedsAnAdminLogin() {
        given().when().get("/admin/webhook-deliveries").then().statusCode(401);
        given().header("Authorization", "Bearer cp_someTenantKey").when().get("/admin/webhook-deliveries?status=failed")
                .then().statusCode(401);
    }
}
