package io.creditproxy.proxy;

import static io.creditproxy.support.ProxyCalls.submit;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.pricing.PriceTable;
import io.creditproxy.sandbox.SandboxServer;
import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every kind of bad input gets a clear 4xx in the one error shape, and no credit moves. */
@QuarkusTest
class ProxyBadInputTest {

    @Inject
    SandboxServer sandbox;

    @Inject
    EntityManager em;

    @Inject
    PriceTable pricing;

    long tenant;
    String key;
    int submitsBefore;

    @BeforeEach
    void tenantWithCredits() {
        tenant = Fixtures.createTenant("bad-input");
        Fixtures.topUp(tenant, 50_000);
        key = Fixtures.issueKey(tenant);
        submitsBefore = sandbox.lastSubmits(100_000).size();
    }

    private void assertNothingMoved() {
        assertThat(Fixtures.balance(tenant)).isEqualTo(50_000);
        assertThat(Fixtures.ledger(tenant)).hasSize(1);
        assertThat(sandbox.lastSubmits(100_000)).hasSize(submitsBefore);
    }

    private static void assertError(Response r, int status, String code) {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/json");
        assertThat(r.jsonPath().getString("error.code")).isEqualTo(code);
        assertThat(r.jsonPath().getString("error.message")).isNotBlank();
    }

    @Test
    void malformedJson() {
        assertError(submit(key, "fal-ai/flux-1/dev", "{\"prompt\": "), 400, "malformed_json");
        assertError(submit(key, "fal-ai/flux-1/dev", "[1,2]"), 400, "malformed_json");
        assertError(submit(key, "fal-ai/flux-1/dev", ""), 400, "malformed_json");
        assertError(submit(key, "fal-ai/flux-1/dev", "[".repeat(5_000) + "]".repeat(5_000)), 400, "malformed_json");
        assertNothingMoved();
    }

    @Test
    void unknownAndDisabledModels() {
        assertError(submit(key, "fal-ai/no-such-model", "{\"prompt\":\"x\"}"), 404, "unknown_model");
        assertError(submit(key, "fal-ai/flux-1/dev/extra", "{\"prompt\":\"x\"}"), 404, "unknown_model");
        disable("fal-ai/flux-1/schnell/redux", true);
        try {
            assertError(submit(key, "fal-ai/flux-1/schnell/redux", "{\"prompt\":\"x\"}"), 404, "unknown_model");
        } finally {
            disable("fal-ai/flux-1/schnell/redux", false);
        }
        assertNothingMoved();
    }

    @Transactional
    void setEnabled(String model, boolean enabled) {
        em.createNativeQuery("UPDATE models SET enabled = ?1 WHERE id = ?2").setParameter(1, enabled).setParameter(2, model)
                .executeUpdate();
    }

    private void disable(String model, boolean disabled) {
        setEnabled(model, !disabled);
        pricing.invalidate();
    }

    @Test
    void badParameters() {
        assertError(submit(key, "fal-ai/flux-1/dev", "{\"prompt\":\"x\",\"num_images\":0}"), 422, "invalid_parameter");
        assertError(submit(key, "fal-ai/flux-1/dev", "{\"prompt\":\"x\",\"num_images\":5}"), 422, "invalid_parameter");
        assertError(submit(key, "fal-ai/kling-video/v1.6/standard/text-to-video", "{\"prompt\":\"x\",\"duration\":\"abc\"}"),
                422, "invalid_parameter");
        assertError(submit(key, "fal-ai/pixverse/v4.5/text-to-video", "{\"prompt\":\"x\",\"resolution\":\"4k\"}"),
                422, "invalid_parameter");
        assertNothingMoved();
    }

    @Test
    void oversizedBody() {
        String big = "{\"prompt\":\"" + "a".repeat(70 * 1024) + "\"}";
        assertError(submit(key, "fal-ai/flux-1/dev", big), 413, "body_too_large");
        assertNothingMoved();
    }

    @Test
    void oversizedChunkedBodyWithoutContentLength() throws Exception {
        byte[] big = ("{\"prompt\":\"" + "a".repeat(70 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + io.restassured.RestAssured.port + "/fal-ai/flux-1/dev"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                // a streaming publisher of unknown length makes the client send chunked
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big)))
                .build();
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("body_too_large");
        assertNothingMoved();
    }

    @Test
    void missingUnknownAndRevokedKeys() {
        assertError(given().contentType(ContentType.JSON).body("{\"prompt\":\"x\"}").post("/fal-ai/flux-1/dev"), 401, "unauthorized");
        assertError(submit("cp_not-a-real-key", "fal-ai/flux-1/dev", "{\"prompt\":\"x\"}"), 401, "unauthorized");
        assertError(given().header("Authorization", "Basic abc").contentType(ContentType.JSON).body("{}").post("/fal-ai/flux-1/dev"),
                401, "unauthorized");
        String revoked = Fixtures.issueKey(tenant);
        submit(revoked, "fal-ai/flux-1/schnell", "{\"prompt\":\"warm the cache\"}").then().statusCode(200);
        Fixtures.revokeKey(revoked);
        assertError(submit(revoked, "fal-ai/flux-1/dev", "{\"prompt\":\"x\"}"), 401, "unauthorized");
        assertError(given().header("Authorization", "Bearer " + revoked).get("/fal-ai/flux-1/requests/abc/status"), 401, "unauthorized");
        // the one accepted submit before the revoke costs 90
        assertThat(Fixtures.balance(tenant)).isEqualTo(50_000 - 90);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void pathTricks() throws Exception {
        String[] paths = {"/fal-ai/../admin/tenants", "/fal-ai/%2e%2e/flux-1/dev", "/fal-ai%2Fflux-1%2Fdev",
                "/fal-ai/flux-1%2fdev", "/fal-ai//flux-1/dev", "/http:%2F%2Fevil.example.com/x", "/fal-ai/flux-1/dev%00"};
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (String path : paths) {
            // java.net.http sends the raw path as given (RestAssured would normalise it)
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + io.restassured.RestAssured.port + path))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"x\"}")).build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isBetween(400, 404);
            assertThat(response.body()).as(path).contains("\"error\"");
        }
        assertNothingMoved();
    }
}
