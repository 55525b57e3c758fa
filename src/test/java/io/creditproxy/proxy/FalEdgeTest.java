package io.creditproxy.proxy;

import static io.creditproxy.support.ProxyCalls.OPERATOR_KEY;
import static io.creditproxy.support.ProxyCalls.eventually;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.support.FakeFal.Received;
import io.creditproxy.support.FakeFal;
import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What reaches fal and what comes back (issue 11, items 8 and 9), against a recording fake fal and with the request's
 * Host trusted only from an allow-list, as in production: only fal's documented headers and query parameters reach
 * fal, {@code fal_webhook} in any spelling is the tenant's webhook and never forwarded, fal's answer headers are
 * filtered and their URLs rewritten, and a request naming a host the proxy does not answer to is refused uncharged.
 */
@QuarkusTest
@TestProfile(RecordingFalProfile.class)
class FalEdgeTest {

    private static final FakeFal FAL = RecordingFalProfile.FAL;
    private static final String FLUX = "/fal-ai/flux-1/dev";
    /** Every fal platform header a tenant may send on a submit, in odd letter cases. */
    private static final Map<String, String> DOCUMENTED = Map.of(
            "X-Fal-Queue-Priority", "low",
            "x-fal-request-timeout", "30",
            "X-FAL-STORE-IO", "0",
            "X-Fal-Runner-Hint", "lora-7",
            "X-Fal-No-Retry", "1",
            "X-Fal-Object-Lifecycle-Preference", "{\"expiration_duration_seconds\":3600}",
            "x-app-fal-disable-fallback", "true");
    /** What a tenant may send that must never reach fal. */
    private static final Map<String, String> UNDOCUMENTED = Map.of(
            "X-Fal-Retry-Config", "{\"server_error\":{\"retries\":9}}",
            "X-Fal-Target-Url", "http://127.0.0.1:1/elsewhere",
            "X-Fal-Anything", "tenant-chosen",
            "Accept-Language", "de",
            "Accept", "text/html",
            "Cookie", "session=tenant-cookie",
            "X-Forwarded-For", "10.0.0.1");

    @Inject
    EntityManager em;

    private static String proxyBase() {
        return "http://localhost:" + RestAssured.port;
    }

    @Test
    void aSubmitForwardsOnlyFalsDocumentedHeadersAndParameters() {
        long tenant = Fixtures.createTenant("edge-submit");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);

        Response r = given().header("Authorization", "Bearer " + key).headers(DOCUMENTED).headers(UNDOCUMENTED)
                .queryParam("fal_max_queue_length", "5")
                .queryParam("FAL_WEBHOOK", "http://127.0.0.1:9/tenant-hook?token=t")
                .queryParam("foo", "bar").queryParam("logs", "1")
                .contentType(ContentType.JSON).body("{\"prompt\":\"edge submit\"}")
                .when().post(FLUX);

        r.then().statusCode(200);
        String requestId = r.jsonPath().getString("request_id");
        Received submit = single(FAL.received(x -> x.method().equals("POST") && x.body().contains("edge submit")));
        DOCUMENTED.forEach((name, value) -> assertThat(submit.header(name)).as(name).contains(value));
        UNDOCUMENTED.keySet().forEach(name -> assertThat(submit.count(name)).as(name).isZero());
        assertThat(submit.header("Authorization")).contains("Key " + OPERATOR_KEY);
        assertThat(submit.headers().toString()).doesNotContain(key);

        // exactly fal's queue-length guard and the proxy's own webhook; the tenant's FAL_WEBHOOK is kept for later
        List<String[]> query = params(submit.query());
        assertThat(query).extracting(p -> p[0]).containsExactly("fal_max_queue_length", "fal_webhook");
        assertThat(query.get(0)[1]).isEqualTo("5");
        String jobId = reserveOf(tenant).get("job_id").toString();
        assertThat(query.get(1)[1]).isEqualTo(proxyBase() + "/webhooks/fal/" + jobId);
        assertThat((String) em.createNativeQuery("SELECT tenant_webhook FROM jobs WHERE request_id = ?1")
                .setParameter(1, requestId).getSingleResult()).isEqualTo("http://127.0.0.1:9/tenant-hook?token=t");

        // what came back: fal's URLs (in the body and in headers) point at the proxy; cookies and internals stay out
        String falBase = FAL.baseUrl() + "/fal-ai/flux-1/requests/" + requestId;
        String base = proxyBase() + "/fal-ai/flux-1/requests/" + requestId;
        assertThat(r.jsonPath().getString("status_url")).isEqualTo(base + "/status");
        assertCleanAnswer(r, requestId);
        assertThat(r.header("Location")).isEqualTo(base + "/status");
        assertThat(r.header("Content-Location")).isEqualTo(base);
        assertThat(r.header("Link")).isEqualTo("<" + base + ">; rel=\"result\", <" + base + "/cancel>; rel=\"cancel\"");
        assertThat(r.asString() + r.headers()).doesNotContain(FAL.baseUrl()).doesNotContain(falBase);

        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000 - 750);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void statusResultCancelAndStreamCarryOnlyLogsAndNoneOfTheTenantsHeaders() {
        long tenant = Fixtures.createTenant("edge-polls");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);
        Response submitted = given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .body("{\"prompt\":\"edge polls\"}").when().post(FLUX);
        submitted.then().statusCode(200);
        String requestId = submitted.jsonPath().getString("request_id");
        String statusUrl = submitted.jsonPath().getString("status_url");
        String responseUrl = submitted.jsonPath().getString("response_url");
        String cancelUrl = submitted.jsonPath().getString("cancel_url");
        String base = proxyBase() + "/fal-ai/flux-1/requests/" + requestId;

        Response status = tenantCall(key).queryParam("logs", "1").queryParam("foo", "bar")
                .queryParam("fal_webhook", "http://127.0.0.1:9/x").when().get(statusUrl);
        status.then().statusCode(200);
        assertCleanAnswer(status, requestId);
        assertThat(status.header("Location")).isEqualTo(base + "/status");
        assertThat(status.jsonPath().getString("response_url")).isEqualTo(base);

        Response result = tenantCall(key).queryParam("logs", "1").queryParam("foo", "bar").when().get(responseUrl);
        result.then().statusCode(200);
        assertCleanAnswer(result, requestId);
        assertThat(result.header("X-Fal-Billable-Units")).isEqualTo("1");
        assertThat(result.header("Content-Location")).isEqualTo(base);

        Response stream = tenantCall(key).queryParam("logs", "true").queryParam("foo", "bar").when().get(statusUrl + "/stream");
        stream.then().statusCode(200);
        assertThat(stream.header("Content-Type")).startsWith("text/event-stream");
        assertThat(stream.header("Set-Cookie")).isNull();
        assertThat(stream.asString()).contains("\"response_url\":\"" + base + "\"").doesNotContain(FAL.baseUrl());

        Response cancel = tenantCall(key).queryParam("foo", "bar").when().put(cancelUrl);
        cancel.then().statusCode(400);
        assertCleanAnswer(cancel, requestId);
        assertThat(cancel.jsonPath().getString("status")).isEqualTo("ALREADY_COMPLETED");

        // a logs value fal does not define is refused, not passed on
        tenantCall(key).queryParam("logs", "maybe").when().get(statusUrl).then().statusCode(422)
                .body("error.code", org.hamcrest.Matchers.equalTo("invalid_parameter"));

        // fal saw: logs on status and stream only, no other query, none of the tenant's headers on any of them
        List<Received> polls = FAL.received(x -> x.path().contains("/requests/" + requestId));
        assertThat(polls).isNotEmpty();
        assertThat(single(polls.stream().filter(x -> x.path().endsWith("/status") && x.query() != null).toList()).query())
                .isEqualTo("logs=1");
        Received streamed = single(polls.stream().filter(x -> x.path().endsWith("/status/stream")).toList());
        assertThat(streamed.query()).isEqualTo("logs=true");
        assertThat(streamed.header("Accept")).contains("text/event-stream");
        assertThat(polls.stream().filter(x -> !x.path().endsWith("/status") && !x.path().endsWith("/stream")))
                .allSatisfy(x -> assertThat(x.query()).isNull());
        assertThat(polls).allSatisfy(x -> {
            assertThat(x.headers().keySet()).noneMatch(h -> h.startsWith("x-fal-") || h.startsWith("x-app-fal-"));
            assertThat(x.count("Accept-Language")).isZero();
            assertThat(x.header("Authorization")).contains("Key " + OPERATOR_KEY);
            assertThat(x.headers().toString()).doesNotContain(key).doesNotContain("tenant-chosen");
        });
        assertThat(polls).anyMatch(x -> x.method().equals("PUT") && x.path().endsWith("/cancel"));

        // one image delivered: the job settles as posted, 750 credits
        eventually(Duration.ofSeconds(15), () -> Fixtures.balance(tenant), b -> b == 10_000 - 750);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void aQueryThatWouldSmuggleASecondWebhookOrABadValueIsRefusedBeforeAnyCharge() {
        long tenant = Fixtures.createTenant("edge-smuggle");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);
        int before = FAL.received().size();

        submitWithQuery(key, "fal_webhook=http%3A%2F%2F127.0.0.1%3A9%2Fa&Fal_Webhook=http%3A%2F%2F127.0.0.1%3A9%2Fb")
                .then().statusCode(422).body("error.code", org.hamcrest.Matchers.equalTo("invalid_parameter"));
        // in any spelling it is the tenant's webhook, checked like one
        submitWithQuery(key, "FAL_WEBHOOK=ftp%3A%2F%2F127.0.0.1%2Fx")
                .then().statusCode(422).body("error.code", org.hamcrest.Matchers.equalTo("invalid_webhook"));
        submitWithQuery(key, "fal_max_queue_length=ten")
                .then().statusCode(422).body("error.param", org.hamcrest.Matchers.equalTo("fal_max_queue_length"));

        assertThat(FAL.received().subList(before, FAL.received().size()))
                .noneMatch(x -> x.body().contains("edge smuggle"));
        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000);
        assertThat(Fixtures.ledger(tenant)).hasSize(1);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void aHostOutsideTheAllowListIsRefusedBeforeAnyCharge() {
        long tenant = Fixtures.createTenant("edge-host");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);

        Response refused = given().header("Authorization", "Bearer " + key).header("Host", "evil.example:" + RestAssured.port)
                .contentType(ContentType.JSON).body("{\"prompt\":\"edge host\"}").when().post(FLUX);
        refused.then().statusCode(421).contentType(ContentType.JSON)
                .body("error.code", org.hamcrest.Matchers.equalTo("misdirected_request"));
        assertThat(refused.asString()).doesNotContain("evil.example");
        assertThat(FAL.received()).noneMatch(x -> x.body().contains("edge host"));
        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000);
        assertThat(Fixtures.ledger(tenant)).hasSize(1);

        // polls too: their answers carry rewritten links
        Response ok = given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .body("{\"prompt\":\"edge host ok\"}").when().post(FLUX);
        ok.then().statusCode(200);
        given().header("Authorization", "Bearer " + key).header("Host", "evil.example")
                .when().get(ok.jsonPath().getString("status_url")).then().statusCode(421);
        // the allowed name in any letter case
        given().header("Authorization", "Bearer " + key).header("Host", "LocalHost:" + RestAssured.port)
                .when().get(ok.jsonPath().getString("status_url")).then().statusCode(200);
        eventually(Duration.ofSeconds(15), () -> Fixtures.balance(tenant), b -> b == 10_000 - 750);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private static io.restassured.specification.RequestSpecification tenantCall(String key) {
        return given().header("Authorization", "Bearer " + key).headers(DOCUMENTED).headers(UNDOCUMENTED);
    }

    private static Response submitWithQuery(String key, String rawQuery) {
        return given().urlEncodingEnabled(false).header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .body("{\"prompt\":\"edge smuggle\"}").when().post(FLUX + "?" + rawQuery);
    }

    /** What a tenant may see of fal's answer headers, and what it must not. */
    private static void assertCleanAnswer(Response r, String requestId) {
        assertThat(r.header("Set-Cookie")).isNull();
        assertThat(r.header("X-Fal-Served-From")).isNull();
        assertThat(r.header("X-Fal-Webhook-User-Id")).isNull();
        assertThat(r.header("X-Fal-Account-Id")).isNull();
        assertThat(r.header("Server")).isNotEqualTo("fake-fal/1.0");
        assertThat(r.headers().toString()).doesNotContain(FakeFal.OPERATOR_ACCOUNT)
                .doesNotContain("operator-session-secret").doesNotContain(FAL.baseUrl());
        assertThat(r.header("X-Fal-Request-Id")).isEqualTo(requestId);
    }

    private static Map<String, Object> reserveOf(long tenant) {
        return Fixtures.ledger(tenant).stream().filter(e -> "reserve".equals(e.get("kind"))).findFirst().orElseThrow();
    }

    private static List<String[]> params(String rawQuery) {
        List<String[]> out = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            out.add(new String[] {URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8)});
        }
        return out;
    }

    private static <T> T single(List<T> items) {
        assertThat(items).hasSize(1);
        return items.get(0);
    }
}
