package io.creditproxy.report;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.agroal.api.AgroalDataSource;
import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Usage report, statements and the tenants' views over jobs with known outcomes, seeded by SQL in March 2021
 * (a month no other test touches) across two tenants, three models and days in Asia/Shanghai, with jobs on
 * both sides of a Shanghai midnight that is not a UTC midnight. Every figure is checked exactly.
 */
@QuarkusTest
class FinanceReportTest {

    static final String FLUX = "fal-ai/flux-1/dev";
    static final String KLING = "fal-ai/kling-video/v1.6/standard/text-to-video";
    static final String PIXVERSE = "fal-ai/pixverse/v4.5/text-to-video";
    static final String NAME_A = "Acme 甲 Studio";
    static final String NAME_B = "=Beta, \"Studio\"";

    /** Seeded once per test JVM, whichever test runs first; no test changes it. */
    static Seeded seeded;

    record Seeded(long tenantA, long tenantB, String keyA, String keyB, UUID a1, UUID a8, UUID b1) {
    }

    @Inject
    AgroalDataSource dataSource;

    static OffsetDateTime sh(String localDateTime) {
        return OffsetDateTime.parse(localDateTime + "+08:00");
    }

    @BeforeEach
    void seed() throws Exception {
        synchronized (FinanceReportTest.class) {
            if (seeded == null) {
                seeded = seedMarch2021(new LedgerSeed(dataSource));
            }
        }
    }

    private static Seeded seedMarch2021(LedgerSeed db) throws Exception {
        long a = Fixtures.createTenant(NAME_A);
        long b = Fixtures.createTenant(NAME_B);
        String keyA = Fixtures.issueKey(a);
        String keyB = Fixtures.issueKey(b);
        long ka = db.keyId(a);
        long kb = db.keyId(b);

        db.entry(a, 100_000, "topup", null, "opening top-up", sh("2021-02-20T10:00:00"));
        // before the period (Shanghai): 1 second before March
        UUID a0 = db.job(a, ka, FLUX, "image", 1, "0.025", "1", "3", 750, "COMPLETED", 1, null, sh("2021-02-28T23:59:59"));
        db.entry(a, -750, "reserve", a0, null, sh("2021-02-28T23:59:59"));
        // 4 images reserved, 3 delivered: 1 released. Shanghai 1 March 23:30 = UTC 1 March 15:30
        UUID a1 = db.job(a, ka, FLUX, "image", 4, "0.025", "1", "3", 3000, "COMPLETED", 3, "3", sh("2021-03-01T23:30:00"));
        db.entry(a, -3000, "reserve", a1, null, sh("2021-03-01T23:30:00"));
        db.entry(a, 750, "release", a1, null, sh("2021-03-01T23:31:00"));
        db.settlement(a1, "posted", 3000, 2250, sh("2021-03-01T23:31:00"));
        // failed: Shanghai 2 March 00:30 = UTC 1 March 16:30 (the day differs by time zone)
        UUID a2 = db.job(a, ka, FLUX, "image", 1, "0.025", "1", "3", 750, "FAILED", null, null, sh("2021-03-02T00:30:00"));
        db.entry(a, -750, "reserve", a2, null, sh("2021-03-02T00:30:00"));
        db.entry(a, 750, "refund", a2, null, sh("2021-03-02T00:31:00"));
        db.settlement(a2, "voided", 750, 0, sh("2021-03-02T00:31:00"));
        // a 5 s video: 5 seconds x 0.045 USD
        UUID a3 = db.job(a, ka, KLING, "second", 5, "0.045", "1", "3", 6750, "COMPLETED", 1, null, sh("2021-03-02T10:00:00"));
        db.entry(a, -6750, "reserve", a3, null, sh("2021-03-02T10:00:00"));
        db.settlement(a3, "posted", 6750, 6750, sh("2021-03-02T10:01:00"));
        // 8 s at 720p = 2 clips x 4/3 x 0.3 USD = 0.8 USD, frozen at an exchange rate of 3.5 then in force
        UUID a4 = db.job(a, ka, PIXVERSE, "clip", 2, "0.3", "4/3", "3.5", 28000, "COMPLETED", 1, "2", sh("2021-03-02T11:00:00"));
        db.entry(a, -28000, "reserve", a4, null, sh("2021-03-02T11:00:00"));
        db.settlement(a4, "posted", 28000, 28000, sh("2021-03-02T11:01:00"));
        // fal refused the submit: refunded at once
        UUID a5 = db.job(a, ka, FLUX, "image", 2, "0.025", "1", "3", 1500, "REJECTED", null, null, sh("2021-03-02T12:00:00"));
        db.entry(a, -1500, "reserve", a5, null, sh("2021-03-02T12:00:00"));
        db.entry(a, 1500, "refund", a5, null, sh("2021-03-02T12:00:01"));
        // cancelled in the queue: voided
        UUID a6 = db.job(a, ka, FLUX, "image", 1, "0.025", "1", "3", 750, "CANCELLED", null, null, sh("2021-03-02T13:00:00"));
        db.entry(a, -750, "reserve", a6, null, sh("2021-03-02T13:00:00"));
        db.entry(a, 750, "refund", a6, null, sh("2021-03-02T13:05:00"));
        db.settlement(a6, "voided", 750, 0, sh("2021-03-02T13:05:00"));
        // still open: the hold is charged so far
        UUID a7 = db.job(a, ka, FLUX, "image", 1, "0.025", "1", "3", 750, "SUBMITTED", null, null, sh("2021-03-02T14:00:00"));
        db.entry(a, -750, "reserve", a7, null, sh("2021-03-02T14:00:00"));
        // unknown after retention: charge kept for review; fal may have billed 10 s
        UUID a8 = db.job(a, ka, KLING, "second", 10, "0.045", "1", "3", 13500, "EXPIRED", null, null, sh("2021-03-02T15:00:00"));
        db.entry(a, -13500, "reserve", a8, null, sh("2021-03-02T15:00:00"));
        db.settlement(a8, "kept_for_review", 13500, 13500, sh("2021-03-03T15:00:00"));
        db.entry(a, -1000, "adjustment", null, "=SUM(A1:A9) correction, \"manual\"", sh("2021-03-15T09:00:00"));
        db.entry(a, 5000, "topup", null, "April top-up", sh("2021-04-01T00:00:00"));

        db.entry(b, 10_000, "topup", null, "opening top-up", sh("2021-02-01T10:00:00"));
        // tenant B pays 1.2x: 2 images = 1500 credits at list price, 1800 charged
        UUID b1 = db.job(b, kb, FLUX, "image", 2, "0.025", "1", "3", 1800, "COMPLETED", 2, "2", sh("2021-03-01T12:00:00"));
        db.entry(b, -1800, "reserve", b1, null, sh("2021-03-01T12:00:00"));
        db.settlement(b1, "posted", 1800, 1800, sh("2021-03-01T12:01:00"));
        // Shanghai 1 April 00:00 is outside March there, but UTC 31 March 16:00
        UUID b2 = db.job(b, kb, FLUX, "image", 1, "0.025", "1", "3", 750, "COMPLETED", 1, null, sh("2021-04-01T00:00:00"));
        db.entry(b, -750, "reserve", b2, null, sh("2021-04-01T00:00:00"));
        db.settlement(b2, "posted", 750, 750, sh("2021-04-01T00:01:00"));
        return new Seeded(a, b, keyA, keyB, a1, a8, b1);
    }

    // ---- expected figures, in CSV column order (UsageFigures.COLUMNS) -----------------------------------------

    static final String A_FLUX_0301 = "1,1,0,0,0,0,0,0,3000,750,2250,0.225000,0.075000,0.225000,0.000000,3.000000,1";
    static final String A_FLUX_0302 = "4,0,2,1,0,1,0,1,3750,3000,750,0.075000,0.000000,0.000000,0.075000,0.000000,0";
    static final String A_KLING_0302 = "2,1,0,0,0,0,1,0,20250,0,20250,2.025000,0.675000,2.025000,0.000000,0.000000,0";
    static final String A_PIXVERSE_0302 = "1,1,0,0,0,0,0,0,28000,0,28000,2.800000,0.800000,2.800000,0.000000,2.000000,1";
    static final String B_FLUX_0301 = "1,1,0,0,0,0,0,0,1800,0,1800,0.180000,0.050000,0.150000,0.030000,2.000000,1";
    static final String TOTAL = "9,4,2,1,0,1,1,1,56800,3750,53050,5.305000,1.600000,5.200000,0.105000,7.000000,3";

    /** A tenant's figures: the tenant's columns of an admin figures string (no ghost count, no operator money). */
    static String tenantPart(String adminFigures) {
        List<String> all = List.of(adminFigures.split(","));
        List<String> out = new ArrayList<>();
        for (String column : TenantUsageReport.Figures.COLUMNS) {
            out.add(all.get(List.of(UsageFigures.COLUMNS).indexOf(column)));
        }
        return String.join(",", out);
    }

    static String tenantFigures(Map<String, Object> row) {
        assertThat(row).as("a tenant never sees the operator's figures")
                .doesNotContainKeys("revenue_cny", "fal_cost_usd", "fal_cost_cny", "margin_cny", "fal_billable_units",
                        "jobs_with_fal_billable_units", "jobs_ghost");
        List<String> cells = new ArrayList<>();
        for (String column : TenantUsageReport.Figures.COLUMNS) {
            cells.add(String.valueOf(row.get(column)));
        }
        return String.join(",", cells);
    }

    static String figures(Map<String, Object> row) {
        List<String> cells = new ArrayList<>();
        for (String column : UsageFigures.COLUMNS) {
            cells.add(String.valueOf(row.get(column)));
        }
        return String.join(",", cells);
    }

    static JsonPath report(String query) {
        return given().auth().oauth2(Fixtures.financeToken())
                .when().get("/admin/reports/usage?" + query)
                .then().statusCode(200).extract().jsonPath();
    }

    @Test
    void reportByTenantModelAndShanghaiDayHasEveryFigureExact() {
        JsonPath r = report("from=2021-03-01&to=2021-04-01&tz=Asia/Shanghai&group_by=tenant,model,day");
        assertThat(r.getString("from")).isEqualTo("2021-03-01T00:00+08:00");
        assertThat(r.getString("to")).isEqualTo("2021-04-01T00:00+08:00");
        assertThat(r.getList("group_by")).containsExactly("tenant", "model", "day");
        List<Map<String, Object>> rows = r.getList("rows");
        assertThat(rows).hasSize(5);
        assertRow(rows.get(0), seeded.tenantA(), NAME_A, FLUX, "2021-03-01", A_FLUX_0301);
        assertRow(rows.get(1), seeded.tenantA(), NAME_A, FLUX, "2021-03-02", A_FLUX_0302);
        assertRow(rows.get(2), seeded.tenantA(), NAME_A, KLING, "2021-03-02", A_KLING_0302);
        assertRow(rows.get(3), seeded.tenantA(), NAME_A, PIXVERSE, "2021-03-02", A_PIXVERSE_0302);
        assertRow(rows.get(4), seeded.tenantB(), NAME_B, FLUX, "2021-03-01", B_FLUX_0301);
        assertThat(figures(r.getMap("totals"))).isEqualTo(TOTAL);
        assertTotalsAreSumOfRows(r);
    }

    @Test
    void utcMovesJobsAcrossTheDayBoundaryAndThePeriodEdges() {
        JsonPath r = report("from=2021-03-01&to=2021-04-01&tz=UTC&group_by=day");
        List<Map<String, Object>> rows = r.getList("rows");
        assertThat(rows).extracting(row -> row.get("period")).containsExactly("2021-03-01", "2021-03-02", "2021-03-31");
        // UTC 1 March: A1, A2 (Shanghai 2 March 00:30) and B1; 31 March: B2 (Shanghai 1 April 00:00)
        assertThat(figures(rows.get(0))).isEqualTo("3,2,1,0,0,0,0,0,5550,1500,4050,0.405000,0.125000,0.375000,0.030000,5.000000,2");
        assertThat(figures(rows.get(1))).isEqualTo("6,2,1,1,0,1,1,1,51250,2250,49000,4.900000,1.475000,4.825000,0.075000,2.000000,1");
        assertThat(figures(rows.get(2))).isEqualTo("1,1,0,0,0,0,0,0,750,0,750,0.075000,0.025000,0.075000,0.000000,0.000000,0");
        assertTotalsAreSumOfRows(r);
    }

    @Test
    void monthAndNoGroupingAgreeWithTheDailyTotals() {
        JsonPath month = report("from=2021-03-01&to=2021-04-01&tz=Asia/Shanghai&group_by=month,tenant");
        List<Map<String, Object>> rows = month.getList("rows");
        assertThat(rows).extracting(row -> row.get("period")).containsExactly("2021-03", "2021-03");
        assertThat(figures(month.getMap("totals"))).isEqualTo(TOTAL);
        assertTotalsAreSumOfRows(month);
        JsonPath all = report("from=2021-03-01&to=2021-04-01&tz=Asia/Shanghai");
        assertThat(all.getList("rows")).hasSize(1);
        assertThat(figures(all.getMap("rows[0]"))).isEqualTo(TOTAL);
        JsonPath onlyB = report("from=2021-03-01&to=2021-04-01&tz=Asia/Shanghai&group_by=model&tenant_id=" + seeded.tenantB());
        assertThat(figures(onlyB.getMap("totals"))).isEqualTo(B_FLUX_0301);
        JsonPath onlyKling = report("from=2021-03-01&to=2021-04-01&tz=Asia/Shanghai&model=" + KLING);
        assertThat(figures(onlyKling.getMap("totals"))).isEqualTo(A_KLING_0302);
    }

    @Test
    void csvHoldsTheSameFiguresWithHeaderQuotingAndUtf8() throws Exception {
        byte[] body = given().auth().oauth2(Fixtures.adminToken())
                .when().get("/admin/reports/usage?from=2021-03-01&to=2021-04-01&tz=Asia/Shanghai&group_by=tenant,model,day&format=csv")
                .then().statusCode(200)
                .header("Content-Type", equalTo("text/csv; charset=UTF-8"))
                .header("Content-Disposition", equalTo("attachment; filename=\"usage.csv\""))
                .extract().asByteArray();
        String text = new String(body, StandardCharsets.UTF_8);
        assertThat(text).startsWith("\uFEFFtenant_id,tenant_name,model,period,jobs_submitted,");
        // RFC 4180 quoting of the comma and quotes, and the formula start neutralised
        assertThat(text).contains("\"'=Beta, \"\"Studio\"\"\"");
        assertThat(text).contains(NAME_A);
        List<CSVRecord> records = parse(text);
        assertThat(records).hasSize(6);
        assertCsvRow(records.get(0), seeded.tenantA() + "", NAME_A, FLUX, "2021-03-01", A_FLUX_0301);
        assertCsvRow(records.get(1), seeded.tenantA() + "", NAME_A, FLUX, "2021-03-02", A_FLUX_0302);
        assertCsvRow(records.get(2), seeded.tenantA() + "", NAME_A, KLING, "2021-03-02", A_KLING_0302);
        assertCsvRow(records.get(3), seeded.tenantA() + "", NAME_A, PIXVERSE, "2021-03-02", A_PIXVERSE_0302);
        assertCsvRow(records.get(4), seeded.tenantB() + "", "'" + NAME_B, FLUX, "2021-03-01", B_FLUX_0301);
        assertCsvRow(records.get(5), "TOTAL", "", "", "", TOTAL);
    }

    @Test
    void statementOpensClosesAndAddsUpInJsonAndCsv() throws Exception {
        JsonPath s = given().auth().oauth2(Fixtures.financeToken())
                .when().get("/admin/tenants/{id}/statement?from=2021-03-01&to=2021-04-01&tz=Asia/Shanghai", seeded.tenantA())
                .then().statusCode(200).extract().jsonPath();
        assertThat(s.getLong("opening_balance")).isEqualTo(99_250);
        assertThat(s.getLong("total_credits")).isEqualTo(-52_250);
        assertThat(s.getLong("closing_balance")).isEqualTo(47_000);
        List<Map<String, Object>> entries = s.getList("entries");
        assertThat(entries).hasSize(13);
        long sum = 0;
        for (Map<String, Object> e : entries) {
            sum += ((Number) e.get("amount")).longValue();
            // recorded balance_after follows the running sum from the opening balance
            assertThat(((Number) e.get("balance_after")).longValue()).isEqualTo(99_250 + sum);
        }
        assertThat(s.getLong("opening_balance") + sum).isEqualTo(s.getLong("closing_balance"));
        // the period's money, as the usage report's totals for the tenant (TOTAL minus B_FLUX_0301)
        assertThat(s.getString("usage.revenue_cny")).isEqualTo("5.125000");
        assertThat(s.getString("usage.fal_cost_cny")).isEqualTo("5.050000");
        assertThat(s.getString("usage.margin_cny")).isEqualTo("0.075000");
        assertThat(entries.get(0)).containsEntry("kind", "reserve").containsEntry("amount", -3000)
                .containsEntry("job_id", seeded.a1().toString()).containsEntry("model", FLUX)
                .containsEntry("created_at", "2021-03-01T23:30+08:00");
        assertThat(entries.get(12)).containsEntry("kind", "adjustment").containsEntry("amount", -1000);
        // after April's top-up the balance is the closing balance + 5000, and balance = Σ ledger
        assertThat(Fixtures.balance(seeded.tenantA())).isEqualTo(52_000);
        Fixtures.assertBalanceEqualsLedgerSum(seeded.tenantA());

        String csv = given().auth().oauth2(Fixtures.adminToken())
                .when().get("/admin/tenants/{id}/statement?from=2021-03-01&to=2021-04-01&tz=Asia/Shanghai&format=csv",
                        seeded.tenantA())
                .then().statusCode(200).header("Content-Type", equalTo("text/csv; charset=UTF-8"))
                .extract().asString();
        List<CSVRecord> records = parse(csv);
        assertThat(records).hasSize(18);
        assertThat(records.get(0).get("kind")).isEqualTo("opening_balance");
        assertThat(records.get(0).get("balance_after")).isEqualTo("99250");
        long csvSum = 0;
        for (CSVRecord r : records.subList(1, 14)) {
            csvSum += Long.parseLong(r.get("amount"));
        }
        CSVRecord closing = records.get(14);
        assertThat(closing.get("kind")).isEqualTo("closing_balance");
        assertThat(Long.parseLong(closing.get("amount"))).isEqualTo(csvSum);
        assertThat(99_250 + csvSum).isEqualTo(Long.parseLong(closing.get("balance_after"))).isEqualTo(47_000);
        assertThat(records.get(13).get("reason")).isEqualTo("'=SUM(A1:A9) correction, \"manual\"");
        assertThat(records.subList(15, 18)).extracting(r -> r.get("kind") + "=" + r.get("amount"))
                .containsExactly("revenue_cny=5.125000", "fal_cost_cny=5.050000", "margin_cny=0.075000");

        // an empty period: opening = closing, no entries
        given().auth().oauth2(Fixtures.adminToken())
                .when().get("/admin/tenants/{id}/statement?from=2021-03-20&to=2021-03-25&tz=Asia/Shanghai", seeded.tenantA())
                .then().statusCode(200)
                .body("opening_balance", equalTo(47_000)).body("closing_balance", equalTo(47_000))
                .body("entries.size()", equalTo(0));
    }

    @Test
    void tenantSeesItsOwnJobsWithStatesChargesAndLedgerEntries() {
        JsonPath page1 = given().auth().oauth2(seeded.keyA())
                .when().get("/v1/usage?from=2021-01-01&to=2021-05-01&limit=4")
                .then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> jobs = page1.getList("jobs");
        assertThat(jobs).hasSize(4);
        assertThat(jobs.get(0)).containsEntry("id", seeded.a8().toString()).containsEntry("status", "EXPIRED")
                .containsEntry("reserved", 13500).containsEntry("charged", 13500).containsEntry("refunded", 0);
        assertThat(page1.getMap("jobs[0].settlement")).containsEntry("outcome", "kept_for_review");
        List<Map<String, Object>> all = new ArrayList<>(jobs);
        String before = page1.getString("next_before");
        while (before != null) {
            JsonPath next = given().auth().oauth2(seeded.keyA())
                    .when().get("/v1/usage?from=2021-01-01&to=2021-05-01&limit=4&before=" + before)
                    .then().statusCode(200).extract().jsonPath();
            all.addAll(next.getList("jobs"));
            before = next.getString("next_before");
        }
        assertThat(all).hasSize(9).allSatisfy(j -> assertThat(j.get("tenant_id")).isEqualTo((int) seeded.tenantA()));
        Map<String, Object> a1 = all.stream().filter(j -> j.get("id").equals(seeded.a1().toString())).findFirst().orElseThrow();
        assertThat(a1).containsEntry("status", "COMPLETED").containsEntry("reserved", 3000).containsEntry("refunded", 750)
                .containsEntry("charged", 2250).containsEntry("delivered_units", 3).containsEntry("settled", true);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> ledger = (List<Map<String, Object>>) a1.get("ledger");
        assertThat(ledger).extracting(e -> e.get("kind") + ":" + e.get("amount")).containsExactly("reserve:-3000", "release:750");

        given().auth().oauth2(seeded.keyA()).when().get("/v1/usage/{id}", seeded.a1())
                .then().statusCode(200).body("settlement.outcome", equalTo("posted")).body("settlement.refunded", equalTo(750));

        // grouped: the report restricted to the caller, same figures as the admin's
        JsonPath grouped = given().auth().oauth2(seeded.keyA())
                .when().get("/v1/usage?from=2021-03-01&to=2021-04-01&tz=Asia/Shanghai&group_by=model,day")
                .then().statusCode(200).extract().jsonPath();
        assertThat(grouped.getList("rows")).hasSize(4);
        assertThat(grouped.getLong("tenant_id")).isEqualTo(seeded.tenantA());
        assertThat(tenantFigures(grouped.getMap("rows[0]"))).isEqualTo(tenantPart(A_FLUX_0301));
        assertThat(tenantFigures(grouped.getMap("totals")))
                .isEqualTo(tenantPart("8,3,2,1,0,1,1,1,55000,3750,51250,5.125000,1.550000,5.050000,0.075000,5.000000,2"));
        String csv = given().auth().oauth2(seeded.keyA())
                .when().get("/v1/usage?from=2021-03-01&to=2021-04-01&tz=Asia/Shanghai&group_by=model&format=csv")
                .then().statusCode(200).extract().asString();
        assertThat(csv.lines().findFirst().orElseThrow().replace("\uFEFF", "")).isEqualTo("model," + String.join(",", TenantUsageReport.Figures.COLUMNS));
        assertThat(csv).doesNotContain("margin").doesNotContain("fal_cost");

        // the tenant's statement
        given().header("Authorization", "Key " + seeded.keyA())
                .when().get("/v1/ledger?from=2021-03-01&to=2021-04-01&tz=Asia/Shanghai")
                .then().statusCode(200).body("opening_balance", equalTo(99_250)).body("closing_balance", equalTo(47_000))
                .body("entries.size()", equalTo(13));
    }

    @Test
    void aTenantNeverSeesAnotherTenantsData() {
        // B's list holds only B's jobs, also when paging from one of A's jobs
        List<Map<String, Object>> jobs = given().auth().oauth2(seeded.keyB())
                .when().get("/v1/usage?from=2021-01-01&to=2021-05-01")
                .then().statusCode(200).extract().jsonPath().getList("jobs");
        assertThat(jobs).extracting(j -> j.get("tenant_id")).containsOnly((int) seeded.tenantB()).hasSize(2);
        given().auth().oauth2(seeded.keyB()).when().get("/v1/usage?before=" + seeded.a8())
                .then().statusCode(200).body("jobs.size()", equalTo(0));
        given().auth().oauth2(seeded.keyB()).when().get("/v1/usage/{id}", seeded.a1())
                .then().statusCode(404).body("error.code", equalTo("unknown_job"));
        // the grouped view ignores any attempt to name another tenant
        JsonPath grouped = given().auth().oauth2(seeded.keyB())
                .when().get("/v1/usage?from=2021-03-01&to=2021-04-01&tz=Asia/Shanghai&group_by=tenant&tenant_id=" + seeded.tenantA())
                .then().statusCode(200).extract().jsonPath();
        assertThat(grouped.getList("rows")).hasSize(1);
        assertThat(grouped.getLong("rows[0].tenant_id")).isEqualTo(seeded.tenantB());
        assertThat(tenantFigures(grouped.getMap("totals"))).isEqualTo(tenantPart(B_FLUX_0301));
        given().auth().oauth2(seeded.keyB()).when().get("/v1/ledger?from=2021-03-01&to=2021-04-01&tz=Asia/Shanghai")
                .then().statusCode(200).body("tenant_id", equalTo((int) seeded.tenantB()))
                .body("entries.size()", equalTo(1)).body("entries[0].amount", equalTo(-1800));
    }

    @Test
    void adminJobListingFiltersAndShowsOneJob() {
        JsonPath list = given().auth().oauth2(Fixtures.financeToken())
                .when().get("/admin/jobs?tenant_id=" + seeded.tenantA() + "&status=completed&model=" + FLUX
                        + "&from=2021-03-01&to=2021-04-01&tz=Asia/Shanghai")
                .then().statusCode(200).extract().jsonPath();
        assertThat(list.getList("jobs.id")).containsExactly(seeded.a1().toString());
        given().auth().oauth2(Fixtures.adminToken()).when().get("/admin/jobs/{id}?tz=UTC", seeded.b1())
                .then().statusCode(200).body("tenant_id", equalTo((int) seeded.tenantB()))
                .body("created_at", equalTo("2021-03-01T04:00Z")).body("price_credits", equalTo(1800))
                .body("ledger[0].kind", equalTo("reserve")).body("settlement.outcome", equalTo("posted"));
        given().auth().oauth2(Fixtures.adminToken()).when().get("/admin/jobs/{id}", UUID.randomUUID())
                .then().statusCode(404);
    }

    @Test
    void badParametersAre422() {
        String t = Fixtures.financeToken();
        for (String q : List.of("group_by=week", "group_by=day,month", "tz=%2B08:00", "tz=Mars/Olympus", "from=2021-13-01",
                "from=2021-04-01&to=2021-03-01", "format=xlsx", "tenant_id=abc")) {
            given().auth().oauth2(t).when().get("/admin/reports/usage?" + q)
                    .then().statusCode(422).body("error.code", equalTo("invalid_parameter"));
        }
        given().auth().oauth2(t).when().get("/admin/jobs?status=DONE").then().statusCode(422);
        given().auth().oauth2(t).when().get("/admin/tenants/{id}/statement", 987654321).then().statusCode(404);
    }

    @Test
    void newEndpointsRefuseMissingWrongAndForeignCredentials() {
        List<String> adminPaths = List.of("/admin/reports/usage", "/admin/tenants/" + seeded.tenantA() + "/statement",
                "/admin/jobs", "/admin/jobs/" + seeded.a1());
        for (String path : adminPaths) {
            given().when().get(path).then().statusCode(401).body("error.code", equalTo("unauthorized"));
            // a tenant key is not an admin token
            given().auth().oauth2(seeded.keyA()).when().get(path).then().statusCode(401);
            given().auth().oauth2(Fixtures.token("someone", "guest")).when().get(path)
                    .then().statusCode(403).body("error.code", equalTo("forbidden"));
            given().auth().oauth2(Fixtures.financeToken()).when().get(path).then().statusCode(200);
        }
        for (String path : List.of("/v1/usage", "/v1/ledger", "/v1/usage/" + seeded.a1())) {
            given().when().get(path).then().statusCode(401).body("error.code", equalTo("unauthorized"));
            given().auth().oauth2("cp_not_a_real_key").when().get(path).then().statusCode(401);
            // an admin token is not a tenant key
            given().auth().oauth2(Fixtures.adminToken()).when().get(path).then().statusCode(401);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    static void assertRow(Map<String, Object> row, long tenant, String name, String model, String day, String figures) {
        assertThat(((Number) row.get("tenant_id")).longValue()).isEqualTo(tenant);
        assertThat(row).containsEntry("tenant_name", name).containsEntry("model", model).containsEntry("period", day);
        assertThat(figures(row)).isEqualTo(figures);
    }

    static void assertCsvRow(CSVRecord r, String tenant, String name, String model, String day, String figures) {
        assertThat(r.get("tenant_id")).isEqualTo(tenant);
        assertThat(r.get("tenant_name")).isEqualTo(name);
        assertThat(r.get("model")).isEqualTo(model);
        assertThat(r.get("period")).isEqualTo(day);
        List<String> cells = new ArrayList<>();
        for (String column : UsageFigures.COLUMNS) {
            cells.add(r.get(column));
        }
        assertThat(String.join(",", cells)).isEqualTo(figures);
    }

    /** The totals row equals the column sums of the rows, figure by figure. */
    static void assertTotalsAreSumOfRows(JsonPath r) {
        List<Map<String, Object>> rows = r.getList("rows");
        Map<String, Object> totals = r.getMap("totals");
        for (String column : UsageFigures.COLUMNS) {
            java.math.BigDecimal sum = java.math.BigDecimal.ZERO;
            for (Map<String, Object> row : rows) {
                sum = sum.add(new java.math.BigDecimal(String.valueOf(row.get(column))));
            }
            assertThat(new java.math.BigDecimal(String.valueOf(totals.get(column)))).as(column).isEqualByComparingTo(sum);
        }
    }

    static List<CSVRecord> parse(String text) throws Exception {
        String withoutBom = text.startsWith("\uFEFF") ? text.substring(1) : text;
        try (CSVParser parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(withoutBom))) {
            return parser.getRecords();
        }
    }
}
