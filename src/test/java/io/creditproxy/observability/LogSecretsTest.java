package io.creditproxy.observability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

/**
 * Runs the flows that handle secrets (admin login, key issue, submits and polls with a key, bad keys, bad tokens)
 * while capturing every log record at DEBUG and above, and checks that no record holds a key, a token or a password.
 */
@QuarkusTest
class LogSecretsTest {

    static final class Capture extends Handler {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public void publish(LogRecord record) {
            String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
            StringWriter trace = new StringWriter();
            if (record.getThrown() != null) {
                record.getThrown().printStackTrace(new PrintWriter(trace));
            }
            lines.add(record.getLoggerName() + " " + message + " " + trace);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void noLogLineCarriesAKeyATokenOrAPassword() {
        Logger root = Logger.getLogger("");
        Capture capture = new Capture();
        capture.setLevel(Level.ALL);
        Level before = Logger.getLogger("io.creditproxy").getLevel();
        Logger.getLogger("io.creditproxy").setLevel(Level.FINE);
        root.addHandler(capture);
        String token;
        String key;
        try {
            token = given().contentType(ContentType.JSON).body(Map.of("username", "admin", "password", "admin-test-password"))
                    .when().post("/admin/login").then().statusCode(200).extract().path("token");
            given().contentType(ContentType.JSON).body(Map.of("username", "admin", "password", "wrong-password-123"))
                    .when().post("/admin/login").then().statusCode(401);
            long tenant = Fixtures.createTenant("log tenant");
            Fixtures.topUp(tenant, 10_000);
            key = Fixtures.issueKey(tenant);
            given().auth().oauth2(token).when().get("/admin/reports/usage").then().statusCode(200);
            given().auth().oauth2(token + "tampered").when().get("/admin/reports/usage").then().statusCode(401);
            String submit = given().header("Authorization", "Key " + key).contentType(ContentType.JSON)
                    .body("{\"prompt\":\"a fox\"}").when().post("/fal-ai/flux-1/dev")
                    .then().statusCode(200).extract().path("status_url");
            given().auth().oauth2(key).when().get(submit).then().statusCode(org.hamcrest.Matchers.lessThan(500));
            given().auth().oauth2(key).when().get("/v1/usage").then().statusCode(200);
            given().auth().oauth2(key + "x").when().get("/v1/usage").then().statusCode(401);
            given().header("Authorization", "Key " + key + "x").contentType(ContentType.JSON).body("{}")
                    .when().post("/fal-ai/flux-1/dev").then().statusCode(401);
        } finally {
            root.removeHandler(capture);
            Logger.getLogger("io.creditproxy").setLevel(before);
        }
        assertThat(capture.lines).isNotEmpty();
        for (String line : capture.lines) {
            assertThat(line).doesNotContain(key).doesNotContain(key.substring(3)).doesNotContain(token)
                    .doesNotContain("admin-test-password").doesNotContain("wrong-password-123")
                    .doesNotContain("sandbox-key-secret");
        }
    }

    @Test
    void theRedactorMasksWhateverWouldSlipThrough() {
        SecretRedactor redactor = new SecretRedactor();
        assertThat(redactor.redact("Authorization: Bearer cp_AbCdEf0123456789xyz")).isEqualTo("Authorization: Bearer [REDACTED]");
        assertThat(redactor.redact("header Key sandbox-key-id:sandbox-key-secret sent")).doesNotContain("sandbox-key-secret");
        assertThat(redactor.redact("key cp_AbCdEf0123456789xyz leaked")).doesNotContain("cp_AbCdEf0123456789xyz");
        assertThat(redactor.redact("token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl"))
                .isEqualTo("token [REDACTED]");
        assertThat(redactor.redact("{\"username\":\"a\",\"password\":\"hunter22\"}")).doesNotContain("hunter22");
        assertThat(redactor.redact("settled job 42 for tenant 7")).isEqualTo("settled job 42 for tenant 7");
        ExtLogRecord record = new ExtLogRecord(Level.WARNING, "upstream said %s", ExtLogRecord.FormatStyle.PRINTF, "x");
        record.setParameters(new Object[]{"Bearer cp_AbCdEf0123456789xyz"});
        assertThat(redactor.isLoggable(record)).isTrue();
        assertThat(record.getFormattedMessage()).isEqualTo("upstream said Bearer [REDACTED]");
    }
}
