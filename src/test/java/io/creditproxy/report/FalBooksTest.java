package io.creditproxy.report;

import static io.creditproxy.support.ProxyCalls.eventually;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.creditproxy.sandbox.ReceivedSubmit;
import io.creditproxy.sandbox.SandboxServer;
import io.creditproxy.settlement.SettlementSupport;
import io.creditproxy.support.Fixtures;
import io.creditproxy.support.ProxyCalls;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: the books against fal's bill, through the sandbox's Platform API. A real margin at the cost rate, fal's
 * billing events pulled and reconciled (a price change at "fal", a ghost, a request the proxy never knew, a job fal
 * never billed), price sync (dry run, apply), the operator's fal balance, and bad input that moves nothing.
 */
@QuarkusTest
class FalBooksTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final String FLUX = "fal-ai/flux-1/dev";
    static final String SCHNELL = "fal-ai/flux-1/schnell";

    @Inject
    SandboxServer sandbox;

    @Inject
    SettlementSupport db;

    @Inject
    MeterRegistry registry;

    /** A period from a second ago to an hour from now: only this test's jobs (tests run one after the other). */
    static String period(Instant start) {
        return "tz=UTC&from=" + start.truncatedTo(ChronoUnit.SECONDS).minusSeconds(1) + "&to="
                + Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
    }

    long tenant(String name, long credits) {
        long id = Fixtures.createTenant(name);
        Fixtures.topUp(id, credits);
        return id;
    }

    /** Submits through the proxy and waits until the job is settled; @return the job id */
    String settledJob(String key, String model, int images) {
        Response r = ProxyCalls.submit(key, model, "{\"prompt\":\"a fox\",\"num_images\":" + images + "}");
        assertThat(r.statusCode()).isEqualTo(200);
        String jobId = db.jobIdOf(r.jsonPath().getString("request_id"));
        eventually(WAIT, () -> db.scalar("SELECT count(*) FROM jobs WHERE id = CAST(?1 AS uuid) AND settled_at IS NOT NULL",
                jobId), n -> n == 1);
        return jobId;
    }

    long ledgerRows() {
        return db.scalar("SELECT count(*) FROM ledger_entries");
    }

    static JsonPath rates() {
        return given().auth().oauth2(Fixtures.financeToken()).get("/admin/pricing/rates").then().statusCode(200)
                .extract().jsonPath();
    }

    static void putRates(Map<String, Object> body, int status) {
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(body)
                .put("/admin/pricing/rates").then().statusCode(status);
    }

    @Test
    void marginIsRevenueLessFalCostAtTheFrozenCostRate() {
        String previous = rates().getString("cost_rate");
        try {
            putRates(Map.of("cost_rate", "2.2"), 200);
            assertThat(rates().getString("cost_rate")).isEqualTo("2.2");
            assertThat(rates().getString("exchange_rate")).isEqualTo("3");
            Instant start = Instant.now();
            long tenant = tenant("margin", 100_000);
            String key = Fixtures.issueKey(tenant);
            settledJob(key, FLUX, 3);
            settledJob(key, SCHNELL, 2);
            // a later cost rate does not change what these jobs cost: each keeps its rate version
            putRates(Map.of("cost_rate", "2.5"), 200);

            JsonPath report = given().auth().oauth2(Fixtures.financeToken())
                    .get("/admin/reports/usage?tenant_id=" + tenant + "&" + period(start)).then().statusCode(200)
                    .extract().jsonPath();
            BigDecimal revenue = new BigDecimal(report.getString("totals.revenue_cny"));
            BigDecimal costUsd = new BigDecimal(report.getString("totals.fal_cost_usd"));
            BigDecimal costCny = new BigDecimal(report.getString("totals.fal_cost_cny"));
            BigDecimal margin = new BigDecimal(report.getString("totals.margin_cny"));
            // 3 x 750 + 2 x 90 credits = 0.243 CNY; fal: 3 x 0.025 + 2 x 0.003 = 0.081 USD at 2.2 = 0.1782 CNY
            assertThat(revenue).isEqualByComparingTo("0.243");
            assertThat(costUsd).isEqualByComparingTo("0.081");
            assertThat(costCny).isEqualByComparingTo(costUsd.multiply(new BigDecimal("2.2")));
            // margin = revenue x (1 - 2.2/3), exactly: 3 x margin = revenue x 0.8
            assertThat(margin.multiply(BigDecimal.valueOf(3))).isEqualByComparingTo(revenue.multiply(new BigDecimal("0.8")));
            assertThat(margin).isEqualByComparingTo("0.0648");

            // the CSV and the statement say the same
            String csv = given().auth().oauth2(Fixtures.financeToken())
                    .get("/admin/reports/usage?format=csv&tenant_id=" + tenant + "&" + period(start)).then().statusCode(200)
                    .extract().asString();
            assertThat(csv).contains(",0.243000,0.081000,0.178200,0.064800,");
            JsonPath statement = given().auth().oauth2(Fixtures.financeToken())
                    .get("/admin/tenants/" + tenant + "/statement?" + period(start)).then().statusCode(200)
                    .extract().jsonPath();
            assertThat(statement.getString("usage.margin_cny")).isEqualTo("0.064800");
            assertThat(statement.getString("usage.fal_cost_cny")).isEqualTo("0.178200");
            assertThat(Fixtures.balance(tenant)).isEqualTo(100_000 - 2_250 - 180);
            Fixtures.assertBalanceEqualsLedgerSum(tenant);
        } finally {
            putRates(Map.of("cost_rate", previous), 200);
        }
    }

    @Test
    void reconciliationFindsUnderPricedRefundedUnknownAndUnbilledJobs() {
        Instant start = Instant.now();
        long tenant = tenant("reconcile", 100_000);
        String key = Fixtures.issueKey(tenant);
        try {
            // A: fal bills what the table says (2 x 0.025): in order, not listed
            String a = settledJob(key, FLUX, 2);
            // fal raises its price; the proxy's table still sells at 0.025
            sandbox.setFalPrice(FLUX, "megapixel", new BigDecimal("0.03"));
            // B: charged 750 credits, fal bills 0.03 USD = 900 credits at the sale price: under-priced by 150
            String b = settledJob(key, FLUX, 1);
            // C: a ghost: the submit timed out and was refunded, fal ran it and bills it
            String idem = "rec-ghost-" + System.nanoTime();
            Response late = given().header("Authorization", "Bearer " + key).header("Idempotency-Key", idem)
                    .contentType(ContentType.JSON).body("{\"prompt\":\"a fox [sandbox:submit-late] " + idem + "\",\"num_images\":1}")
                    .post("/" + FLUX);
            assertThat(late.statusCode()).isEqualTo(504);
            ReceivedSubmit queued = sandbox.lastSubmits(20).stream().filter(s -> s.body().contains(idem)).findFirst().orElseThrow();
            String c = queued.query().replaceAll(".*webhooks%2Ffal%2F([0-9a-f-]{36}).*", "$1");
            eventually(WAIT, () -> db.scalar("SELECT count(*) FROM jobs WHERE id = CAST(?1 AS uuid) AND ghost AND NOT ghost_pending",
                    c), n -> n == 1);
            // D: fal stops billing schnell: charged 90 credits, fal never bills it
            sandbox.setFalPrice(SCHNELL, "megapixel", null);
            String d = settledJob(key, SCHNELL, 1);
            // a request straight to fal with the operator's key: billed, unknown to the proxy
            String unknown = given().header("Authorization", "Key " + ProxyCalls.OPERATOR_KEY)
                    .contentType(ContentType.JSON).body("{\"prompt\":\"not through the proxy\"}")
                    .post(sandbox.baseUrl() + "/" + FLUX).then().statusCode(200).extract().path("request_id");
            eventually(WAIT, () -> given().header("Authorization", "Key " + ProxyCalls.OPERATOR_KEY)
                    .get(sandbox.baseUrl() + "/" + FLUX + "/requests/" + unknown + "/status").statusCode(), s -> s == 200);

            long ledgerBefore = ledgerRows();
            given().auth().oauth2(Fixtures.financeToken()).post("/admin/fal/billing-events/pull").then().statusCode(403);
            JsonPath pulled = given().auth().oauth2(Fixtures.adminToken()).post("/admin/fal/billing-events/pull")
                    .then().statusCode(200).extract().jsonPath();
            assertThat(pulled.getInt("events")).isGreaterThanOrEqualTo(4);
            assertThat(db.scalar("SELECT count(*) FROM fal_billing_events WHERE job_id IN (CAST(?1 AS uuid), CAST(?2 AS uuid), CAST(?3 AS uuid))",
                    a, b, c)).isEqualTo(3);
            // a second pull stores nothing twice
            given().auth().oauth2(Fixtures.adminToken()).post("/admin/fal/billing-events/pull").then().statusCode(200);
            assertThat(db.scalar("SELECT count(*) FROM fal_billing_events WHERE request_id = ?1", unknown)).isEqualTo(1);

            JsonPath r = given().auth().oauth2(Fixtures.financeToken()).get("/admin/reports/reconciliation?" + period(start))
                    .then().statusCode(200).extract().jsonPath();
            assertThat(r.getList("under_priced.job_id")).containsExactly(b);
            assertThat(r.getString("under_priced[0].fal_cost_usd")).isEqualTo("0.030000");
            assertThat(r.getString("under_priced[0].expected_fal_cost_usd")).isEqualTo("0.025000");
            assertThat(r.getLong("under_priced[0].credits_charged")).isEqualTo(750);
            assertThat(r.getLong("under_priced[0].fal_cost_credits")).isEqualTo(900);
            assertThat(r.getLong("under_priced[0].shortfall_credits")).isEqualTo(150);
            assertThat(r.getList("billed_but_refunded.job_id")).containsExactly(c);
            assertThat(r.getBoolean("billed_but_refunded[0].ghost")).isTrue();
            assertThat(r.getString("billed_but_refunded[0].fal_cost_usd")).isEqualTo("0.030000");
            assertThat(r.getList("billed_unknown.request_id")).containsExactly(unknown);
            assertThat(r.getString("billed_unknown[0].fal_cost_usd")).isEqualTo("0.030000");
            assertThat(r.getList("charged_not_billed.job_id")).containsExactly(d);
            assertThat(r.getLong("charged_not_billed[0].credits_charged")).isEqualTo(90);
            // expected: A 0.05 + B 0.025 + C 0.025 + D 0.003; fal billed: A 0.05 + B 0.03 + C 0.03 + unknown 0.03
            assertThat(r.getLong("totals.jobs")).isEqualTo(4);
            assertThat(r.getLong("totals.jobs_billed_by_fal")).isEqualTo(3);
            assertThat(r.getString("totals.expected_fal_cost_usd")).isEqualTo("0.103000");
            assertThat(r.getString("totals.actual_fal_cost_usd")).isEqualTo("0.140000");
            assertThat(r.getString("totals.difference_usd")).isEqualTo("0.037000");
            assertThat(r.getLong("totals.under_priced.count")).isEqualTo(1);
            assertThat(r.getLong("totals.under_priced.fal_cost_credits")).isEqualTo(900);
            assertThat(r.getString("totals.billed_unknown.fal_cost_usd")).isEqualTo("0.030000");
            assertThat(r.getString("events_fetched_through")).isNotNull();

            String csv = given().auth().oauth2(Fixtures.adminToken())
                    .get("/admin/reports/reconciliation?format=csv&" + period(start)).then().statusCode(200)
                    .header("Content-Disposition", equalTo("attachment; filename=\"reconciliation.csv\""))
                    .extract().asString();
            assertThat(csv).contains("under_priced," + b + ",").contains("billed_but_refunded," + c + ",")
                    .contains("billed_unknown,," + unknown + ",").contains("charged_not_billed," + d + ",")
                    .contains("period_actual_fal_cost,");

            // the usage report now takes fal's cost from fal's bill where it is known (D: its billable units)
            JsonPath usage = given().auth().oauth2(Fixtures.financeToken())
                    .get("/admin/reports/usage?tenant_id=" + tenant + "&" + period(start)).then().statusCode(200)
                    .extract().jsonPath();
            assertThat(usage.getString("totals.fal_cost_usd")).isEqualTo("0.113000");

            // reading fal's bill moved no money
            assertThat(ledgerRows()).isEqualTo(ledgerBefore);
            assertThat(Fixtures.balance(tenant)).isEqualTo(100_000 - 1_500 - 750 - 90);
            Fixtures.assertBalanceEqualsLedgerSum(tenant);
        } finally {
            sandbox.setFalPrice(FLUX, "megapixel", new BigDecimal("0.025"));
            sandbox.setFalPrice(SCHNELL, "megapixel", new BigDecimal("0.003"));
        }
    }

    @Test
    void priceSyncShowsTheDifferenceThenAppliesItAsNewVersions() {
        String kling = "fal-ai/kling-video/v2.1/standard/image-to-video";
        Map<String, Object> klingRow = given().auth().oauth2(Fixtures.adminToken()).get("/admin/models/" + kling)
                .then().statusCode(200).extract().jsonPath().getMap("$");
        try {
            sandbox.setFalPrice(FLUX, "megapixel", new BigDecimal("0.03"));
            sandbox.setFalPrice(kling, "video", new BigDecimal("0.25"));
            long versionsBefore = db.scalar("SELECT count(*) FROM model_price_versions WHERE model_id = ?1", FLUX);

            given().auth().oauth2(Fixtures.financeToken()).post("/admin/pricing/sync").then().statusCode(403);
            given().auth().oauth2(Fixtures.adminToken()).post("/admin/pricing/sync?apply=maybe").then().statusCode(422)
                    .body("error.code", equalTo("invalid_parameter"));
            JsonPath dry = given().auth().oauth2(Fixtures.adminToken()).post("/admin/pricing/sync").then().statusCode(200)
                    .extract().jsonPath();
            assertThat(dry.getBoolean("applied")).isFalse();
            Map<String, Object> flux = dry.getMap("changed.find { it.id == '" + FLUX + "' }");
            assertThat(flux).containsEntry("before_usd", "0.025").containsEntry("after_usd", "0.03")
                    .containsEntry("before_credits_per_unit", 750).containsEntry("after_credits_per_unit", 900);
            assertThat(dry.getList("unit_mismatch.id")).contains(kling);
            assertThat(dry.getList("changed.id")).doesNotContain(kling);
            // a dry run writes nothing
            given().auth().oauth2(Fixtures.financeToken()).get("/admin/models/" + FLUX).then().statusCode(200)
                    .body("usd_price", equalTo("0.025"));
            assertThat(db.scalar("SELECT count(*) FROM model_price_versions WHERE model_id = ?1", FLUX)).isEqualTo(versionsBefore);

            JsonPath applied = given().auth().oauth2(Fixtures.adminToken()).post("/admin/pricing/sync?apply=true")
                    .then().statusCode(200).extract().jsonPath();
            assertThat(applied.getBoolean("applied")).isTrue();
            assertThat(applied.getList("changed.id")).contains(FLUX);
            given().auth().oauth2(Fixtures.financeToken()).get("/admin/models/" + FLUX).then().statusCode(200)
                    .body("usd_price", equalTo("0.03"));
            given().auth().oauth2(Fixtures.financeToken()).get("/admin/models/" + kling).then().statusCode(200)
                    .body("usd_price", equalTo(klingRow.get("usd_price")));
            assertThat(db.scalar("SELECT count(*) FROM model_price_versions WHERE model_id = ?1", FLUX)).isEqualTo(versionsBefore + 1);
            assertThat(db.scalar("SELECT count(*) FROM audit_log WHERE action = 'model.sync' AND model_id = ?1", FLUX))
                    .isGreaterThanOrEqualTo(1);
            // the next submit is charged at fal's new price
            long tenant = tenant("synced", 10_000);
            String key = Fixtures.issueKey(tenant);
            assertThat(ProxyCalls.submit(key, FLUX, "{\"prompt\":\"x\"}").statusCode()).isEqualTo(200);
            assertThat(Fixtures.balance(tenant)).isEqualTo(10_000 - 900);
            Fixtures.assertBalanceEqualsLedgerSum(tenant);
            // nothing left to sync for flux
            JsonPath again = given().auth().oauth2(Fixtures.adminToken()).post("/admin/pricing/sync").then().statusCode(200)
                    .extract().jsonPath();
            assertThat(again.getList("changed.id")).doesNotContain(FLUX);
        } finally {
            sandbox.setFalPrice(FLUX, "megapixel", new BigDecimal("0.025"));
            sandbox.setFalPrice(kling, String.valueOf(klingRow.get("unit")), new BigDecimal(String.valueOf(klingRow.get("usd_price"))));
            given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of("usd_price", "0.025"))
                    .put("/admin/models/" + FLUX).then().statusCode(200);
        }
    }

    @Test
    void falBalanceIsReadExportedAndFlaggedWhenLow() {
        try {
            sandbox.setFalStartingBalance(new BigDecimal("1000"));
            JsonPath ok = given().auth().oauth2(Fixtures.financeToken()).get("/admin/fal/balance?refresh=true")
                    .then().statusCode(200).body("balance_usd", notNullValue()).extract().jsonPath();
            assertThat(new BigDecimal(ok.getString("balance_usd"))).isEqualByComparingTo(sandbox.falBalance());
            assertThat(ok.getBoolean("low")).isFalse();
            assertThat(ok.getString("low_balance_usd")).isEqualTo("5");

            sandbox.setFalStartingBalance(new BigDecimal("1.5"));
            JsonPath low = given().auth().oauth2(Fixtures.adminToken()).get("/admin/fal/balance?refresh=true")
                    .then().statusCode(200).extract().jsonPath();
            assertThat(low.getBoolean("low")).isTrue();
            assertThat(new BigDecimal(low.getString("balance_usd"))).isEqualByComparingTo(sandbox.falBalance());
            Gauge gauge = registry.find("creditproxy.fal.balance.usd").gauge();
            assertThat(gauge).isNotNull();
            assertThat(gauge.value()).isEqualTo(sandbox.falBalance().doubleValue());
            // the last reading is kept between reads
            given().auth().oauth2(Fixtures.financeToken()).get("/admin/fal/balance").then().statusCode(200)
                    .body("low", equalTo(true));
            given().get("/admin/fal/balance").then().statusCode(401);
            given().auth().oauth2(Fixtures.financeToken()).get("/admin/fal/balance?refresh=often").then().statusCode(422);
        } finally {
            sandbox.setFalStartingBalance(new BigDecimal("1000"));
            given().auth().oauth2(Fixtures.adminToken()).get("/admin/fal/balance?refresh=true").then().statusCode(200);
        }
    }

    @Test
    void badDatesAndBadRatesAreRefusedAndMoveNothing() {
        long ledger = ledgerRows();
        JsonPath before = rates();
        for (String bad : List.of("0", "-2.2", "1.123456789", "12345678901234")) {
            given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of("cost_rate", bad))
                    .put("/admin/pricing/rates").then().statusCode(422).body("error.code", equalTo("invalid_parameter"));
        }
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body("{\"cost_rate\":\"abc\"}")
                .put("/admin/pricing/rates").then().statusCode(400).body("error.code", notNullValue());
        given().auth().oauth2(Fixtures.financeToken()).contentType(ContentType.JSON).body(Map.of("cost_rate", "2"))
                .put("/admin/pricing/rates").then().statusCode(403);
        JsonPath after = rates();
        assertThat(after.getLong("version_id")).isEqualTo(before.getLong("version_id"));
        assertThat(after.getString("cost_rate")).isEqualTo(before.getString("cost_rate"));

        for (String q : List.of("from=2021-13-01", "from=yesterday", "from=2021-03-02&to=2021-03-01", "tz=Mars/Base",
                "format=xml")) {
            given().auth().oauth2(Fixtures.financeToken()).get("/admin/reports/reconciliation?" + q)
                    .then().statusCode(422).body("error.code", notNullValue()).body("error.message", notNullValue());
        }
        given().get("/admin/reports/reconciliation").then().statusCode(401);
        long t = Fixtures.createTenant("not-finance");
        given().header("Authorization", "Bearer " + Fixtures.issueKey(t)).get("/admin/reports/reconciliation")
                .then().statusCode(401);
        given().auth().oauth2(Fixtures.financeToken()).get("/admin/reports/reconciliation?from=2021-03-01&to=2021-04-01")
                .then().statusCode(200).body("totals.jobs", notNullValue());
        assertThat(ledgerRows()).isEqualTo(ledger);
    }
}
