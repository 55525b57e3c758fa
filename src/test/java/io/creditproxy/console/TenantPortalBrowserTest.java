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
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The tenant portal end to end in headless Chromium: a tenant user (made through the admin API) logs in, creates a
 * key with a quota in a price group, the key is used through the proxy against the sandbox fal, and the page shows
 * the charge, the quota's remaining, the job and the ledger, all checked against the API and the database too. A
 * tenant user never sees another tenant's data nor an admin page, and its token is refused by the admin API.
 */
@QuarkusTest
class TenantPortalBrowserTest {

    private static final String PASSWORD = "portal-test-passphrase-1";
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
        browser.driver.navigate().refresh();
        browser.waitFor("#login-form");
        browser.consoleErrors(); // start with an empty browser log
    }

    @Test
    void aTenantUserRunsItsKeysAndSeesItsOwnAccountOnly() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String group = "portal-" + suffix;
        String modelId = "portal-test/" + suffix + "/image";
        adminPut("/admin/groups/" + group, Map.of("price_multiplier", "1.5", "description", "the faster lane"), 201);
        adminPut("/admin/models/" + modelId, Map.of("unit", "image", "usd_price", "0.025", "quantity_param", "num_images",
                "default_quantity", 1, "min_quantity", 1, "max_quantity", 4, "enabled", true), 200);
        long price = credits("0.025", "1.5");

        // this tenant, in the group, with a user
        String tenantName = "Portal Studio " + suffix;
        long tenant = Fixtures.createTenant(tenantName);
        Fixtures.topUp(tenant, 100_000);
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("allowed_groups", List.of(group))).when().patch("/admin/tenants/{id}", tenant)
                .then().statusCode(200);
        String user = "portal-" + suffix;
        createUser(tenant, user);

        // another tenant, with its own user, key, and a balance that must never show up
        String otherName = "Other Tenant " + suffix;
        long other = Fixtures.createTenant(otherName);
        Fixtures.topUp(other, 55_555);
        createUser(other, "other-" + suffix);
        String otherToken = login("other-" + suffix);
        long otherKeyId = ((Number) as(otherToken).body(Map.of("name", "other secret key " + suffix))
                .when().post("/v1/keys").then().statusCode(201).extract().path("id")).longValue();

        // ---- log in: a #/portal link preselects "Tenant"; POST /v1/login; the operator's pages are hidden ----
        Browser b = browser;
        b.driver.get(base + "console/#/portal");
        b.driver.navigate().refresh();
        b.waitFor("#login-form");
        assertThat(b.one("#login-form input[value=tenant]").isSelected()).isTrue();
        b.type("#login-form input[name=username]", user);
        b.type("#login-form input[name=password]", "wrong-password-1");
        b.click("#login-form button[type=submit]");
        b.waitForText("#login-form .form-error", "401");
        b.type("#login-form input[name=password]", PASSWORD);
        b.click("#login-form button[type=submit]");
        b.waitForText("#who-role", "tenant");
        assertThat(b.one("#who-name").getText()).isEqualTo(user);
        String token = (String) b.js("return sessionStorage.getItem('credit-proxy.console.token')");
        assertThat(token).isNotBlank();
        for (WebElement a : b.all("#nav a[data-side=operator]")) {
            assertThat(a.isDisplayed()).as("admin link %s hidden", a.getDomAttribute("href")).isFalse();
        }
        assertThat(b.all("#nav a[data-side=tenant]")).hasSize(4).allMatch(WebElement::isDisplayed);
        assertThat(b.one("#fal-balance").isDisplayed()).isFalse();

        // ---- account: balance / held / available, the groups, the prices in a group ----
        b.waitForText("#account-kpis [data-kpi=balance]", "100,000 credits");
        assertThat(b.one("#account-kpis [data-kpi=held]").getText()).contains("0 credits");
        assertThat(b.one("#account-kpis [data-kpi=available]").getText()).contains("100,000 credits");
        assertThat(b.one("#account-name").getText()).isEqualTo(tenantName);
        b.waitFor("#groups-table tr[data-group='" + group + "']");
        assertThat(b.one("#groups-table tr[data-group='" + group + "']").getText()).contains("× 1.5", "the faster lane");
        b.waitFor("#prices-table tr[data-model='" + modelId + "']");
        assertThat(b.one("#prices-table tr[data-model='" + modelId + "']").getText())
                .contains(String.format("%,d", credits("0.025", "1")));
        new Select(b.one("#main select[name=group]")).selectByValue(group);
        b.waitForText("#prices-table tr[data-model='" + modelId + "']", String.format("%,d", price));

        // ---- create a key in the group with a quota for three images: shown once, with a copy button ----
        long quota = 3 * price;
        b.click("#nav a[data-section=portal-keys]");
        b.waitFor("#create-key-form");
        b.type("#create-key-form input[name=credit_quota]", "lots");
        b.click("#create-key-form button[type=submit]");
        b.waitForText("#create-key-form", "Name the key");
        assertThat(b.one("#create-key-form").getText()).contains("A whole number of credits");
        b.type("#create-key-form input[name=key-name]", "portal key");
        new Select(b.one("#create-key-form select[name=group]")).selectByValue(group);
        b.type("#create-key-form input[name=credit_quota]", String.valueOf(quota));
        b.click("#create-key-form button[type=submit]");
        String key = b.waitFor("#new-key-value").getDomProperty("value");
        assertThat(key).isNotBlank();
        b.click("#copy-key");
        b.waitForText("#key-once", "shown only this once");
        WebElement row = b.waitFor("#keys-table tr[data-key-id]");
        long keyId = Long.parseLong(row.getDomAttribute("data-key-id"));
        assertThat(row.getText()).contains("portal key", group, String.format("%,d", quota));
        assertThat(given().header("Authorization", "Bearer " + key).when().get("/v1/key").then().statusCode(200)
                .extract().jsonPath().getString("group")).isEqualTo(group);

        // ---- the key is used through the proxy (the sandbox fal); the job completes and is settled ----
        Response submit = ProxyCalls.submit(key, modelId, "{\"prompt\":\"a lighthouse at dusk\"}");
        assertThat(submit.statusCode()).as(submit.asString()).isEqualTo(200);
        String requestId = submit.jsonPath().getString("request_id");
        String statusUrl = submit.jsonPath().getString("status_url");
        ProxyCalls.eventually(Duration.ofSeconds(30), () -> ProxyCalls.get(key, statusUrl).jsonPath().getString("status"),
                "COMPLETED"::equals);
        Map<String, Object> job = ProxyCalls.eventually(Duration.ofSeconds(30),
                () -> as(token).when().get("/v1/usage").then().statusCode(200).extract().jsonPath().<Map<String, Object>>getList("jobs").get(0),
                j -> Boolean.TRUE.equals(j.get("settled")));
        assertThat(((Number) job.get("charged")).longValue()).isEqualTo(price);
        // money: the balance and the ledger moved by the price, the key's quota by the same
        assertThat(Fixtures.balance(tenant)).isEqualTo(100_000L - price);
        List<Map<String, Object>> ledger = Fixtures.ledger(tenant);
        assertThat(ledger.stream().mapToLong(e -> ((Number) e.get("amount")).longValue()).sum()).isEqualTo(100_000L - price);
        assertThat(ledger).anyMatch(e -> "reserve".equals(e.get("kind")) && ((Number) e.get("amount")).longValue() == -price);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
        assertThat(as(token).when().get("/v1/keys/{id}", keyId).then().statusCode(200).extract().jsonPath()
                .getLong("credits_remaining")).isEqualTo(quota - price);

        // ---- the keys page: used and remaining ----
        b.driver.navigate().refresh();
        b.waitFor("#keys-table tr[data-key-id='" + keyId + "'] [data-remaining]");
        assertThat(b.one("#keys-table tr[data-key-id='" + keyId + "'] [data-remaining]").getDomAttribute("data-remaining"))
                .isEqualTo(String.valueOf(quota - price));

        // ---- usage: the chart (by day and model), the totals, the job with its charge and result path ----
        ZoneId zone = ZoneId.of(ConfigProvider.getConfig().getValue("report.default-time-zone", String.class));
        LocalDate today = LocalDate.now(zone);
        b.click("#nav a[data-section=portal-usage]");
        b.waitFor("#usage-form");
        b.setValue("#usage-form input[name=from]", today.minusDays(6).toString());
        b.setValue("#usage-form input[name=to]", today.plusDays(1).toString());
        b.click("#usage-form button[type=submit]");
        b.waitForText("#usage-table", modelId);
        b.waitForText("#jobs-table", "COMPLETED");
        Object charted = b.js("const c = Chart.getChart(document.getElementById('tenant-usage-chart'));"
                + "const d = c.data.datasets.find(s => s.label === arguments[0]);"
                + "return d.data[c.data.labels.indexOf(arguments[1])];", modelId, today.toString());
        assertThat(((Number) charted).longValue()).as("credits charged today for the model in the chart").isEqualTo(price);
        assertThat(b.one("#usage-totals [data-kpi=credits_charged]").getText()).contains(String.format("%,d", price));
        WebElement jobRow = b.one("#jobs-table tr[data-job-id='" + job.get("id") + "']");
        assertThat(jobRow.getDomAttribute("data-status")).isEqualTo("COMPLETED");
        assertThat(jobRow.findElement(By.cssSelector("[data-charged]")).getDomAttribute("data-charged")).isEqualTo(String.valueOf(price));
        assertThat(jobRow.findElement(By.cssSelector(".result-link")).getText()).isEqualTo("/" + modelId + "/requests/" + requestId);
        // the result path on the page is the one the key reads the result from
        ProxyCalls.get(key, "/" + modelId + "/requests/" + requestId).then().statusCode(200);
        b.screenshot(Path.of("docs/tenant-portal.png"));

        // ---- ledger: the statement with the reservation ----
        b.click("#nav a[data-section=portal-ledger]");
        b.waitFor("#ledger-table tr[data-kind=reserve]");
        assertThat(b.one("#ledger-table tr[data-kind=reserve]").getDomAttribute("data-amount")).isEqualTo(String.valueOf(-price));
        assertThat(b.one("#statement-totals [data-kpi=closing_balance]").getText()).contains(String.format("%,d", 100_000L - price));

        // ---- edit the quota: below what is used is refused (and shown), down to what is used leaves 0 ----
        b.click("#nav a[data-section=portal-keys]");
        String keyRow = "#keys-table tr[data-key-id='" + keyId + "']";
        b.click(keyRow + " button[data-action=edit-quota]");
        b.type(keyRow + " input[name=credit_quota]", String.valueOf(price - 1));
        b.click(keyRow + " button[data-action=confirm-quota]");
        b.waitForText(keyRow + " .form-error", "quota_below_used");
        assertThat(as(token).when().get("/v1/keys/{id}", keyId).then().extract().jsonPath().getLong("credit_quota")).isEqualTo(quota);
        b.type(keyRow + " input[name=credit_quota]", String.valueOf(price));
        b.click(keyRow + " button[data-action=confirm-quota]");
        b.wait.until(d -> "0".equals(b.one(keyRow + " [data-remaining]").getDomAttribute("data-remaining")));
        Response refused = ProxyCalls.submit(key, modelId, "{\"prompt\":\"one more\"}");
        assertThat(refused.statusCode()).isEqualTo(402);
        assertThat(refused.jsonPath().getString("error.code")).isEqualTo("key_quota_exceeded");
        assertThat(Fixtures.balance(tenant)).as("a refused submit moves no credit").isEqualTo(100_000L - price);
        assertThat(Fixtures.ledger(tenant)).hasSize(ledger.size());

        // ---- rotate (the new key shown once), then revoke the new one ----
        b.click(keyRow + " button[data-action=rotate]");
        b.type(keyRow + " input[name=grace_seconds]", "60");
        b.click(keyRow + " button[data-action=confirm-rotate]");
        String rotated = b.waitFor("#new-key-value").getDomProperty("value");
        assertThat(rotated).isNotBlank().isNotEqualTo(key);
        b.waitForText(keyRow, "rotated to");
        given().header("Authorization", "Bearer " + rotated).when().get("/v1/key").then().statusCode(200);
        WebElement newRow = b.wait.until(d -> b.all("#keys-table tr[data-key-id]").stream()
                .filter(r -> !String.valueOf(keyId).equals(r.getDomAttribute("data-key-id"))).findFirst().orElse(null));
        long newKeyId = Long.parseLong(newRow.getDomAttribute("data-key-id"));
        String newRowCss = "#keys-table tr[data-key-id='" + newKeyId + "']";
        b.click(newRowCss + " button[data-action=revoke]");
        b.click(newRowCss + " button[data-action=confirm-revoke]");
        b.waitForText(newRowCss, "revoked");
        given().header("Authorization", "Bearer " + rotated).when().get("/v1/key").then().statusCode(401);

        // ---- never another tenant's data, never an admin page ----
        for (String section : List.of("portal", "portal-keys", "portal-usage", "portal-ledger")) {
            b.click("#nav a[data-section=" + section + "]");
            b.waitFor(".page[data-page=" + section + "]");
            b.wait.until(d -> b.all("#main p.muted").stream().noneMatch(p -> p.getText().equals("Loading…")));
            assertThat(b.one("#main").getText()).doesNotContain(otherName, "other secret key", "55,555");
        }
        for (String adminPage : List.of("#/tenants", "#/tenants/" + other, "#/reports", "#/audit", "#/models")) {
            b.driver.get(base + "console/" + adminPage);
            b.wait.until(d -> d.getCurrentUrl().endsWith("#/portal"));
            b.waitFor("#account-kpis");
            assertThat(b.all("#tenants-table, #tenant-name, #report-form, #audit-table, #models-table")).isEmpty();
        }
        // the admin API answers the tenant's token 403, whatever it asks
        for (String path : List.of("/admin/tenants", "/admin/tenants/" + other, "/admin/tenants/" + tenant,
                "/admin/tenants/" + other + "/ledger", "/admin/jobs", "/admin/reports/usage", "/admin/audit", "/admin/fal/balance")) {
            as(token).when().get(path).then().statusCode(403);
        }
        as(token).body(Map.of("amount", 1_000, "reason", "self top-up")).header("Idempotency-Key", UUID.randomUUID().toString())
                .when().post("/admin/tenants/{id}/credits", tenant).then().statusCode(403);
        assertThat(Fixtures.balance(tenant)).isEqualTo(100_000L - price);
        // the other tenant's key is unknown to this one, exactly like a key that does not exist
        as(token).when().get("/v1/keys/{id}", otherKeyId).then().statusCode(404);
        as(token).body(Map.of("credit_quota", 1)).when().patch("/v1/keys/{id}", otherKeyId).then().statusCode(404);
        assertThat(as(token).when().get("/v1/keys").then().statusCode(200).extract().jsonPath().getList("keys.id", Long.class))
                .containsExactlyInAnyOrder(keyId, newKeyId)
                .doesNotContain(otherKeyId);

        // the whole session ran without a script error or a CSP violation; the refusals asked for above (the wrong
        // password's 401, the quota below what is used's 422) are the only failed loads in the browser's log
        List<String> errors = b.consoleErrors();
        assertThat(errors).anyMatch(m -> m.contains("status of 422"));
        assertThat(errors).allMatch(m -> m.contains("status of 401") || m.contains("status of 422"), "only the expected refusals");

        b.click("#logout");
        b.waitFor("#login-form");
        assertThat(b.js("return sessionStorage.getItem('credit-proxy.console.token')")).isNull();
    }

    @Test
    void theLoginIsTheChosenSideAndThePortalFitsAPhone() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        long tenant = Fixtures.createTenant("A tenant with a rather long name to wrap on a phone " + suffix);
        Fixtures.topUp(tenant, 1_000_000);
        String user = "phone-" + suffix;
        createUser(tenant, user);
        as(login(user)).body(Map.of("name", "a key with a long name to wrap on a phone " + suffix, "credit_quota", 5_000))
                .when().post("/v1/keys").then().statusCode(201);
        Browser b = browser;

        // a tenant user's account is not an operator account: "Operator" (the default) calls /admin/login and fails
        b.driver.get(base + "console/");
        b.waitFor("#login-form");
        assertThat(b.one("#login-form input[value=operator]").isSelected()).isTrue();
        b.type("#login-form input[name=username]", user);
        b.type("#login-form input[name=password]", PASSWORD);
        b.click("#login-form button[type=submit]");
        b.waitForText("#login-form .form-error", "401");
        b.click("#login-form input[value=tenant]");
        b.waitForText("#login-hint", "Tenant users");
        b.type("#login-form input[name=password]", PASSWORD);
        b.click("#login-form button[type=submit]");
        b.waitForText("#who-role", "tenant");
        b.waitFor("#account-kpis");
        // the session survives a reload of the tab, as the operators' does
        b.driver.navigate().refresh();
        b.waitForText("#account-kpis [data-kpi=balance]", "1,000,000 credits");

        for (int[] size : new int[][] {{375, 812}, {1280, 900}}) {
            b.viewport(size[0], size[1], size[0] < 500);
            for (String[] page : new String[][] {{"#/portal", "#prices-table"}, {"#/portal/keys", "#keys-table"},
                    {"#/portal/usage", "#tenant-usage-chart"}, {"#/portal/ledger", "#ledger-table"}}) {
                b.driver.get(base + "console/" + page[0]);
                b.waitFor(page[1]);
                long pageWidth = ((Number) b.js("return document.documentElement.scrollWidth")).longValue();
                assertThat(pageWidth).as("page %s at %d px must not scroll sideways", page[0], size[0])
                        .isLessThanOrEqualTo(size[0]);
            }
        }
        b.viewport(0, 0, false);
        List<String> errors = b.consoleErrors();
        assertThat(errors).allMatch(m -> m.contains("status of 401"), "only the operator login's refusal");
    }

    private static void adminPut(String path, Map<String, Object> body, int status) {
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(body)
                .when().put(path).then().statusCode(status);
    }

    private static void createUser(long tenantId, String username) {
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", PASSWORD))
                .when().post("/admin/tenants/{id}/users", tenantId).then().statusCode(201);
    }

    private static String login(String username) {
        return given().contentType(ContentType.JSON).body(Map.of("username", username, "password", PASSWORD))
                .when().post("/v1/login").then().statusCode(200).extract().path("token");
    }

    private static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    /** One image at the rates in force × a multiplier, rounded up once: ceil(usd × rate × credits per CNY × m). */
    private static long credits(String usd, String multiplier) {
        JsonPath rates = given().auth().oauth2(Fixtures.adminToken()).when().get("/admin/pricing/rates")
                .then().statusCode(200).extract().jsonPath();
        return new BigDecimal(usd).multiply(new BigDecimal(rates.getString("exchange_rate")))
                .multiply(new BigDecimal(rates.getString("credits_per_cny"))).multiply(new BigDecimal(multiplier))
                .setScale(0, RoundingMode.CEILING).longValueExact();
    }
}
