package io.creditproxy.proxy;

import static io.creditproxy.support.ProxyCalls.OPERATOR_KEY;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.reliability.RawHttp;
import io.creditproxy.sandbox.ReceivedSubmit;
import io.creditproxy.sandbox.SandboxServer;
import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * File uploads through the proxy (issue 15 item 2) against the sandbox's simulated fal storage: initiation through fal's
 * proxy protocol and the direct route (the operator's key reaches fal, never the tenant's), the bytes PUT to the
 * proxy's upload URL and read back at the file URL the tenant got (both on the proxy), multipart, the per-tenant
 * limits (413 for size, 429 for the day) and the price (5 credits per upload in this profile; 402 when short), each
 * with the balance and ledger checked.
 */
@QuarkusTest
@TestProfile(StorageUploadTest.PricedUploads.class)
class StorageUploadTest {

    static final long PRICE = 5;

    public static class PricedUploads implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("uploads.price-credits", Long.toString(PRICE), "uploads.max-file-size", "64K",
                    "uploads.max-per-day", "5");
        }
    }

    private static final String REST = "https://rest.fal.ai/storage/upload/initiate?storage_type=fal-cdn-v3";

    @Inject
    SandboxServer sandbox;

    private static String base() {
        return "http://localhost:" + RestAssured.port;
    }

    private static Response initiateViaProxy(String key, String target, String body) {
        return given().header("Authorization", "Key " + key).header("x-fal-target-url", target)
                .contentType(ContentType.JSON).body(body).when().post(ProxyTarget.ROUTE);
    }

    private static Response initiateDirect(String key, String path, String body) {
        return given().header("Authorization", "Key " + key).contentType(ContentType.JSON).body(body)
                .when().post(path + "?storage_type=fal-cdn-v3");
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void anUploadThroughFalsProxyProtocolIsRelayedServedBackRecordedAndCharged() {
        long tenant = Fixtures.createTenant("upload-proxy");
        Fixtures.topUp(tenant, 100);
        String key = Fixtures.issueKey(tenant);

        Response initiated = initiateViaProxy(key, REST, "{\"content_type\":\"image/png\",\"file_name\":\"cat.png\"}");

        initiated.then().statusCode(200);
        String uploadUrl = initiated.jsonPath().getString("upload_url");
        String fileUrl = initiated.jsonPath().getString("file_url");
        // both on the proxy: a tenant on another machine reaches nothing else
        assertThat(uploadUrl).startsWith(base() + "/storage/uploads?token=");
        assertThat(fileUrl).startsWith(base() + "/storage/files/").endsWith("/cat.png");
        // fal (the sandbox) was asked with the operator's key, never the tenant's, with fal's own query and fields only
        ReceivedSubmit received = sandbox.lastStorageInitiations(1).get(0);
        assertThat(received.path()).isEqualTo("/storage/upload/initiate");
        assertThat(received.query()).isEqualTo("storage_type=fal-cdn-v3");
        assertThat(received.header("Authorization")).contains("Key " + OPERATOR_KEY);
        assertThat(received.headers().toString()).doesNotContain(key).doesNotContainIgnoringCase("x-fal-target-url");
        assertThat(received.body()).isEqualTo("{\"content_type\":\"image/png\",\"file_name\":\"cat.png\"}");
        // nothing taken until the bytes go
        assertThat(Fixtures.balance(tenant)).isEqualTo(100);

        byte[] image = bytes(20_000, 1);
        given().contentType("image/png").body(image).when().put(uploadUrl).then().statusCode(200);

        Response file = given().when().get(fileUrl);
        file.then().statusCode(200);
        assertThat(file.contentType()).startsWith("image/png");
        assertThat(file.asByteArray()).isEqualTo(image);

        assertThat(Fixtures.balance(tenant)).isEqualTo(100 - PRICE);
        List<Map<String, Object>> ledger = Fixtures.ledger(tenant);
        assertThat(ledger).hasSize(2);
        assertThat(ledger.get(0).get("kind")).isEqualTo("upload");
        assertThat(((Number) ledger.get(0).get("amount")).longValue()).isEqualTo(-PRICE);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);

        List<Map<String, Object>> uploads = given().auth().oauth2(Fixtures.adminToken())
                .when().get("/admin/tenants/{id}/uploads", tenant)
                .then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(uploads).hasSize(1);
        Map<String, Object> upload = uploads.get(0);
        assertThat(upload).containsEntry("file_name", "cat.png").containsEntry("content_type", "image/png")
                .containsEntry("status", "uploaded").containsEntry("file_url", fileUrl).containsEntry("multipart", false);
        assertThat(((Number) upload.get("size_bytes")).longValue()).isEqualTo(image.length);
        assertThat(((Number) upload.get("charged")).longValue()).isEqualTo(PRICE);
        assertThat(upload.toString()).doesNotContain("token").doesNotContain("/storage/upload/put/");
        // the tenant sees its own uploads
        assertThat(given().header("Authorization", "Key " + key).when().get("/v1/uploads")
                .then().statusCode(200).extract().jsonPath().getList("file_url")).containsExactly(fileUrl);

        // an upload URL serves one upload: a second PUT is refused and costs nothing
        given().contentType("image/png").body(image).when().put(uploadUrl).then().statusCode(410);
        assertThat(Fixtures.balance(tenant)).isEqualTo(100 - PRICE);
    }

    @Test
    void theDirectRouteServesSingleAndMultipartUploads() {
        long tenant = Fixtures.createTenant("upload-direct");
        Fixtures.topUp(tenant, 100);
        String key = Fixtures.issueKey(tenant);

        Response single = initiateDirect(key, "/storage/upload/initiate",
                "{\"content_type\":\"text/plain\",\"file_name\":\"note.txt\",\"size\":5}");
        single.then().statusCode(200);
        assertThat(sandbox.lastStorageInitiations(1).get(0).header("Authorization")).contains("Key " + OPERATOR_KEY);
        given().contentType("text/plain").body("hello").when().put(single.jsonPath().getString("upload_url"))
                .then().statusCode(200);
        assertThat(given().when().get(single.jsonPath().getString("file_url")).asString()).isEqualTo("hello");

        // multipart, as fal's client derives the part and completion URLs from upload_url
        Response multi = initiateDirect(key, "/storage/upload/initiate-multipart",
                "{\"content_type\":\"video/mp4\",\"file_name\":\"clip.mp4\"}");
        multi.then().statusCode(200);
        assertThat(sandbox.lastStorageInitiations(1).get(0).path()).isEqualTo("/storage/upload/initiate-multipart");
        URI upload = URI.create(multi.jsonPath().getString("upload_url"));
        String origin = upload.getScheme() + "://" + upload.getRawAuthority() + upload.getRawPath();
        byte[] first = bytes(30_000, 2);
        byte[] second = bytes(10_000, 3);
        Response p1 = given().body(first).when().put(origin + "/1?" + upload.getRawQuery());
        p1.then().statusCode(200);
        Response p2 = given().body(second).when().put(origin + "/2?" + upload.getRawQuery());
        p2.then().statusCode(200);
        String parts = "{\"parts\":[{\"partNumber\":1,\"etag\":" + quoted(p1.jsonPath().getString("etag"))
                + "},{\"partNumber\":2,\"etag\":" + quoted(p2.jsonPath().getString("etag")) + "}]}";
        given().contentType(ContentType.JSON).body(parts).when().post(origin + "/complete?" + upload.getRawQuery())
                .then().statusCode(200);
        byte[] whole = given().when().get(multi.jsonPath().getString("file_url")).asByteArray();
        byte[] expected = new byte[first.length + second.length];
        System.arraycopy(first, 0, expected, 0, first.length);
        System.arraycopy(second, 0, expected, first.length, second.length);
        assertThat(whole).isEqualTo(expected);

        // one price per upload, however many parts
        assertThat(Fixtures.balance(tenant)).isEqualTo(100 - 2 * PRICE);
        assertThat(Fixtures.ledger(tenant)).filteredOn(e -> "upload".equals(e.get("kind"))).hasSize(2);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
        List<Map<String, Object>> uploads = given().auth().oauth2(Fixtures.adminToken())
                .when().get("/admin/tenants/{id}/uploads", tenant).then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(uploads).extracting(u -> u.get("status")).containsExactly("uploaded", "uploaded");
        assertThat(((Number) uploads.get(0).get("size_bytes")).longValue()).isEqualTo(expected.length);
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Test
    void aFileOverTheSizeLimitIs413BeforeAByteMovesAndCostsNothing() {
        long tenant = Fixtures.createTenant("upload-too-large");
        Fixtures.topUp(tenant, 100);
        String key = Fixtures.issueKey(tenant);

        // a declared size (direct route) is refused at once, and does not count for the day
        Response declared = initiateDirect(key, "/storage/upload/initiate",
                "{\"content_type\":\"image/png\",\"file_name\":\"big.png\",\"size\":70000}");
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(declared.jsonPath().getString("error.code")).isEqualTo("file_too_large");

        // fal's client declares nothing: the PUT's Content-Length is checked before the bytes are relayed
        Response initiated = initiateViaProxy(key, REST, "{\"content_type\":\"image/png\",\"file_name\":\"big.png\"}");
        initiated.then().statusCode(200);
        String uploadUrl = initiated.jsonPath().getString("upload_url");
        Response tooLarge = given().contentType("image/png").body(bytes(70_000, 4)).when().put(uploadUrl);
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.jsonPath().getString("error.code")).isEqualTo("file_too_large");
        assertThat(tooLarge.jsonPath().getString("message")).contains("65536");
        // the upload is refused for good; its file was never stored
        assertThat(given().contentType("image/png").body(bytes(10, 5)).when().put(uploadUrl).statusCode()).isEqualTo(410);
        String fileKey = initiated.jsonPath().getString("file_url").substring((base() + "/storage/files/").length());
        assertThat(sandbox.storedFile(fileKey)).isEmpty();

        // multipart: the parts add up; the part that passes the limit is refused, and the price the first part took
        // goes back
        Response multi = initiateDirect(key, "/storage/upload/initiate-multipart",
                "{\"content_type\":\"video/mp4\",\"file_name\":\"long.mp4\"}");
        URI upload = URI.create(multi.jsonPath().getString("upload_url"));
        String parts = upload.getScheme() + "://" + upload.getRawAuthority() + upload.getRawPath();
        given().body(bytes(40_000, 9)).when().put(parts + "/1?" + upload.getRawQuery()).then().statusCode(200);
        assertThat(Fixtures.balance(tenant)).isEqualTo(100 - PRICE);
        Response second = given().body(bytes(30_000, 10)).when().put(parts + "/2?" + upload.getRawQuery());
        assertThat(second.statusCode()).isEqualTo(413);
        assertThat(given().contentType(ContentType.JSON).body("{\"parts\":[]}")
                .when().post(parts + "/complete?" + upload.getRawQuery()).statusCode()).isEqualTo(410);
        assertThat(Fixtures.ledger(tenant)).extracting(e -> e.get("kind")).containsExactly("upload_refund", "upload", "topup");

        // a body without a Content-Length (chunked) is refused: its size could not be checked up front
        Response chunkedInit = initiateViaProxy(key, REST, "{\"content_type\":\"image/png\",\"file_name\":\"c.png\"}");
        URI chunkedUrl = URI.create(chunkedInit.jsonPath().getString("upload_url"));
        RawHttp.Answer chunked = RawHttp.send(RestAssured.port, "PUT", chunkedUrl.getRawPath() + "?" + chunkedUrl.getRawQuery(),
                "Transfer-Encoding: chunked\r\nContent-Type: image/png\r\n",
                null);
        assertThat(chunked.body()).contains("length_required");

        assertThat(Fixtures.balance(tenant)).isEqualTo(100);
        assertThat(Fixtures.ledger(tenant)).hasSize(3);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
        List<Map<String, Object>> uploads = given().auth().oauth2(Fixtures.adminToken())
                .when().get("/admin/tenants/{id}/uploads", tenant).then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(uploads).extracting(u -> u.get("status")).containsExactly("initiated", "refused", "refused");
        assertThat(uploads).allSatisfy(u -> assertThat(((Number) u.get("charged")).longValue()).isZero());
    }

    @Test
    void anUploadFalRefusesCostsNothingAndItsUrlCanBeTriedAgain() {
        long tenant = Fixtures.createTenant("upload-fal-refuses");
        Fixtures.topUp(tenant, 100);
        String key = Fixtures.issueKey(tenant);

        // the sandbox's storage fails every PUT of this upload (503), as fal's storage might
        Response initiated = initiateViaProxy(key, REST,
                "{\"content_type\":\"image/png\",\"file_name\":\"x[sandbox:upload-fail].png\"}");
        initiated.then().statusCode(200);
        String uploadUrl = initiated.jsonPath().getString("upload_url");
        for (int attempt = 0; attempt < 2; attempt++) {
            Response put = given().contentType("image/png").body(bytes(1000, 7)).when().put(uploadUrl);
            assertThat(put.statusCode()).isEqualTo(503);
        }

        // taken when the bytes went, given back when fal refused them: twice, nothing kept
        assertThat(Fixtures.balance(tenant)).isEqualTo(100);
        List<Map<String, Object>> ledger = Fixtures.ledger(tenant);
        assertThat(ledger).extracting(e -> e.get("kind"))
                .containsExactly("upload_refund", "upload", "upload_refund", "upload", "topup");
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
        Map<String, Object> upload = given().auth().oauth2(Fixtures.adminToken())
                .when().get("/admin/tenants/{id}/uploads", tenant).then().statusCode(200).extract().jsonPath().getMap("[0]");
        assertThat(upload).containsEntry("status", "initiated");
        assertThat(((Number) upload.get("charged")).longValue()).isZero();
        assertThat((String) upload.get("error")).contains("503");
    }

    @Test
    void parallelPutsOfOneUploadAreChargedOnce() throws Exception {
        long tenant = Fixtures.createTenant("upload-parallel-puts");
        Fixtures.topUp(tenant, 100);
        String key = Fixtures.issueKey(tenant);
        Response initiated = initiateViaProxy(key, REST, "{\"content_type\":\"image/png\",\"file_name\":\"p.png\"}");
        String uploadUrl = initiated.jsonPath().getString("upload_url");
        byte[] image = bytes(50_000, 8);

        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Integer>> statuses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Callable<Integer> put = () -> given().contentType("image/png").body(image).when().put(uploadUrl).statusCode();
            statuses.add(pool.submit(put));
        }
        List<Integer> seen = new ArrayList<>();
        for (Future<Integer> s : statuses) {
            seen.add(s.get());
        }
        pool.shutdown();

        // one relayed upload; the others were refused (in flight: 409, done: 410), whatever the interleaving
        assertThat(seen).filteredOn(s -> s == 200).hasSize(1);
        assertThat(seen).filteredOn(s -> s != 200).allSatisfy(s -> assertThat(s).isIn(409, 410));
        assertThat(given().when().get(initiated.jsonPath().getString("file_url")).asByteArray()).isEqualTo(image);
        assertThat(Fixtures.balance(tenant)).isEqualTo(100 - PRICE);
        assertThat(Fixtures.ledger(tenant)).filteredOn(e -> "upload".equals(e.get("kind"))).hasSize(1);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void theDailyLimitIs429WithRetryAfterAndCostsNothingEvenInParallel() throws Exception {
        long tenant = Fixtures.createTenant("upload-daily");
        Fixtures.topUp(tenant, 100);
        String key = Fixtures.issueKey(tenant);
        String body = "{\"content_type\":\"image/png\",\"file_name\":\"x.png\"}";

        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> statuses = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Callable<Integer> call = () -> initiateViaProxy(key, REST, body).statusCode();
            statuses.add(pool.submit(call));
        }
        List<Integer> seen = new ArrayList<>();
        for (Future<Integer> s : statuses) {
            seen.add(s.get());
        }
        pool.shutdown();
        // exactly the day's 5, whatever the interleaving
        assertThat(seen).filteredOn(s -> s == 200).hasSize(5);
        assertThat(seen).filteredOn(s -> s == 429).hasSize(7);

        Response refused = initiateViaProxy(key, REST, body);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.jsonPath().getString("error.code")).isEqualTo("upload_limit_reached");
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertThat(retryAfter).isBetween(1L, 86_400L);

        assertThat(Fixtures.balance(tenant)).isEqualTo(100);
        assertThat(Fixtures.ledger(tenant)).hasSize(1);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
        assertThat(given().auth().oauth2(Fixtures.adminToken()).when().get("/admin/tenants/{id}/uploads", tenant)
                .then().statusCode(200).extract().jsonPath().getList("$")).hasSize(5);

        // another tenant's day is its own
        long other = Fixtures.createTenant("upload-daily-other");
        Fixtures.topUp(other, 100);
        initiateViaProxy(Fixtures.issueKey(other), REST, body).then().statusCode(200);
    }

    @Test
    void aBalanceShortOfThePriceIs402AndABadKeyIs401AndNeitherReachesFal() {
        long tenant = Fixtures.createTenant("upload-poor");
        Fixtures.topUp(tenant, PRICE - 1);
        String key = Fixtures.issueKey(tenant);
        int before = sandbox.lastStorageInitiations(1000).size();

        Response poor = initiateViaProxy(key, REST, "{\"content_type\":\"image/png\",\"file_name\":\"p.png\"}");
        assertThat(poor.statusCode()).isEqualTo(402);
        assertThat(poor.jsonPath().getString("error.code")).isEqualTo("insufficient_credits");
        assertThat(poor.jsonPath().getString("message")).contains("credits");

        Response bad = initiateViaProxy("not-a-key", REST, "{\"content_type\":\"image/png\",\"file_name\":\"p.png\"}");
        assertThat(bad.statusCode()).isEqualTo(401);
        Response none = given().contentType(ContentType.JSON).body("{\"content_type\":\"image/png\",\"file_name\":\"p.png\"}")
                .when().post("/storage/upload/initiate");
        assertThat(none.statusCode()).isEqualTo(401);

        assertThat(sandbox.lastStorageInitiations(1000)).hasSize(before);
        assertThat(Fixtures.balance(tenant)).isEqualTo(PRICE - 1);
        assertThat(Fixtures.ledger(tenant)).hasSize(1);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
        assertThat(given().auth().oauth2(Fixtures.adminToken()).when().get("/admin/tenants/{id}/uploads", tenant)
                .then().statusCode(200).extract().jsonPath().getList("$")).isEmpty();
    }

    @Test
    void badInputIsAClear4xxAndTheTokenEndpointIsRefused() {
        long tenant = Fixtures.createTenant("upload-bad-input");
        Fixtures.topUp(tenant, 100);
        String key = Fixtures.issueKey(tenant);

        assertThat(initiateViaProxy(key, REST, "not json").statusCode()).isEqualTo(400);
        assertThat(initiateViaProxy(key, REST, "{\"file_name\":\"a.png\"}").statusCode()).isEqualTo(422);
        assertThat(initiateViaProxy(key, REST, "{\"content_type\":7,\"file_name\":\"a.png\"}").statusCode()).isEqualTo(422);
        Response lifecycle = given().header("Authorization", "Key " + key).header("x-fal-target-url", REST)
                .header("X-Fal-Object-Lifecycle", "not json").contentType(ContentType.JSON)
                .body("{\"content_type\":\"image/png\",\"file_name\":\"a.png\"}").when().post(ProxyTarget.ROUTE);
        assertThat(lifecycle.statusCode()).isEqualTo(422);
        // an upload URL nobody handed out
        assertThat(given().body("x").when().put("/storage/uploads?token=" + "ab".repeat(24)).statusCode()).isEqualTo(404);
        assertThat(given().body("x").when().put("/storage/uploads?token=../../admin").statusCode()).isEqualTo(404);
        assertThat(given().when().get("/storage/files/../admin").statusCode()).isIn(400, 404);

        // fal's Python client's token endpoint: a token signed for the operator's fal account is never handed out
        Response token = given().header("Authorization", "Key " + key).when().post("/storage/auth/token?storage_type=fal-cdn-v3");
        assertThat(token.statusCode()).isEqualTo(403);
        assertThat(token.jsonPath().getString("error.code")).isEqualTo("storage_token_refused");
        assertThat(token.jsonPath().getString("message")).contains("upload_url");
        Response viaProxy = initiateViaProxy(key, "https://rest.alpha.fal.ai/storage/auth/token?storage_type=fal-cdn-v3", "{}");
        assertThat(viaProxy.statusCode()).isEqualTo(403);

        assertThat(Fixtures.balance(tenant)).isEqualTo(100);
        assertThat(Fixtures.ledger(tenant)).hasSize(1);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }
}
