package io.creditproxy.proxy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditproxy.sandbox.ReceivedSubmit;
import io.creditproxy.sandbox.SandboxServer;
import io.creditproxy.support.FalJsClient;
import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * fal's official JS client ({@code @fal-ai/client} 1.10.1), unchanged and configured with {@code proxyUrl}, uploading
 * through the proxy on the sandbox: {@code fal.storage.upload(new Blob(...))} gives a file URL on the proxy serving the
 * same bytes, and a {@code fal.subscribe} whose input holds a Blob has it uploaded and its URL submitted. Uploads are
 * free here (uploads.price-credits is 0): only the job is charged. Needs Node and {@code npm ci} in src/test/node;
 * skipped without them.
 */
@QuarkusTest
class FalJsStorageCompatTest {

    private static final String MODEL = "fal-ai/kling-video/v1.6/standard/image-to-video";

    @Inject
    SandboxServer sandbox;

    @Test
    void falsJsClientUploadsThroughTheProxy() throws Exception {
        FalJsClient.assumeInstalled();
        long tenant = Fixtures.createTenant("fal-js-storage");
        Fixtures.topUp(tenant, 100_000);
        String key = Fixtures.issueKey(tenant);
        String base = "http://localhost:" + RestAssured.port;

        JsonNode seen = FalJsClient.run("compat-storage.mjs", Map.of("FAL_KEY", key));

        // fal.storage.upload: a file URL on the proxy, serving back the very bytes
        String fileUrl = seen.path("upload").path("url").asText();
        assertThat(fileUrl).startsWith(base + "/storage/files/");
        assertThat(seen.path("upload").path("same").asBoolean()).isTrue();
        byte[] uploaded = Base64.getDecoder().decode(seen.path("upload").path("base64").asText());
        assertThat(given().when().get(fileUrl).asByteArray()).isEqualTo(uploaded);

        // the Blob in the input was uploaded first: the submit that reached fal holds its file URL, not the bytes
        String requestId = seen.path("subscribe").path("requestId").asText();
        assertThat(seen.path("subscribe").path("video").asBoolean()).isTrue();
        ReceivedSubmit submit = sandbox.receivedSubmit(requestId).orElseThrow();
        assertThat(submit.path()).isEqualTo("/" + MODEL);
        String imageUrl = new ObjectMapper().readTree(submit.body()).path("image_url").asText();
        assertThat(imageUrl).startsWith(base + "/storage/files/");
        byte[] image = Base64.getDecoder().decode(seen.path("subscribe").path("imageBase64").asText());
        assertThat(given().when().get(imageUrl).asByteArray()).isEqualTo(image);
        // both initiations reached fal with the operator's key, never the tenant's
        assertThat(sandbox.lastStorageInitiations(2)).allSatisfy(i -> {
            assertThat(i.header("Authorization")).contains("Key " + io.creditproxy.support.ProxyCalls.OPERATOR_KEY);
            assertThat(i.headers().toString()).doesNotContain(key);
        });

        List<Map<String, Object>> uploads = given().auth().oauth2(Fixtures.adminToken())
                .when().get("/admin/tenants/{id}/uploads", tenant).then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(uploads).hasSize(2).allSatisfy(u -> {
            assertThat(u.get("status")).isEqualTo("uploaded");
            assertThat(((Number) u.get("charged")).longValue()).isZero();
        });
        assertThat(uploads).extracting(u -> u.get("file_url")).containsExactlyInAnyOrder(imageUrl, fileUrl);
        assertThat(uploads).extracting(u -> ((Number) u.get("size_bytes")).longValue())
                .containsExactlyInAnyOrder((long) image.length, (long) uploaded.length);

        // only the job moved credits: one reservation, kept when it completed; uploads are free by default
        List<Map<String, Object>> ledger = Fixtures.ledger(tenant);
        assertThat(ledger).filteredOn(e -> String.valueOf(e.get("kind")).startsWith("upload")).isEmpty();
        List<Map<String, Object>> reserves = ledger.stream().filter(e -> "reserve".equals(e.get("kind"))).toList();
        assertThat(reserves).hasSize(1);
        long price = -((Number) reserves.get(0).get("amount")).longValue();
        assertThat(price).isPositive();
        assertThat(Fixtures.balance(tenant)).isEqualTo(100_000 - price);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }
}
