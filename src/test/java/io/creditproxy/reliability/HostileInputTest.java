package io.creditproxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.fal.FalClient;
import io.creditproxy.support.Fixtures;
import io.creditproxy.support.ProxyCalls;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.smallrye.jwt.build.Jwt;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile input against every route: path traversal and encoded slashes, absolute URLs and hosts in the path,
 * oversized headers and bodies, invalid UTF-8, JSON bombs, forged and expired JWTs, SQL-ish strings in every field.
 * Each gets a clean 4xx, no credit moves and no job is created, and neither an answer nor a log line carries the
 * operator's fal key or an unrewritten upstream URL.
 */
@QuarkusTest
class HostileInputTest {

    private static final String SQL = "1' OR '1'='1'; DROP TABLE tenants; --";
    private static final String SQL_ENC = "1%27%20OR%20%271%27%3D%271%27%3B%20DROP%20TABLE%20tenants%3B%20--";

    @Inject
    FalClient fal;

    private final List<LogRecord> logs = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logs.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    record Case(String name, String method, String target, String headers, byte[] body) {
    }

    @BeforeEach
    void captureLogs() {
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void everyHostileRequestGetsACleanRefusalAndNothingMoves() {
        long canary = Fixtures.createTenant("canary");
        Fixtures.topUp(canary, 100_000);
        String key = Fixtures.issueKey(canary);
        String auth = "Authorization: Key " + key;
        String admin = "Authorization: Bearer " + Fixtures.adminToken();
        MoneyInvariants money = MoneyInvariants.ofApplication();
        long jobsBefore = money.scalar("SELECT count(*) FROM jobs");
        long entriesBefore = money.scalar("SELECT count(*) FROM ledger_entries WHERE tenant_id <> ?", canary);

        String json = "Content-Type: application/json";
        byte[] flux = "{\"prompt\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        List<Case> cases = new ArrayList<>();
        // path traversal and encoded slashes, on every passthrough route
        for (String id : List.of("..", "%2e%2e", "..%2f..%2fadmin", "a%2Fb", "a%5Cb", "%00", "..;", "a/../../v1/account")) {
            cases.add(new Case("status " + id, "GET", "/fal-ai/flux-1/requests/" + id + "/status", auth, null));
            cases.add(new Case("result " + id, "GET", "/fal-ai/flux-1/requests/" + id, auth, null));
            cases.add(new Case("cancel " + id, "PUT", "/fal-ai/flux-1/requests/" + id + "/cancel", auth, null));
            cases.add(new Case("stream " + id, "GET", "/fal-ai/flux-1/requests/" + id + "/status/stream", auth, null));
        }
        for (String model : List.of("../admin/tenants", "fal-ai/../../admin/tenants", "fal-ai%2Fflux-1%2Fdev",
                "fal-ai/flux-1/dev/..", "fal-ai/flux-1/%2e%2e/dev", "fal-ai//flux-1/dev", "fal-ai/flux-1/dev%00")) {
            cases.add(new Case("submit " + model, "POST", "/" + model, auth + "\r\n" + json, flux));
        }
        // absolute URLs and hosts in the path, and absolute-form targets
        for (String target : List.of("/https://evil.example/fal-ai/flux-1/dev", "//evil.example/fal-ai/flux-1/dev",
                "/http:%2F%2F169.254.169.254%2Flatest", "/https%3A%2F%2Fqueue.fal.run%2Ffal-ai%2Fflux-1%2Fdev",
                "/@evil.example/fal-ai/flux-1/dev", "/fal-ai/flux-1/dev@evil.example")) {
            cases.add(new Case("host in path POST " + target, "POST", target, auth + "\r\n" + json, flux));
            cases.add(new Case("host in path GET " + target, "GET", target + "/requests/x/status", auth, null));
        }
        cases.add(new Case("absolute-form status", "GET", "http://evil.example/fal-ai/flux-1/requests/nope/status", auth, null));
        cases.add(new Case("absolute-form upstream", "GET", fal.baseUrl() + "/fal-ai/flux-1/requests/nope/status", auth, null));
        // oversized headers and bodies
        String big = "x".repeat(40_000);
        cases.add(new Case("huge header", "POST", "/fal-ai/flux-1/dev", auth + "\r\n" + json + "\r\nX-Pad: " + big, flux));
        cases.add(new Case("huge authorization", "GET", "/v1/account", "Authorization: Key " + big, null));
        cases.add(new Case("huge idempotency key", "POST", "/fal-ai/flux-1/dev", auth + "\r\n" + json
                + "\r\nIdempotency-Key: " + "k".repeat(5000), flux));
        cases.add(new Case("huge body", "POST", "/fal-ai/flux-1/dev", auth + "\r\n" + json,
                ("{\"prompt\":\"" + "y".repeat(200_000) + "\"}").getBytes(StandardCharsets.UTF_8)));
        cases.add(new Case("huge admin body", "POST", "/admin/tenants", admin + "\r\n" + json,
                ("{\"name\":\"" + "y".repeat(200_000) + "\"}").getBytes(StandardCharsets.UTF_8)));
        // invalid UTF-8 and JSON bombs
        byte[] badUtf8 = {'{', '"', 'p', 'r', 'o', 'm', 'p', 't', '"', ':', '"', (byte) 0xff, (byte) 0xfe, (byte) 0xc3, '"', '}'};
        cases.add(new Case("invalid utf-8 body", "POST", "/fal-ai/flux-1/dev", auth + "\r\n" + json, badUtf8));
        cases.add(new Case("invalid utf-8 admin body", "POST", "/admin/tenants", admin + "\r\n" + json, badUtf8));
        cases.add(new Case("invalid utf-8 path", "GET", "/fal-ai/flux-1/requests/\u00ff\u00fe/status", auth, null));
        cases.add(new Case("invalid utf-8 encoded path", "GET", "/fal-ai/flux-1/requests/%ff%fe%c3/status", auth, null));
        cases.add(new Case("invalid utf-8 key", "GET", "/v1/account", "Authorization: Key cp_\u00ff\u00fe", null));
        String deep = "[".repeat(20_000) + "]".repeat(20_000);
        cases.add(new Case("json bomb", "POST", "/fal-ai/flux-1/dev", auth + "\r\n" + json,
                ("{\"prompt\":\"x\",\"extra\":" + deep + "}").getBytes(StandardCharsets.UTF_8)));
        cases.add(new Case("json bomb admin", "POST", "/admin/tenants", admin + "\r\n" + json,
                ("{\"name\":" + deep + "}").getBytes(StandardCharsets.UTF_8)));
        cases.add(new Case("json bomb credits", "POST", "/admin/tenants/" + canary + "/credits", admin + "\r\n" + json,
                ("{\"amount\":" + deep + "}").getBytes(StandardCharsets.UTF_8)));
        cases.add(new Case("not an object", "POST", "/fal-ai/flux-1/dev", auth + "\r\n" + json, "[1,2]".getBytes()));
        cases.add(new Case("truncated json", "POST", "/fal-ai/flux-1/dev", auth + "\r\n" + json, "{\"prompt\":".getBytes()));
        // forged and expired JWTs, and tenant keys where a JWT belongs
        for (String token : forgedTokens()) {
            for (String route : List.of("/admin/tenants", "/admin/tenants/" + canary, "/admin/tenants/" + canary + "/ledger",
                    "/admin/models", "/admin/audit", "/admin/reports/usage", "/admin/jobs")) {
                cases.add(new Case("jwt " + token.hashCode() + " " + route, "GET", route, "Authorization: Bearer " + token, null));
            }
            cases.add(new Case("jwt credits", "POST", "/admin/tenants/" + canary + "/credits",
                    "Authorization: Bearer " + token + "\r\n" + json, "{\"amount\":1000000,\"reason\":\"forged\"}".getBytes()));
            cases.add(new Case("jwt as tenant key", "POST", "/fal-ai/flux-1/dev", "Authorization: Bearer " + token + "\r\n" + json, flux));
        }
        cases.add(new Case("tenant key on admin", "POST", "/admin/tenants/" + canary + "/credits", "Authorization: Bearer " + key
                + "\r\n" + json, "{\"amount\":1000000,\"reason\":\"self service\"}".getBytes()));
        cases.add(new Case("no auth credits", "POST", "/admin/tenants/" + canary + "/credits", json,
                "{\"amount\":1000000,\"reason\":\"anon\"}".getBytes()));
        // SQL-ish strings in every field
        cases.add(new Case("sql key", "POST", "/fal-ai/flux-1/dev", "Authorization: Key " + SQL + "\r\n" + json, flux));
        cases.add(new Case("sql key account", "GET", "/v1/account", "Authorization: Bearer " + SQL, null));
        cases.add(new Case("sql model", "POST", "/fal-ai/flux-1/" + SQL_ENC, auth + "\r\n" + json, flux));
        cases.add(new Case("sql request id", "GET", "/fal-ai/flux-1/requests/" + SQL_ENC + "/status", auth, null));
        cases.add(new Case("sql num_images", "POST", "/fal-ai/flux-1/dev", auth + "\r\n" + json,
                ("{\"prompt\":\"x\",\"num_images\":\"" + SQL + "\"}").getBytes()));
        cases.add(new Case("sql num_images idem", "POST", "/fal-ai/flux-1/dev", auth + "\r\n" + json + "\r\nIdempotency-Key: " + SQL,
                ("{\"prompt\":\"x\",\"num_images\":\"" + SQL + "\"}").getBytes()));
        cases.add(new Case("sql duration", "POST", "/fal-ai/kling-video/v2.1/master/text-to-video", auth + "\r\n" + json,
                ("{\"prompt\":\"x\",\"duration\":\"" + SQL + "\"}").getBytes()));
        cases.add(new Case("sql webhook", "POST", "/fal-ai/flux-1/dev", auth + "\r\n" + json,
                ("{\"prompt\":\"x\",\"webhook\":\"" + SQL + "\"}").getBytes()));
        cases.add(new Case("sql webhook query", "POST", "/fal-ai/flux-1/dev?fal_webhook=" + SQL_ENC, auth + "\r\n" + json, flux));
        cases.add(new Case("sql tenant id", "GET", "/admin/tenants/" + SQL_ENC, admin, null));
        cases.add(new Case("sql ledger limit", "GET", "/admin/tenants/" + canary + "/ledger?limit=" + SQL_ENC, admin, null));
        cases.add(new Case("sql credits amount", "POST", "/admin/tenants/" + canary + "/credits", admin + "\r\n" + json,
                ("{\"amount\":\"" + SQL + "\",\"reason\":\"x\"}").getBytes()));
        cases.add(new Case("sql key id", "DELETE", "/admin/keys/" + SQL_ENC, admin, null));
        cases.add(new Case("sql model admin", "GET", "/admin/models/" + SQL_ENC, admin, null));
        cases.add(new Case("sql login", "POST", "/admin/login", json,
                ("{\"username\":\"" + "admin' --" + "\",\"password\":\"" + SQL + "\"}").getBytes()));
        cases.add(new Case("sql usage", "GET", "/v1/usage?from=" + SQL_ENC, auth, null));
        cases.add(new Case("sql report", "GET", "/admin/reports/usage?group_by=" + SQL_ENC, admin, null));
        cases.add(new Case("sql fal webhook", "POST", "/webhooks/fal/" + SQL_ENC, json,
                "{\"request_id\":\"x\",\"status\":\"OK\",\"payload\":{}}".getBytes()));
        cases.add(new Case("unsigned fal webhook", "POST", "/webhooks/fal/00000000-0000-0000-0000-000000000000", json,
                "{\"request_id\":\"x\",\"status\":\"OK\",\"payload\":{}}".getBytes()));

        int port = RestAssured.port;
        List<String> problems = new ArrayList<>();
        for (Case c : cases) {
            RawHttp.Answer a = RawHttp.send(port, c.method(), c.target(), c.headers(), c.body());
            String what = c.name() + " (" + c.method() + " " + RawHttp.shorten(c.target()) + ")";
            if (a.status() < 400 || a.status() >= 500) {
                problems.add(what + " answered " + a.status() + ": " + RawHttp.shorten(a.body()));
            }
            if (a.all().contains(ProxyCalls.OPERATOR_KEY) || a.all().contains(fal.baseUrl())) {
                problems.add(what + " leaked the operator key or the upstream URL");
            }
            if (a.body().contains("Exception") || a.body().contains("at io.") || a.body().contains("org.hibernate")) {
                problems.add(what + " leaked internals: " + RawHttp.shorten(a.body()));
            }
        }
        assertThat(problems).as("hostile requests").isEmpty();

        // nothing moved: the canary's money and jobs, and nobody else's
        assertThat(Fixtures.balance(canary)).isEqualTo(100_000);
        assertThat(Fixtures.ledger(canary)).hasSize(1);
        assertThat(money.scalar("SELECT count(*) FROM jobs")).isEqualTo(jobsBefore);
        assertThat(money.scalar("SELECT count(*) FROM ledger_entries WHERE tenant_id <> ?", canary)).isEqualTo(entriesBefore);
        money.assertHold(List.of(canary), true);
        // and the canary still works
        ProxyCalls.submit(key, "fal-ai/flux-1/dev", "{\"prompt\":\"still fine\"}").then().statusCode(200);

        for (LogRecord r : logs) {
            String text = r.getMessage() + " " + java.util.Arrays.toString(r.getParameters())
                    + (r.getThrown() == null ? "" : " " + r.getThrown());
            assertThat(text).as("log line").doesNotContain(ProxyCalls.OPERATOR_KEY).doesNotContain(key);
        }
    }

    /** Unsigned (alg none), signed with another key, expired, not yet valid, wrong issuer, and plain garbage. */
    private static List<String> forgedTokens() {
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        String claims = b64("{\"iss\":\"credit-proxy\",\"upn\":\"mallory\",\"groups\":[\"admin\"],\"exp\":4102444800}");
        List<String> tokens = new ArrayList<>();
        tokens.add(header + "." + claims + ".");
        tokens.add(Jwt.issuer("credit-proxy").upn("mallory").groups("admin").expiresIn(3600).signWithSecret(
                "a-secret-the-server-does-not-know-0123456789abcdef"));
        tokens.add(Jwt.issuer("credit-proxy").upn("mallory").groups("admin").issuedAt(1_000_000L).expiresAt(1_000_100L).sign());
        tokens.add(Jwt.issuer("someone-else").upn("mallory").groups("admin").expiresIn(3600).sign());
        String valid = Fixtures.adminToken();
        String[] parts = valid.split("\\.");
        tokens.add(parts[0] + "." + claims + "." + parts[2]);
        tokens.add("not.a.jwt");
        tokens.add(SQL);
        return tokens;
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
