package io.creditproxy.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.support.Fixtures;
import io.creditproxy.support.ProxyCalls;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.smallrye.jwt.build.Jwt;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The console end to end in headless Chromium against the running test application (random port): everything is
 * done by clicking and typing in the browser, and checked both on the page and through the API. The tenant's own
 * submit goes through the proxy over HTTP, as a tenant's client would send it.
 */
@QuarkusTest
class ConsoleBrowserTest {

    private static final String PASSWORD = "console-test-password-1";
    private static Browser browser;

    @TestHTTPResource("/")
    URL base;

    @BeforeAll
    static void startBrowser() throws IOException {
        browser = Browser.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @BeforeEach
    void freshTab() {
        browser.viewport(0, 0, false);
        browser.driver.get(base + "console/");
        browser.js("sessionStorage.clear()");
        browser.driver.navigate().refresh(); // the page forgets any session it held in memory
        browser.waitFor("#login-form");
        browser.consoleErrors(); // start each test with an empty browser log
    }

    @Test
    void adminRunsTheBusinessFromTheBrowser() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String admin = newUser("console-admin-" + suffix, "admin");
        String modelId = newModel("browser-test/" + suffix + "/image", "0.025");
        Browser b = browser;

        // ---- log in: the form validates before sending, shows the API's error, keeps the token out of the URL ----
        b.driver.get(base + "console/#/tenants");
        b.click("#login-form button[type=submit]");
        b.waitForText("#login-form", "Enter your user name.");
        b.type("#login-form input[name=username]", admin);
        b.type("#login-form input[name=password]", "wrong-password");
        b.click("#login-form button[type=submit]");
        b.waitForText("#login-form .form-error", "Invalid username or password.");
        b.type("#login-form input[name=password]", PASSWORD);
        b.click("#login-form button[type=submit]");
        b.waitForText("#who-role", "admin");
        String token = (String) b.js("return sessionStorage.getItem('credit-proxy.console.token')");
        assertThat(token).isNotBlank();
        assertThat(b.driver.getCurrentUrl()).doesNotContain(token);
        assertThat((String) b.js("return document.cookie")).isEmpty();
        assertThat(b.all("[data-write]")).as("admin sees edit controls").isNotEmpty();

        // ---- create a tenant ----
        String tenantName = "Console Studio " + suffix;
        b.click("#new-tenant-form button[type=submit]");
        b.waitForText("#new-tenant-form", "Give the tenant a name.");
        b.type("#new-tenant-form input[name=name]", tenantName);
        b.click("#new-tenant-form button[type=submit]");
        b.waitForText("#tenant-name", tenantName);
        long tenantId = Long.parseLong(b.driver.getCurrentUrl().replaceAll(".*#/tenants/", ""));

        // ---- top it up (validated first; one ledger entry per submit) ----
        b.type("#credit-form input[name=amount]", "12.5");
        b.type("#credit-form input[name=reason]", "first top-up");
        b.click("#credit-form button[type=submit]");
        b.waitForText("#credit-form", "A whole number of credits");
        b.type("#credit-form input[name=amount]", "100000");
        b.click("#credit-form button[type=submit]");
        b.waitForText("#credit-result", "balance now 100,000");
        b.waitForText("#tenant-balance", "100,000 credits");
        List<Map<String, Object>> ledger = Fixtures.ledger(tenantId);
        assertThat(ledger).hasSize(1);
        assertThat(ledger.get(0)).containsEntry("kind", "topup").containsEntry("reason", "first top-up")
                .containsEntry("created_by", admin);
        assertThat(((Number) ledger.get(0).get("amount")).longValue()).isEqualTo(100_000L);

        // an adjustment the API refuses (more than the balance): its message is shown, nothing moves
        new org.openqa.selenium.support.ui.Select(b.one("#credit-form select[name=kind]")).selectByValue("adjust");
        b.type("#credit-form input[name=amount]", "500000");
        b.type("#credit-form input[name=reason]", "too much");
        b.click("#credit-form button[type=submit]");
        b.waitFor("#credit-form .form-error");
        assertThat(b.one("#credit-form .form-error").getText()).contains("402");
        assertThat(Fixtures.balance(tenantId)).isEqualTo(100_000L);

        // ---- issue a key: shown once, with a copy button ----
        b.type("#issue-key-form input[name=key-name]", "browser key");
        b.click("#issue-key-form button[type=submit]");
        WebElement shown = b.waitFor("#new-key-value");
        String key = shown.getDomProperty("value");
        assertThat(key).isNotBlank();
        b.click("#copy-key");
        b.waitForText("#key-once", "shown only this once");
        assertThat(b.one("#keys-table").getText()).contains("browser key").contains(key.substring(0, 8));

        // ---- the tenant uses the key through the proxy; the job completes and is settled ----
        Response submit = ProxyCalls.submit(key, modelId, "{\"prompt\":\"a red fox in the snow\"}");
        assertThat(submit.statusCode()).as(submit.asString()).isEqualTo(200);
        String statusUrl = submit.jsonPath().getString("status_url");
        ProxyCalls.eventually(Duration.ofSeconds(30), () -> ProxyCalls.get(key, statusUrl).jsonPath().getString("status"),
                "COMPLETED"::equals);
        Map<String, Object> job = ProxyCalls.eventually(Duration.ofSeconds(30), () -> adminJob(tenantId),
                j -> Boolean.TRUE.equals(j.get("settled")));
        long price = ((Number) job.get("price_credits")).longValue();
        assertThat(price).isEqualTo(credits("0.025"));
        assertThat(((Number) job.get("charged")).longValue()).isEqualTo(price);

        // ---- the charge in the tenant's ledger and jobs, as the page shows them ----
        b.driver.navigate().refresh();
        b.waitForText("#tenant-balance", String.format("%,d credits", 100_000L - price));
        b.waitFor("#ledger-table tr[data-kind=reserve]");
        assertThat(b.one("#ledger-table tr[data-kind=reserve]").getDomAttribute("data-amount")).isEqualTo(String.valueOf(-price));
        // jobs and ledger load side by side: wait for the jobs table too
        b.waitForText("#jobs-table", "COMPLETED");
        assertThat(b.one("#jobs-table").getText()).contains(modelId).contains("COMPLETED");

        // ---- rotate the key (new one shown once), then revoke the new one ----
        b.click("#keys-table button[data-action=rotate]");
        b.type("#keys-table input[name=grace_seconds]", "60");
        b.click("#keys-table button[data-action=confirm-rotate]");
        String rotated = b.waitFor("#new-key-value").getDomProperty("value");
        assertThat(rotated).isNotBlank().isNotEqualTo(key);
        assertThat(b.one("#keys-table").getText()).contains("rotated to");
        given().header("Authorization", "Bearer " + rotated).when().get("/v1/account").then().statusCode(200);
        WebElement newKeyRow = b.all("#keys-table tbody tr").get(1);
        newKeyRow.findElement(By.cssSelector("button[data-action=revoke]")).click();
        b.click("#keys-table button[data-action=confirm-revoke]");
        b.wait.until(d -> b.one("#keys-table").getText().contains("revoked"));
        given().header("Authorization", "Bearer " + rotated).when().get("/v1/account").then().statusCode(401);

        // ---- reports: the charge in the chart, the breakdowns and the CSV ----
        ZoneId zone = ZoneId.of(ConfigProvider.getConfig().getValue("report.default-time-zone", String.class));
        LocalDate today = LocalDate.now(zone);
        b.click("#nav a[data-section=reports]");
        b.waitFor("#report-form");
        b.setValue("#report-form input[name=from]", today.minusDays(3).toString());
        b.setValue("#report-form input[name=to]", today.plusDays(2).toString());
        b.type("#report-form input[name=tenant_id]", String.valueOf(tenantId));
        b.click("#report-form button[type=submit]");
        b.waitFor("#usage-chart");
        b.waitForText("#by-tenant-table", tenantName);
        Object chartValue = b.js("const c = Chart.getChart(document.getElementById('usage-chart'));"
                + "return c.data.datasets[0].data[c.data.labels.indexOf(arguments[0])];", today.toString());
        assertThat(((Number) chartValue).longValue()).as("credits charged today in the chart").isEqualTo(price);
        assertThat(b.js("return Chart.getChart(document.getElementById('usage-chart')).data.datasets.map(d => d.label)"))
                .asString().contains("Credits charged", "Revenue (CNY)", "fal cost (CNY)", "Margin (CNY)");
        assertThat(b.one("[data-kpi=credits_charged]").getText()).contains(String.format("%,d", price));
        assertThat(b.one("#by-model-table").getText()).contains(modelId);
        // the reconciliation with fal's bill for the same period
        b.waitFor("#reconciliation-totals");
        assertThat(b.one("#reconciliation-totals").getText()).contains("Expected fal cost", "fal billed");
        b.screenshot(Path.of("docs/console-reports.png"));

        b.click("button[data-csv=tenant]");
        Path csv = b.wait.until(d -> downloaded("usage-by-tenant-"));
        String csvText = Files.readString(csv, StandardCharsets.UTF_8);
        String expectedCsv = given().auth().oauth2(Fixtures.adminToken())
                .queryParam("from", today.minusDays(3).toString()).queryParam("to", today.plusDays(2).toString())
                .queryParam("group_by", "tenant").queryParam("tenant_id", tenantId).queryParam("format", "csv")
                .when().get("/admin/reports/usage").then().statusCode(200).extract().asString();
        assertThat(csvText).isEqualTo(expectedCsv).contains(tenantName);

        // ---- change a price: validated, the change shown before saving, then in force ----
        b.click("#nav a[data-section=models]");
        String row = "#models-table tr[data-model='" + modelId + "']";
        b.waitFor(row);
        assertThat(b.one(row + " .credits").getText()).isEqualTo(String.format("%,d", price));
        b.click(row + " button[data-action=edit]");
        b.type("#model-form input[name=usd_price]", "-1");
        b.click("#model-form button[type=submit]");
        b.waitForText("#model-form", "A USD price greater than 0");
        b.type("#model-form input[name=usd_price]", "0.03");
        b.click("#model-form button[type=submit]");
        long newPrice = credits("0.03");
        b.waitForText("#review", "$0.03");
        assertThat(b.one("#review").getText()).contains("$0.025").contains(String.format("%,d", price))
                .contains(String.format("%,d", newPrice));
        assertThat(price(modelId)).as("nothing saved before Save").isEqualTo("0.025");
        b.click("#review button[data-action=save]");
        b.waitForText(row, "$0.03");
        assertThat(b.one(row + " .credits").getText()).isEqualTo(String.format("%,d", newPrice));
        assertThat(price(modelId)).isEqualTo("0.03");
        // the console's exact arithmetic agrees with what the proxy quotes the tenant
        long quoted = given().header("Authorization", "Bearer " + key).when().get("/v1/models").then().statusCode(200)
                .extract().jsonPath().getLong("models.find { it.id == '" + modelId + "' }.credits_per_unit");
        assertThat(quoted).isEqualTo(newPrice);

        // the exchange rate: validated, then the change and its effect on prices shown; cancelled here, since the
        // rates are shared by every test of this database
        assertThat(b.one("#cost-rate").getText()).contains("CNY paid per fal USD");
        String rate = b.one("#rates-form input[name=exchange_rate]").getDomProperty("value");
        b.type("#rates-form input[name=exchange_rate]", "abc");
        b.click("#rates-form button[type=submit]");
        b.waitForText("#rates-form", "A number greater than 0");
        b.type("#rates-form input[name=exchange_rate]", "7.2");
        b.click("#rates-form button[type=submit]");
        b.waitForText("#review", "7.2");
        assertThat(b.one("#review").getText()).contains("exchange rate");
        b.click("#review button[data-action=cancel]");
        b.waitGone("#review");
        assertThat(given().auth().oauth2(Fixtures.adminToken()).when().get("/admin/pricing/rates")
                .then().extract().jsonPath().getString("exchange_rate")).isEqualTo(rate);

        // disable it: shown first, then saved
        b.click(row + " button[data-action=disable]");
        b.waitForText("#review", "after saving");
        b.click("#review button[data-action=save]");
        b.wait.until(d -> "false".equals(b.one(row).getDomAttribute("data-enabled")));
        assertThat(ProxyCalls.submit(key, modelId, "{}").statusCode()).isEqualTo(404);

        // ---- the audit log shows who changed what ----
        b.click("#nav a[data-section=audit]");
        b.type("#audit-filter input[name=model]", modelId);
        b.click("#audit-filter button[type=submit]");
        b.waitForText("#audit-table", admin);
        assertThat(b.all("#audit-table tr[data-audit-action='model.update']")).hasSizeGreaterThanOrEqualTo(2);

        // the whole session ran without a script error or a content-security-policy violation (the API's refusals
        // above, 401 and 402, are logged by the browser as failed loads and are expected)
        List<String> errors = b.consoleErrors();
        assertThat(errors).as("the log is read: the wrong password's 401 is there").anyMatch(m -> m.contains("status of 401"));
        assertThat(errors).allMatch(m -> m.contains("status of 401") || m.contains("status of 402"), "only the expected refusals");

        // ---- log out: back to the login page, nothing kept ----
        b.click("#logout");
        b.waitFor("#login-form");
        assertThat(b.js("return sessionStorage.getItem('credit-proxy.console.token')")).isNull();
    }

    @Test
    void financeSeesEverythingButNoEditControls() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String finance = newUser("console-finance-" + suffix, "finance");
        long tenantId = Fixtures.createTenant("Finance View " + suffix);
        Fixtures.topUp(tenantId, 4_321);
        Fixtures.issueKey(tenantId);
        Browser b = browser;

        b.login(base.toString(), finance, PASSWORD);
        assertThat(b.one("#who-role").getText()).isEqualTo("finance");
        b.waitFor("#tenants-table");
        assertNoEditControls("tenants");

        b.driver.get(base + "console/#/tenants/" + tenantId);
        b.waitForText("#tenant-balance", "4,321 credits");
        b.waitFor("#ledger-table tr[data-kind=topup]");
        b.waitFor("#keys-table tr[data-key-id]");
        assertNoEditControls("tenant");
        assertThat(b.all("#credit-form, #issue-key-form, #key-once")).isEmpty();

        b.click("#nav a[data-section=models]");
        b.waitFor("#models-table tr[data-model]");
        b.waitFor("#exchange-rate");
        assertNoEditControls("models");

        b.click("#nav a[data-section=reports]");
        b.waitFor("#usage-chart");
        assertNoEditControls("reports");
        assertThat(b.all("button[data-csv]")).as("finance may download the CSVs (usage by day, model, tenant; reconciliation)").hasSize(4);

        b.click("#nav a[data-section=audit]");
        b.waitFor("#audit-table");
        assertNoEditControls("audit");

        // and the API refuses a change anyway
        given().auth().oauth2(Fixtures.financeToken()).contentType(ContentType.JSON)
                .body(Map.of("amount", 1, "reason", "no")).when().post("/admin/tenants/{id}/credits", tenantId)
                .then().statusCode(403);
    }

    @Test
    void anExpiredOrRefusedSessionGoesBackToLogin() {
        long tenantId = Fixtures.createTenant("Expiry " + UUID.randomUUID());
        Browser b = browser;

        // a token already past its expiry is dropped on load
        String expired = Jwt.issuer("credit-proxy").upn("someone").groups("admin").expiresAt(1_000_000L).sign();
        b.js("sessionStorage.setItem('credit-proxy.console.token', arguments[0])", expired);
        b.driver.get(base + "console/#/tenants/" + tenantId);
        b.driver.navigate().refresh();
        b.waitForText("#login-notice", "expired");

        // a token the browser thinks valid but the server refuses (wrong signature): the 401 ends the session
        String valid = Fixtures.adminToken();
        String[] parts = valid.split("\\.");
        String forged = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
        b.js("sessionStorage.setItem('credit-proxy.console.token', arguments[0])", forged);
        b.driver.navigate().refresh();
        b.waitForText("#login-notice", "expired");
        assertThat(b.js("return sessionStorage.getItem('credit-proxy.console.token')")).isNull();

        // a session whose token runs out while the page is open returns to the login page by itself
        String shortLived = Fixtures.tokenClaims("brief", "admin").expiresIn(3).sign();
        b.js("sessionStorage.setItem('credit-proxy.console.token', arguments[0])", shortLived);
        b.driver.navigate().refresh();
        b.waitForText("#tenant-name", "Expiry ");
        b.waitForText("#login-notice", "expired");
        assertThat(b.driver.getCurrentUrl()).doesNotContain(shortLived);
    }

    @Test
    void everyPageFitsAPhoneAndA1280pxScreen() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String admin = newUser("console-phone-" + suffix, "admin");
        long tenantId = Fixtures.createTenant("A tenant with a rather long name to wrap on a phone " + suffix);
        Fixtures.topUp(tenantId, 1_000_000);
        Fixtures.issueKey(tenantId);
        Browser b = browser;
        b.login(base.toString(), admin, PASSWORD);
        for (int[] size : new int[][] {{375, 812}, {1280, 900}}) {
            b.viewport(size[0], size[1], size[0] < 500);
            for (String[] page : new String[][] {{"#/tenants", "#tenants-table"}, {"#/tenants/" + tenantId, "#ledger-table"},
                    {"#/models", "#models-table"}, {"#/reports", "#usage-chart"}, {"#/audit", "#audit-table"}}) {
                b.driver.get(base + "console/" + page[0]);
                b.waitFor(page[1]);
                long pageWidth = ((Number) b.js("return document.documentElement.scrollWidth")).longValue();
                assertThat(pageWidth).as("page %s at %d px must not scroll sideways", page[0], size[0])
                        .isLessThanOrEqualTo(size[0]);
                assertThat(b.one("#nav").isDisplayed()).isTrue();
            }
        }
        b.viewport(375, 812, true);
        b.driver.get(base + "console/#/tenants/" + tenantId);
        b.waitFor("#ledger-table");
        browser.screenshotTo(Path.of("target", "console-tenant-phone.png"));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** No write control of any kind: no [data-write] element and none of the write buttons' labels. */
    private void assertNoEditControls(String page) {
        assertThat(browser.all("[data-write]")).as("edit controls on the %s page", page).isEmpty();
        String buttons = browser.all("main button").stream().map(WebElement::getText).reduce("", (a, c) -> a + "|" + c);
        assertThat(buttons).as("buttons on the %s page", page)
                .doesNotContain("Create tenant", "Apply", "Issue key", "Revoke", "Rotate", "Edit", "Disable", "Enable",
                        "Save", "Review change");
    }

    private String newUser(String username, String role) {
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", PASSWORD, "role", role))
                .when().post("/admin/users").then().statusCode(201);
        return username;
    }

    private static String newModel(String id, String usdPrice) {
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("unit", "image", "usd_price", usdPrice, "quantity_param", "num_images",
                        "default_quantity", 1, "min_quantity", 1, "max_quantity", 4, "enabled", true))
                .when().put("/admin/models/" + id).then().statusCode(200);
        return id;
    }

    private static String price(String modelId) {
        return given().auth().oauth2(Fixtures.adminToken()).when().get("/admin/models/" + modelId)
                .then().statusCode(200).extract().path("usd_price");
    }

    /** One image at the rates in force, as the server computes it: ceil(usd x exchange rate x credits per CNY). */
    private static long credits(String usd) {
        JsonPath rates = given().auth().oauth2(Fixtures.adminToken()).when().get("/admin/pricing/rates")
                .then().statusCode(200).extract().jsonPath();
        return new BigDecimal(usd).multiply(new BigDecimal(rates.getString("exchange_rate")))
                .multiply(new BigDecimal(rates.getString("credits_per_cny")))
                .setScale(0, RoundingMode.CEILING).longValueExact();
    }

    private static Map<String, Object> adminJob(long tenantId) {
        List<Map<String, Object>> jobs = given().auth().oauth2(Fixtures.adminToken()).queryParam("tenant_id", tenantId)
                .when().get("/admin/jobs").then().statusCode(200).extract().jsonPath().getList("jobs");
        assertThat(jobs).hasSize(1);
        return jobs.get(0);
    }

    private Path downloaded(String prefix) {
        try (Stream<Path> files = Files.list(browser.downloads)) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix) && p.toString().endsWith(".csv"))
                    .findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }
}
