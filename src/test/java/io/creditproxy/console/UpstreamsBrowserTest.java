package io.creditproxy.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.support.Fixtures;
import io.creditproxy.support.ProxyCalls;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console's Upstreams page (issue 16) in headless Chromium: an admin adds a fal account (its key shown nowhere
 * afterwards, only its prefix), disables and re-enables it, changes its weight and deletes it, each checked through the
 * API; finance sees the page without any control. Accounts are added with weight 0 and removed afterwards, so no
 * other test's submit goes to them.
 */
@QuarkusTest
class UpstreamsBrowserTest {

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
        browser.driver.navigate().refresh();
        browser.waitFor("#login-form");
        browser.consoleErrors(); // start with an empty browser log
    }

    @AfterEach
    void removeTestAccounts() {
        for (Map<String, Object> u : upstreams()) {
            if (String.valueOf(u.get("name")).startsWith("browser-acct-")) {
                given().auth().oauth2(Fixtures.adminToken()).when().delete("/admin/upstreams/{id}", u.get("id"));
            }
        }
    }

    @Test
    void adminManagesAFalAccountAndNeverSeesItsKeyAgain() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String admin = newUser("console-upstreams-" + suffix, "admin");
        String name = "browser-acct-" + suffix;
        String key = "brwsr" + suffix + ":s3cret-" + UUID.randomUUID();
        Browser b = browser;
        b.login(base.toString(), admin, PASSWORD);
        b.click("#nav a[data-section=upstreams]");
        b.waitFor("#new-upstream-form");

        // validated before sending
        b.click("#new-upstream-form button[type=submit]");
        b.waitForText("#new-upstream-form", "Give the account a name.");
        b.type("#new-upstream-form input[name=name]", name);
        b.type("#new-upstream-form input[name=key]", key);
        b.setValue("#new-upstream-form input[name=weight]", "0");
        b.click("#new-upstream-form button[type=submit]");
        b.waitForText("#upstreams-table", name);

        Map<String, Object> created = account(name);
        long id = ((Number) created.get("id")).longValue();
        assertThat(created).containsEntry("enabled", true).containsEntry("weight", 0);
        assertThat(String.valueOf(created.get("key_prefix"))).isNotBlank();
        String secret = key.substring(key.indexOf(':') + 1);
        assertThat(b.driver.getPageSource()).as("the key is shown nowhere after it was added")
                .doesNotContain(secret).doesNotContain(key);
        assertThat(b.one("#new-upstream-form input[name=key]").getAttribute("value")).isEmpty();
        String row = "#upstreams-table tr[data-upstream-id='" + id + "'] ";

        // disable, then enable again
        b.click(row + "button[data-action=disable]");
        b.waitFor(row + "button[data-action=enable]");
        assertThat(account(name)).containsEntry("enabled", false);
        b.click(row + "button[data-action=enable]");
        b.waitFor(row + "button[data-action=disable]");
        assertThat(account(name)).containsEntry("enabled", true);

        // the weight
        b.setValue(row + "input[type=number]", "3");
        b.click(row + "button[data-action='set weight']");
        ProxyCalls.eventually(Duration.ofSeconds(20), () -> account(name).get("weight"), w -> Integer.valueOf(3).equals(w));

        // delete (no job uses it), the browser's confirmation accepted
        b.js("window.confirm = () => true");
        b.click(row + "button[data-action=delete]");
        b.waitGone(row);
        assertThat(upstreams()).noneMatch(u -> name.equals(u.get("name")));
        assertThat(b.consoleErrors()).isEmpty();
    }

    @Test
    void financeSeesTheAccountsButNoControl() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String finance = newUser("console-upstreams-fin-" + suffix, "finance");
        String name = "browser-acct-" + suffix;
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("name", name, "key", "finview" + suffix + ":secret-" + suffix, "weight", 0))
                .when().post("/admin/upstreams").then().statusCode(201);
        Browser b = browser;
        b.login(base.toString(), finance, PASSWORD);
        b.driver.get(base + "console/#/upstreams");
        b.waitForText("#upstreams-table", name);
        assertThat(b.all("[data-write]")).isEmpty();
        assertThat(b.all("#new-upstream-form")).isEmpty();
        assertThat(b.all("#upstreams-table button")).isEmpty();
    }

    private static String newUser(String username, String role) {
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", PASSWORD, "role", role))
                .when().post("/admin/users").then().statusCode(201);
        return username;
    }

    private static List<Map<String, Object>> upstreams() {
        return given().auth().oauth2(Fixtures.adminToken()).when().get("/admin/upstreams")
                .then().statusCode(200).extract().jsonPath().getList("$");
    }

    private static Map<String, Object> account(String name) {
        return upstreams().stream().filter(u -> name.equals(u.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no account " + name));
    }
}
