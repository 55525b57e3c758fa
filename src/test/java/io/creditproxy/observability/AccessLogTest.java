package io.creditproxy.observability;

import static io.creditproxy.support.ProxyCalls.eventually;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Filter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tenants put tokens in query strings (a {@code fal_webhook} URL with its own {@code ?token=}); no log line may carry
 * a query. Requests with secret-looking queries go to the passthrough and to the application's own routes, and every
 * log record written meanwhile is read back as the console writes it (through the console handler's own filter and
 * formatter): the access log (category {@code io.quarkus.http.access-log}) has one line per request, with the path
 * and never the query; no other line has the secrets either.
 */
@QuarkusTest
class AccessLogTest {

    static final String ACCESS_LOG = "io.quarkus.http.access-log";

    /** Each record as the console would write it: the console handler's filter first, then its formatter. */
    static final class ConsoleCopy extends Handler {
        final List<String> lines = new CopyOnWriteArrayList<>();
        final List<String> accessLog = new CopyOnWriteArrayList<>();
        private final Handler console;

        ConsoleCopy(Handler console) {
            this.console = console;
        }

        @Override
        public void publish(LogRecord record) {
            Filter filter = console.getFilter();
            if (filter != null && !filter.isLoggable(record)) {
                return;
            }
            String line = console.getFormatter() != null ? console.getFormatter().format(record)
                    : record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
            lines.add(line);
            if (ACCESS_LOG.equals(record.getLoggerName())) {
                accessLog.add(line);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    private ConsoleCopy capture;

    @BeforeEach
    void capture() {
        Handler console = consoleHandler();
        assertThat(console).as("the console log handler").isNotNull();
        // the console's filter is the application's redactor (whatever Quarkus wraps it in)
        ExtLogRecord probe = new ExtLogRecord(Level.INFO, "probe Bearer cp_AbCdEf0123456789xyz", AccessLogTest.class.getName());
        assertThat(console.getFilter()).as("the console's filter").isNotNull();
        console.getFilter().isLoggable(probe);
        assertThat(probe.getFormattedMessage()).isEqualTo("probe Bearer " + SecretRedactor.MASK);
        capture = new ConsoleCopy(console);
        capture.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void release() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void theAccessLogHasPathsButNeverQueries() {
        long tenant = Fixtures.createTenant("access log");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);

        // the passthrough: a submit whose fal_webhook carries a token, then a poll with one more
        String statusUrl = given().header("Authorization", "Key " + key).contentType(ContentType.JSON)
                .body("{\"prompt\":\"a fox\"}")
                .urlEncodingEnabled(false)
                .when().post("/fal-ai/flux-1/dev?fal_webhook=http%3A%2F%2F127.0.0.1%3A1%2Fhook%3Ftoken%3Dsecret123")
                .then().statusCode(200).extract().path("status_url");
        given().header("Authorization", "Key " + key).urlEncodingEnabled(false)
                .when().get(statusUrl + "?logs=1&token=secret234").then()
                .statusCode(org.hamcrest.Matchers.oneOf(200, 202)); // 202 while the job is still queued
        // a refused submit (bad key): no job, still one access-log line
        given().header("Authorization", "Key not-a-key").contentType(ContentType.JSON).body("{}").urlEncodingEnabled(false)
                .when().post("/fal-ai/flux-1/dev?fal_webhook=https%3A%2F%2Fexample.invalid%2F%3Ftoken%3Dsecret345")
                .then().statusCode(401);
        // the application's own routes: tenant API, admin API (unauthenticated), console, webhook endpoint, unknown
        given().auth().oauth2(key).urlEncodingEnabled(false).when().get("/v1/account?access_token=secret456")
                .then().statusCode(200);
        given().urlEncodingEnabled(false).when().get("/admin/tenants?token=secret567").then().statusCode(401);
        given().urlEncodingEnabled(false).when().get("/console/?token=secret678").then().statusCode(200);
        given().urlEncodingEnabled(false).contentType(ContentType.JSON).body("{}")
                .when().post("/webhooks/fal/1?token=secret789").then().statusCode(org.hamcrest.Matchers.greaterThanOrEqualTo(400));
        given().urlEncodingEnabled(false).when().get("/v1/no-such-thing?token=secret890").then().statusCode(404);

        List<String> paths = List.of("/fal-ai/flux-1/dev", "/status", "/v1/account", "/admin/tenants", "/console/",
                "/webhooks/fal/1", "/v1/no-such-thing");
        // the access log is written when a response ends: wait for every line
        eventually(Duration.ofSeconds(10), () -> new ArrayList<>(capture.accessLog),
                lines -> paths.stream().allMatch(p -> lines.stream().anyMatch(l -> l.contains(p))));

        assertThat(capture.accessLog).isNotEmpty();
        for (String line : capture.accessLog) {
            assertThat(line).doesNotContain("?").doesNotContain("token").doesNotContain("fal_webhook")
                    .doesNotContain("secret");
        }
        // the method and status are there: the line is the access log's, not something else
        assertThat(capture.accessLog).anyMatch(l -> l.contains("POST /fal-ai/flux-1/dev 200"));
        assertThat(capture.accessLog).anyMatch(l -> l.contains("GET /admin/tenants 401"));
        for (String line : capture.lines) {
            assertThat(line).doesNotContain("secret123").doesNotContain("secret234").doesNotContain("secret345")
                    .doesNotContain("secret456").doesNotContain("secret567").doesNotContain("secret678")
                    .doesNotContain("secret789").doesNotContain("secret890");
        }
    }

    /** Quarkus' own line for a request that failed unhandled names the URI: its query must not reach the console. */
    @Test
    void anUnhandledFailureIsLoggedWithoutTheQuery() {
        given().urlEncodingEnabled(false).when().get(FailingRoute.PATH + "?token=secret901").then().statusCode(500);
        eventually(Duration.ofSeconds(10), () -> new ArrayList<>(capture.lines),
                lines -> lines.stream().anyMatch(l -> l.contains(FailingRoute.PATH) && !l.contains(ACCESS_LOG)
                        && l.contains("failed")));
        for (String line : capture.lines) {
            assertThat(line).doesNotContain("secret901");
        }
        assertThat(new SecretRedactor().redact("HTTP Request to /a/b?token=x&y=z failed, error id: 1"))
                .isEqualTo("HTTP Request to /a/b?" + SecretRedactor.MASK + " failed, error id: 1");
        assertThat(new SecretRedactor().redact("IOError processing HTTP request to /a?fal_webhook=x failed"))
                .isEqualTo("IOError processing HTTP request to /a?" + SecretRedactor.MASK + " failed");
    }

    /** The console handler: on the root logger, possibly inside Quarkus' wrapping handlers. */
    static Handler consoleHandler() {
        List<Handler> todo = new ArrayList<>(List.of(Logger.getLogger("").getHandlers()));
        while (!todo.isEmpty()) {
            Handler h = todo.remove(0);
            if (h instanceof org.jboss.logmanager.handlers.ConsoleHandler) {
                return h;
            }
            if (h instanceof ExtHandler ext) {
                todo.addAll(List.of(ext.getHandlers()));
            }
        }
        return null;
    }
}
