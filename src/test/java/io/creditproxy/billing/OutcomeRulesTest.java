package io.creditproxy.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditproxy.fal.UpstreamResponse;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The outcome rules as tables (plain unit tests, no application): only a definite failure voids; an answer that is
 * not a recognised success decides nothing (the proxy then asks fal itself and holds the job).
 */
class OutcomeRulesTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** A decision as text: "posted n", "voided STATUS", or "undecided". */
    static String said(OutcomeRules.Decision d) {
        if (!d.decided()) {
            assertThat(d.undecided()).isNotBlank();
            return "undecided";
        }
        Outcome o = d.outcome();
        return switch (o.kind()) {
            case POSTED -> "posted " + o.deliveredUnits();
            case VOIDED -> "voided " + o.jobStatus();
            case KEPT_FOR_REVIEW -> "kept " + o.jobStatus();
        };
    }

    @ParameterizedTest(name = "{0} webhook {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            image  | {"status":"OK","payload":{"images":[{"url":"u1"},{"url":"u2"}]}}                    | posted 2
            image  | {"status":"OK","payload":{"image":{"url":"u1"}}}                                     | posted 1
            second | {"status":"OK","payload":{"video":{"url":"v"}}}                                      | posted 1
            image  | {"status":"OK","payload":null,"payload_error":"Response payload is not JSON serializable"} | undecided
            image  | {"status":"OK"}                                                                      | undecided
            image  | {"status":"OK","payload":"not an object"}                                            | undecided
            image  | {"status":"OK","payload":{"output":{"url":"u"}}}                                     | undecided
            image  | {"status":"OK","payload":{"images":[]}}                                              | undecided
            second | {"status":"OK","payload":{"video":null}}                                             | undecided
            second | {"status":"OK","payload":{"images":[{"url":"u"}]}}                                   | undecided
            image  | {"status":"COMPLETED","payload":{"images":[{"url":"u"}]}}                            | undecided
            image  | {"status":"ok","payload":{"images":[{"url":"u"}]}}                                   | undecided
            image  | {"status":1,"payload":{"images":[{"url":"u"}]}}                                      | undecided
            image  | {"payload":{"images":[{"url":"u"}]}}                                                 | undecided
            image  | {"status":"ERROR","payload":{"detail":"boom"},"error":"Invalid status code: 500"}    | voided FAILED
            image  | {"status":"ERROR","payload":null,"error":null}                                       | voided FAILED
            image  | {"status":"ERROR","payload":{"error_type":"client_cancelled"},"error":"cancelled"}   | voided CANCELLED
            """)
    void webhooks(String unit, String webhook, String expected) {
        assertThat(said(OutcomeRules.fromWebhook(unit, json(webhook)))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} result {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            image  | {"images":[{"url":"a"},{"url":"b"},{"url":"c"}]} | posted 3
            image  | {"image":{"url":"a"}}                             | posted 1
            image  | {"image":"a"}                                     | undecided
            image  | {"images":[]}                                     | undecided
            image  | {"images":{"url":"a"}}                            | undecided
            image  | {"output":[1,2]}                                  | undecided
            image  | []                                                | undecided
            image  | null                                              | undecided
            clip   | {"video":{"url":"v","content_type":"video/mp4"}}  | posted 1
            clip   | {"video":{"file_name":"v.mp4"}}                   | undecided
            second | {"videos":[{"url":"v"}]}                          | undecided
            """)
    void successfulResults(String unit, String result, String expected) {
        assertThat(said(OutcomeRules.fromResult(unit, json(result)))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "status {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"status":"IN_QUEUE","queue_position":3}                                                   | running
            {"status":"IN_PROGRESS","logs":[]}                                                         | running
            {"status":"COMPLETED","logs":null,"metrics":{}}                                            | read the result
            {"status":"COMPLETED","error":null}                                                        | read the result
            {"status":"COMPLETED","error":"Internal server error","error_type":"internal_server_error"} | voided FAILED
            {"status":"COMPLETED","error":"Request cancelled by client","error_type":"client_cancelled"} | voided CANCELLED
            {"status":"SOMETHING_NEW"}                                                                 | read the result
            {"status":"FAILED","error":"x"}                                                            | read the result
            {}                                                                                         | read the result
            """)
    void statuses(String status, String expected) {
        OutcomeRules.StatusReading r = OutcomeRules.fromStatus(json(status));
        String said = r.running() ? "running" : r.failure() != null ? "voided " + r.failure().jobStatus() : "read the result";
        assertThat(said).isEqualTo(expected);
        assertThat(r.readResult()).isEqualTo(said.equals("read the result"));
    }

    /** The proxy's own result fetch, as the probe reads it (HTTP status, fal's headers, body). */
    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            200 |                  | {"images":[{"url":"a"},{"url":"b"}]}              | OUTCOME posted 2
            200 |                  | {"output":{"url":"a"}}                            | UNDECIDED kept COMPLETED
            200 |                  | not json                                          | UNDECIDED kept COMPLETED
            499 |                  | {"detail":"Request cancelled by client"}           | OUTCOME voided CANCELLED
            400 | client_cancelled | {"detail":"cancelled"}                            | OUTCOME voided CANCELLED
            400 |                  | {"detail":"Request is still in progress"}          | UNCLEAR
            404 |                  | {"detail":"Request not found"}                    | UNCLEAR
            422 |                  | {"detail":[{"type":"content_policy_violation"}]}   | UNCLEAR
            500 |                  | {"detail":"Internal Server Error"}                 | UNCLEAR
            """)
    void probeResults(int status, String errorType, String body, String expected) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("X-Fal-Billable-Units", "2");
        if (errorType != null) {
            headers.add("X-Fal-Error-Type", errorType);
        }
        OutcomeCheck.Answer a = OutcomeCheck.fromResult("image", new UpstreamResponse(status, headers, Buffer.buffer(body)), JSON);
        String said = a.state().name();
        if (a.outcome() != null) {
            Outcome o = a.outcome();
            said += " " + switch (o.kind()) {
                case POSTED -> "posted " + o.deliveredUnits();
                case VOIDED -> "voided " + o.jobStatus();
                case KEPT_FOR_REVIEW -> "kept " + o.jobStatus();
            };
            if (o.kind() != Outcome.Kind.VOIDED) {
                assertThat(o.billableUnits()).isEqualTo("2");
            }
        }
        assertThat(said).isEqualTo(expected);
    }

    /** Webhooks for the video units: a video posts the whole price, a failure or a cancel voids it, the rest decides nothing. */
    @ParameterizedTest(name = "{0} webhook {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            clip   | {"status":"OK","payload":{"video":{"url":"v","content_type":"video/mp4"}}}           | posted 1
            clip   | {"status":"OK","payload":{"images":[{"url":"u"}]}}                                   | undecided
            clip   | {"status":"OK","payload":null,"payload_error":"Response payload is not JSON serializable"} | undecided
            clip   | {"status":"ERROR","payload":{"detail":"boom"},"error":"Invalid status code: 500"}    | voided FAILED
            second | {"status":"ERROR","payload":{"error_type":"client_cancelled"},"error":"cancelled"}   | voided CANCELLED
            clip   | {"status":"ERROR","payload":{"error_type":"client_cancelled"},"error":"cancelled"}   | voided CANCELLED
            second | {"status":"IN_PROGRESS","payload":{"video":{"url":"v"}}}                             | undecided
            """)
    void videoWebhooks(String unit, String webhook, String expected) {
        assertThat(said(OutcomeRules.fromWebhook(unit, json(webhook)))).isEqualTo(expected);
    }

    /** The proxy's own result fetch of a video job: a delivered video posts; an unreadable one is held, never voided. */
    @ParameterizedTest(name = "{0} {1} {2} {3} -> {4}")
    @CsvSource(delimiter = '|', textBlock = """
            second | 200 |                  | {"video":{"url":"v"}}                   | OUTCOME posted 1
            clip   | 200 |                  | {"video":{"url":"v"}}                   | OUTCOME posted 1
            second | 200 |                  | {"video":{"file_name":"v.mp4"}}         | UNDECIDED kept COMPLETED
            clip   | 200 |                  | {"videos":[{"url":"v"}]}                | UNDECIDED kept COMPLETED
            clip   | 499 |                  | {"detail":"Request cancelled by client"} | OUTCOME voided CANCELLED
            second | 400 | client_cancelled | {"detail":"cancelled"}                  | OUTCOME voided CANCELLED
            second | 422 |                  | {"detail":[{"type":"content_policy_violation"}]} | UNCLEAR
            clip   | 503 |                  | {"detail":"Service Unavailable"}        | UNCLEAR
            """)
    void videoProbeResults(String unit, int status, String errorType, String body, String expected) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        if (errorType != null) {
            headers.add("X-Fal-Error-Type", errorType);
        }
        OutcomeCheck.Answer a = OutcomeCheck.fromResult(unit, new UpstreamResponse(status, headers, Buffer.buffer(body)), JSON);
        assertThat(a.state().name() + (a.outcome() == null ? "" : " " + said(OutcomeRules.Decision.of(a.outcome()))))
                .isEqualTo(expected);
    }

    /**
     * What a settled job costs, per unit and outcome kind: a void nothing, a kept charge all of it, a posted image job
     * the delivered share at the frozen price and multiplier (rounded up, never more than reserved), a posted video
     * all of it. Prices: USD per unit, 3 CNY per USD, 10,000 credits per CNY.
     */
    @ParameterizedTest(name = "{0} x{1} at {2} USD (factor {3}, x{4}), {5} delivered {6} -> {7} credits")
    @CsvSource(delimiter = '|', textBlock = """
            image  | 4 | 0.025   | 1   | 1   | POSTED          | 4     | 3000
            image  | 4 | 0.025   | 1   | 1   | POSTED          | 3     | 2250
            image  | 4 | 0.025   | 1   | 1   | POSTED          | 5     | 3000
            image  | 4 | 0.025   | 1   | 1   | POSTED          |       | 3000
            image  | 4 | 0.02505 | 1   | 1   | POSTED          | 3     | 2255
            image  | 2 | 0.025   | 1   | 0.9 | POSTED          | 1     | 675
            image  | 2 | 0.025   | 2   | 1   | POSTED          | 1     | 1500
            image  | 3 | 0.025   | 1   | 1   | VOIDED          | 0     | 0
            image  | 3 | 0.025   | 1   | 1   | KEPT_FOR_REVIEW |       | 2250
            second | 5 | 0.05    | 1   | 1   | POSTED          | 1     | 7500
            second | 5 | 0.05    | 1   | 1   | VOIDED          | 0     | 0
            second | 5 | 0.05    | 1   | 1   | KEPT_FOR_REVIEW |       | 7500
            clip   | 2 | 0.25    | 4/3 | 1   | POSTED          | 1     | 20000
            clip   | 2 | 0.25    | 4/3 | 1   | VOIDED          | 0     | 0
            clip   | 2 | 0.25    | 4/3 | 0.9 | KEPT_FOR_REVIEW |       | 18000
            """)
    void charged(String unit, int quantity, String usd, String factor, String multiplier, Outcome.Kind kind,
                 Integer delivered, long expected) {
        Job job = new Job();
        job.unit = unit;
        job.quantity = quantity;
        job.usdUnitPrice = new java.math.BigDecimal(usd);
        job.priceFactor = factor;
        job.exchangeRate = java.math.BigDecimal.valueOf(3);
        job.creditsPerCny = java.math.BigDecimal.valueOf(10_000);
        job.priceMultiplier = new java.math.BigDecimal(multiplier);
        job.priceCredits = io.creditproxy.pricing.PriceCalculator.credits(job.usdUnitPrice, quantity,
                io.creditproxy.pricing.Fraction.parse(factor), job.exchangeRate, job.creditsPerCny, job.priceMultiplier);
        JobStatus status = kind == Outcome.Kind.VOIDED ? JobStatus.FAILED : JobStatus.COMPLETED;
        Outcome outcome = new Outcome(kind, status, delivered, null, null, null);
        assertThat(OutcomeRules.charged(job, outcome)).isEqualTo(expected);
    }

    /**
     * A posted per-megapixel job costs the megapixels of the images fal delivered (each rounded up, from their width
     * and height in fal's result), never more than reserved; an image of unknown size keeps the whole charge.
     */
    @ParameterizedTest(name = "{0} MP reserved, delivered {1} -> {2} credits")
    @CsvSource(delimiter = '|', textBlock = """
            68 | [[4096,4096],[4096,4096],[4096,4096],[4096,4096]] | 51000
            68 | [[4096,4096],[4096,4096],[4096,4096]]             | 38250
            4  | [[1024,768],[1024,768],[1024,768]]                | 2250
            4  | [[2048,2048],[2048,2048]]                         | 3000
            4  | [[1024,768],[0,768]]                              | 3000
            4  | [[1024,768],[null,null]]                          | 3000
            """)
    void chargedPerMegapixel(int reserved, String sizes, long expected) throws Exception {
        Job job = new Job();
        job.unit = "megapixel";
        job.quantity = reserved;
        job.usdUnitPrice = new java.math.BigDecimal("0.025");
        job.priceFactor = "1";
        job.exchangeRate = java.math.BigDecimal.valueOf(3);
        job.creditsPerCny = java.math.BigDecimal.valueOf(10_000);
        job.priceMultiplier = java.math.BigDecimal.ONE;
        job.priceCredits = reserved * 750L;
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ArrayNode images = json.createArrayNode();
        for (com.fasterxml.jackson.databind.JsonNode wh : json.readTree(sizes)) {
            images.addObject().put("url", "https://v3.fal.media/x.png").set("width", wh.get(0));
            ((com.fasterxml.jackson.databind.node.ObjectNode) images.get(images.size() - 1)).set("height", wh.get(1));
        }
        com.fasterxml.jackson.databind.JsonNode result = json.createObjectNode().set("images", images);
        OutcomeRules.Decision d = OutcomeRules.fromResult("megapixel", result);
        assertThat(d.decided()).isTrue();
        assertThat(OutcomeRules.charged(job, d.outcome())).isEqualTo(expected);
    }

    /** The status word the tenant's webhook carries: OK for what the tenant pays for as delivered, else ERROR. */
    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            POSTED          | COMPLETED | OK
            VOIDED          | FAILED    | ERROR
            VOIDED          | CANCELLED | ERROR
            VOIDED          | EXPIRED   | ERROR
            KEPT_FOR_REVIEW | COMPLETED | OK
            KEPT_FOR_REVIEW | EXPIRED   | ERROR
            """)
    void tenantWebhookStatus(Outcome.Kind kind, JobStatus status, String expected) {
        assertThat(new Outcome(kind, status, null, null, null, null).falWebhookStatus()).isEqualTo(expected);
    }
}
