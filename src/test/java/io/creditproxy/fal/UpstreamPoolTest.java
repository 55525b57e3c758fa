package io.creditproxy.fal;

import static io.creditproxy.support.ProxyCalls.eventually;
import static io.creditproxy.support.ProxyCalls.get;
import static io.creditproxy.support.ProxyCalls.submit;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.sandbox.ReceivedSubmit;
import io.creditproxy.sandbox.SandboxServer;
import io.creditproxy.support.Fixtures;
import io.quarkus.arc.Arc;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

/**
 * The upstream pool against the sandbox on a real port, with several simulated fal accounts (each a key with a balance
 * its submits consume at fal's prices): failover before the tenant's answer with one charge, jobs pinned to the
 * account that took them (the sandbox knows a request only under its creator's key), disabling and recovery, 422 not
 * retried, 503 and refund when no account is left, parallel submits during a failover, DELETE refused while a job is
 * open, state read from PostgreSQL, and the key never answered nor logged. Each test limits a fresh price group to its
 * own accounts, so FAL_KEY's account (every other test's) is never touched.
 */
@QuarkusTest
class UpstreamPoolTest {

    /** fal's price of one nano-banana image in the simulator's book (USD). */
    private static final BigDecimal IMAGE_USD = new BigDecimal("0.039");
    private static final String MODEL = "fal-ai/nano-banana";
    private static final String ONE_IMAGE = "{\"prompt\":\"a lighthouse\",\"num_images\":1}";

    @Inject
    SandboxServer sandbox;

    @Inject
    UpstreamRecovery recovery;

    @Test
    void firstAccountExhaustedMidRunEverySubmitSucceedsOnTheSecondChargedOncePinnedAndRecovered() {
        String nonce = nonce();
        String keyA = "acct-a-" + nonce + ":secret-a";
        String keyB = "acct-b-" + nonce + ":secret-b";
        sandbox.addFalAccount(keyA, new BigDecimal("0.1"));   // two images and a bit: the third goes below zero
        sandbox.addFalAccount(keyB, new BigDecimal("100"));
        String group = group(nonce);
        long a = createAccount("a-" + nonce, keyA, 1000, group);
        long b = createAccount("b-" + nonce, keyB, 1, group);

        long tenant = tenantIn(group, 1_000_000);
        String key = Fixtures.issueKey(tenant);
        int submits = 8;
        List<String> requestIds = new ArrayList<>();
        long price = -1;
        for (int i = 0; i < submits; i++) {
            long before = Fixtures.balance(tenant);
            Response r = submit(key, MODEL, ONE_IMAGE);
            r.then().statusCode(200);
            requestIds.add(r.jsonPath().getString("request_id"));
            long charged = before - Fixtures.balance(tenant);
            price = price < 0 ? charged : price;
            assertThat(charged).as("submit %d charged once", i).isEqualTo(price);
        }
        assertThat(price).isPositive();

        // the first account ran out and was disabled with fal's reason; the second took the rest
        Map<String, Object> viewA = account(a);
        assertThat(viewA.get("enabled")).isEqualTo(false);
        assertThat(viewA.get("health")).isEqualTo("disabled");
        assertThat((String) viewA.get("disabled_reason")).contains("User is locked. Reason: Exhausted balance");
        assertThat(viewA.get("disabled_by")).isEqualTo("proxy");
        assertThat(account(b).get("health")).isEqualTo("healthy");

        // each job is pinned to the account whose key submitted it, and one of them records A's refusal
        Map<String, Long> upstreamOf = new HashMap<>();
        Map<Long, String> keys = Map.of(a, keyA, b, keyB);
        int onA = 0;
        boolean failedOver = false;
        for (Map<String, Object> job : jobs(tenant)) {
            String requestId = (String) job.get("request_id");
            long upstream = (Long) job.get("upstream_id");
            upstreamOf.put(requestId, upstream);
            ReceivedSubmit received = sandbox.receivedSubmit(requestId).orElseThrow();
            assertThat(received.header("Authorization")).contains("Key " + keys.get(upstream));
            onA += upstream == a ? 1 : 0;
            String attempts = (String) job.get("upstream_attempts");
            if (attempts != null) {
                assertThat(attempts).startsWith(a + ":403:User is locked. Reason: Exhausted balance");
                assertThat(upstream).isEqualTo(b);
                failedOver = true;
            }
        }
        assertThat(upstreamOf).hasSize(submits).containsOnlyKeys(requestIds);
        assertThat(onA).isEqualTo(3);
        assertThat(failedOver).isTrue();
        // fal (the simulator) charged each accepted image once, to the account that took it
        assertThat(sandbox.falAccountBalance(keyA).orElseThrow()).isEqualByComparingTo(
                new BigDecimal("0.1").subtract(IMAGE_USD.multiply(BigDecimal.valueOf(onA))));
        assertThat(sandbox.falAccountBalance(keyB).orElseThrow()).isEqualByComparingTo(
                new BigDecimal("100").subtract(IMAGE_USD.multiply(BigDecimal.valueOf(submits - onA))));

        // polls go to the job's account (the simulator answers 404 to any other key), on both accounts
        long callsA = sandbox.requestCallsWith(keyA);
        long callsB = sandbox.requestCallsWith(keyB);
        for (String requestId : requestIds) {
            Response status = eventually(Duration.ofSeconds(20),
                    () -> get(key, "/" + MODEL + "/requests/" + requestId + "/status"),
                    s -> s.statusCode() == 200 && "COMPLETED".equals(s.jsonPath().getString("status")));
            assertThat(status.jsonPath().getString("request_id")).isEqualTo(requestId);
            get(key, "/" + MODEL + "/requests/" + requestId).then().statusCode(200);
        }
        assertThat(sandbox.requestCallsWith(keyA)).isGreaterThan(callsA);
        assertThat(sandbox.requestCallsWith(keyB)).isGreaterThan(callsB);

        // every job settles (webhook, poll or reconciler probe with the job's key), each kept once
        eventually(Duration.ofSeconds(30), () -> settledCount(tenant), n -> n == submits);
        assertThat(Fixtures.balance(tenant)).isEqualTo(1_000_000 - submits * price);
        assertThat(Fixtures.ledger(tenant).stream().filter(e -> "reserve".equals(e.get("kind")))).hasSize(submits);
        assertThat(Fixtures.ledger(tenant).stream().filter(e -> "refund".equals(e.get("kind")))).isEmpty();
        Fixtures.assertBalanceEqualsLedgerSum(tenant);

        // still disabled while fal's balance is below zero; re-enabled by the re-check (the pass the schedule runs,
        // off in tests) once topped up
        recovery.recheckAll();
        Map<String, Object> stillOff = account(a);
        assertThat(stillOff.get("enabled")).isEqualTo(false);
        assertThat(new BigDecimal((String) stillOff.get("balance_usd"))).isNegative();
        sandbox.topUpFalAccount(keyA, new BigDecimal("5"));
        recovery.recheckAll();
        Map<String, Object> recovered = account(a);
        assertThat(recovered.get("enabled")).isEqualTo(true);
        assertThat(recovered.get("health")).isEqualTo("healthy");
        assertThat(recovered.get("disabled_reason")).isNull();
        assertThat(new BigDecimal((String) recovered.get("balance_usd"))).isPositive();
        List<String> actions = given().auth().oauth2(Fixtures.adminToken()).queryParam("limit", 500)
                .when().get("/admin/audit").then().statusCode(200).extract().jsonPath()
                .getList("findAll { it.target == 'upstream:" + a + "' }.action");
        assertThat(actions).contains("upstream.create", "upstream.disable", "upstream.enable");
        // and chosen again
        submit(key, MODEL, ONE_IMAGE).then().statusCode(200);
    }

    @Test
    void aRequestLevel422IsNotRetriedOnAnotherAccount() {
        String nonce = nonce();
        String keyA = "acct-c-" + nonce + ":secret";
        String keyB = "acct-d-" + nonce + ":secret";
        sandbox.addFalAccount(keyA, new BigDecimal("10"));
        sandbox.addFalAccount(keyB, new BigDecimal("10"));
        String group = group(nonce);
        long a = createAccount("c-" + nonce, keyA, 1, group);
        long b = createAccount("d-" + nonce, keyB, 1, group);
        long tenant = tenantIn(group, 100_000);
        String key = Fixtures.issueKey(tenant);
        String marker = "bad input " + nonce + " [sandbox:submit-422]";

        submit(key, MODEL, "{\"prompt\":\"" + marker + "\"}").then().statusCode(422);

        long reachedFal = sandbox.lastSubmits(1000).stream().filter(s -> s.body().contains(nonce)).count();
        assertThat(reachedFal).isEqualTo(1);
        assertThat(account(a).get("health")).isEqualTo("healthy");
        assertThat(account(b).get("health")).isEqualTo("healthy");
        assertThat(Fixtures.balance(tenant)).isEqualTo(100_000);
        List<Map<String, Object>> ledger = Fixtures.ledger(tenant);
        assertThat(ledger).extracting(e -> e.get("kind")).containsExactlyInAnyOrder("topup", "reserve", "refund");
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
        assertThat(jobs(tenant).get(0).get("upstream_attempts")).isNull();
    }

    @Test
    void allAccountsExhaustedIs503AndTheRefund() {
        String nonce = nonce();
        String keyA = "acct-e-" + nonce + ":secret";
        String keyB = "acct-f-" + nonce + ":secret";
        sandbox.addFalAccount(keyA, BigDecimal.ZERO);
        sandbox.addFalAccount(keyB, BigDecimal.ZERO);
        String group = group(nonce);
        long a = createAccount("e-" + nonce, keyA, 1, group);
        long b = createAccount("f-" + nonce, keyB, 1, group);
        long tenant = tenantIn(group, 100_000);
        String key = Fixtures.issueKey(tenant);

        Response refused = submit(key, MODEL, ONE_IMAGE);
        refused.then().statusCode(503);
        assertThat(refused.jsonPath().getString("error.code")).isEqualTo("no_upstream_available");
        assertThat(refused.asString()).doesNotContain(keyA).doesNotContain(keyB);
        assertThat(Fixtures.balance(tenant)).isEqualTo(100_000);
        assertThat(Fixtures.ledger(tenant)).extracting(e -> e.get("kind")).containsExactlyInAnyOrder("topup", "reserve", "refund");
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
        String attempts = (String) jobs(tenant).get(0).get("upstream_attempts");
        assertThat(attempts).contains(a + ":403:User is locked").contains(b + ":403:User is locked");
        assertThat(account(a).get("enabled")).isEqualTo(false);
        assertThat(account(b).get("enabled")).isEqualTo(false);

        // nothing left to try: refused at once (fal not asked), refunded again
        long before = sandbox.lastSubmits(1000).size();
        submit(key, MODEL, ONE_IMAGE).then().statusCode(503);
        assertThat(sandbox.lastSubmits(1000).size()).isEqualTo(before);
        assertThat(Fixtures.balance(tenant)).isEqualTo(100_000);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void parallelSubmitsDuringAFailoverAreChargedOnceEach() throws Exception {
        String nonce = nonce();
        String keyA = "acct-g-" + nonce + ":secret";
        String keyB = "acct-h-" + nonce + ":secret";
        sandbox.addFalAccount(keyA, new BigDecimal("0.1"));
        sandbox.addFalAccount(keyB, new BigDecimal("100"));
        String group = group(nonce);
        long a = createAccount("g-" + nonce, keyA, 1000, group);
        long b = createAccount("h-" + nonce, keyB, 1, group);
        long tenant = tenantIn(group, 1_000_000);
        String key = Fixtures.issueKey(tenant);

        int n = 24;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                answers.add(pool.submit(() -> submit(key, MODEL, ONE_IMAGE).statusCode()));
            }
            for (Future<Integer> answer : answers) {
                assertThat(answer.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        List<Map<String, Object>> jobs = jobs(tenant);
        assertThat(jobs).hasSize(n).allSatisfy(j -> assertThat(j.get("upstream_id")).isIn(a, b));
        long onA = jobs.stream().filter(j -> j.get("upstream_id").equals(a)).count();
        // A accepted while its balance was above zero (parallel submits may pass before its lock): at least 3
        assertThat(onA).isGreaterThanOrEqualTo(3);
        assertThat(account(a).get("enabled")).isEqualTo(false);
        List<Map<String, Object>> ledger = Fixtures.ledger(tenant);
        assertThat(ledger.stream().filter(e -> "reserve".equals(e.get("kind")))).hasSize(n);
        assertThat(ledger.stream().filter(e -> "refund".equals(e.get("kind")))).isEmpty();
        long price = -((Number) ledger.get(0).get("amount")).longValue();
        assertThat(Fixtures.balance(tenant)).isEqualTo(1_000_000 - n * price);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
        // fal accepted each submit once: the two accounts' accepted submits are the jobs
        long accepted = sandbox.lastSubmits(1000).stream()
                .filter(s -> s.status() == 200 && s.header("Authorization").stream()
                        .anyMatch(h -> h.equals("Key " + keyA) || h.equals("Key " + keyB)))
                .count();
        assertThat(accepted).isEqualTo(n);
    }

    @Test
    void deleteIsRefusedWhileAJobIsOpenAndADisabledAccountStillServesItsJobs() {
        String nonce = nonce();
        String keyA = "acct-i-" + nonce + ":secret";
        sandbox.addFalAccount(keyA, new BigDecimal("10"));
        String group = group(nonce);
        long a = createAccount("i-" + nonce, keyA, 1, group);
        long tenant = tenantIn(group, 100_000);
        String key = Fixtures.issueKey(tenant);

        Response r = submit(key, MODEL, "{\"prompt\":\"slow one [sandbox:slow]\",\"num_images\":1}");
        r.then().statusCode(200);
        String requestId = r.jsonPath().getString("request_id");
        given().auth().oauth2(Fixtures.adminToken()).when().delete("/admin/upstreams/{id}", a)
                .then().statusCode(409).body("error.code", org.hamcrest.Matchers.equalTo("upstream_in_use"));

        // an admin disables it: no new submit goes there, its open job is still polled with its key
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of("enabled", false))
                .when().patch("/admin/upstreams/{id}", a).then().statusCode(200)
                .body("health", org.hamcrest.Matchers.equalTo("disabled"))
                .body("disabled_by", org.hamcrest.Matchers.equalTo("admin"))
                .body("jobs_in_flight", org.hamcrest.Matchers.equalTo(1));
        submit(key, MODEL, ONE_IMAGE).then().statusCode(503);
        long calls = sandbox.requestCallsWith(keyA);
        get(key, "/" + MODEL + "/requests/" + requestId + "/status").then().statusCode(202);
        assertThat(sandbox.requestCallsWith(keyA)).isGreaterThan(calls);
        eventually(Duration.ofSeconds(30), () -> get(key, "/" + MODEL + "/requests/" + requestId + "/status"),
                s -> s.statusCode() == 200 && "COMPLETED".equals(s.jsonPath().getString("status")));
        eventually(Duration.ofSeconds(30), () -> settledCount(tenant), c -> c == 2);

        given().auth().oauth2(Fixtures.adminToken()).when().delete("/admin/upstreams/{id}", a).then().statusCode(204);
        given().auth().oauth2(Fixtures.adminToken()).when().get("/admin/upstreams/{id}", a).then().statusCode(404);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void anAccountDisabledInPostgresIsNoLongerChosenAfterTheRefreshInterval() throws SQLException {
        String nonce = nonce();
        String keyA = "acct-j-" + nonce + ":secret";
        sandbox.addFalAccount(keyA, new BigDecimal("10"));
        String group = group(nonce);
        long a = createAccount("j-" + nonce, keyA, 1, group);
        long tenant = tenantIn(group, 100_000);
        String key = Fixtures.issueKey(tenant);
        submit(key, MODEL, ONE_IMAGE).then().statusCode(200);

        // another instance disabled it: this one reads PostgreSQL within upstreams.refresh-interval (500 ms in tests)
        sql("UPDATE upstream_accounts SET enabled = false, disabled_reason = 'by another instance', disabled_by = 'admin' WHERE id = " + a);
        eventually(Duration.ofSeconds(5), () -> submit(key, MODEL, ONE_IMAGE).statusCode(), s -> s == 503);
        sql("UPDATE upstream_accounts SET enabled = true, disabled_reason = NULL, disabled_by = NULL WHERE id = " + a);
        eventually(Duration.ofSeconds(5), () -> submit(key, MODEL, ONE_IMAGE).statusCode(), s -> s == 200);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void theKeyIsNeverAnsweredNorLoggedAndBadInputIsRefused() {
        Logger root = Logger.getLogger("");
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
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
        };
        capture.setLevel(Level.ALL);
        root.addHandler(capture);
        String nonce = nonce();
        String secret = "secret-" + nonce;
        String keyA = "acct-k-" + nonce + ":" + secret;
        try {
            sandbox.addFalAccount(keyA, BigDecimal.ZERO);
            String group = group(nonce);
            Response created = given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                    .body(Map.of("name", "k-" + nonce, "key", keyA, "groups", List.of(group)))
                    .when().post("/admin/upstreams");
            created.then().statusCode(201);
            long a = ((Number) created.jsonPath().get("id")).longValue();
            assertThat(created.asString()).doesNotContain(secret);
            assertThat(created.jsonPath().getString("key_prefix")).endsWith("…").hasSizeLessThan(12);
            long tenant = tenantIn(group, 10_000);
            submit(Fixtures.issueKey(tenant), MODEL, ONE_IMAGE).then().statusCode(503);   // disables it, logs a warning
            given().auth().oauth2(Fixtures.adminToken()).when().post("/admin/upstreams/{id}/check", a).then().statusCode(200);
            String list = given().auth().oauth2(Fixtures.financeToken()).when().get("/admin/upstreams")
                    .then().statusCode(200).extract().asString();
            assertThat(list).contains("k-" + nonce).doesNotContain(secret);
            String audit = given().auth().oauth2(Fixtures.adminToken()).queryParam("limit", 500).when().get("/admin/audit")
                    .then().statusCode(200).extract().asString();
            assertThat(audit).contains("upstream:" + a).doesNotContain(secret);
            // the key is stored, but not as the key itself when ADMIN_JWT_KEY_SECRET is set (else as given)
            assertThat(lines).isNotEmpty().noneMatch(l -> l.contains(secret));

            // bad input: 422 in the one error shape, 409 for a second account with the same key, 403 for finance
            String url = "/admin/upstreams";
            for (Map<String, Object> bad : List.<Map<String, Object>>of(
                    Map.of("name", "no-key-" + nonce),
                    Map.of("name", "short-" + nonce, "key", "abc"),
                    Map.of("name", "w-" + nonce, "key", "x-" + nonce + ":y", "weight", 5000),
                    Map.of("name", "g-" + nonce, "key", "x-" + nonce + ":y", "groups", List.of("no-such-group-" + nonce)),
                    Map.of("name", "f-" + nonce, "key", "x-" + nonce + ":y", "colour", "red"))) {
                given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(bad).when().post(url)
                        .then().statusCode(422).body("error.code", org.hamcrest.Matchers.notNullValue());
            }
            given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                    .body(Map.of("name", "again-" + nonce, "key", keyA)).when().post(url).then().statusCode(409);
            given().auth().oauth2(Fixtures.financeToken()).contentType(ContentType.JSON)
                    .body(Map.of("name", "fin-" + nonce, "key", "x-" + nonce + ":y")).when().post(url).then().statusCode(403);
            given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of("weight", -1))
                    .when().patch(url + "/{id}", a).then().statusCode(422);
            given().auth().oauth2(Fixtures.adminToken()).when().delete(url + "/{id}", 999_999_999L).then().statusCode(404);
        } finally {
            root.removeHandler(capture);
        }
        assertThat(lines).noneMatch(l -> l.contains(secret));
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static String nonce() {
        return Long.toString(System.nanoTime(), 36);
    }

    /** A new price group (to limit to the test's accounts). */
    private static String group(String nonce) {
        String name = "up-" + nonce;
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(Map.of("description", "upstream test"))
                .when().put("/admin/groups/{name}", name).then().statusCode(201);
        return name;
    }

    private static long createAccount(String name, String key, int weight, String group) {
        Response r = given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("name", name, "key", key, "weight", weight, "groups", List.of(group)))
                .when().post("/admin/upstreams");
        r.then().statusCode(201);
        assertThat(r.asString()).doesNotContain(key);
        assertThat(r.jsonPath().getList("groups")).containsExactly(group);
        return ((Number) r.jsonPath().get("id")).longValue();
    }

    /** A tenant whose keys are in the group, with credits. */
    private static long tenantIn(String group, long credits) {
        long tenant = Fixtures.createTenant("upstreams");
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("allowed_groups", List.of(group), "default_group", group))
                .when().patch("/admin/tenants/{id}", tenant).then().statusCode(200);
        Fixtures.topUp(tenant, credits);
        return tenant;
    }

    private static Map<String, Object> account(long id) {
        return given().auth().oauth2(Fixtures.adminToken()).when().get("/admin/upstreams/{id}", id)
                .then().statusCode(200).extract().jsonPath().getMap("$");
    }

    private static List<Map<String, Object>> jobs(long tenant) {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = Arc.container().instance(DataSource.class).get().getConnection();
             PreparedStatement s = c.prepareStatement(
                     "SELECT request_id, upstream_id, upstream_attempts, status FROM jobs WHERE tenant_id = ? ORDER BY created_at")) {
            s.setLong(1, tenant);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    Map<String, Object> row = new HashMap<>();
                    row.put("request_id", r.getString(1));
                    row.put("upstream_id", r.getObject(2, Long.class));
                    row.put("upstream_attempts", r.getString(3));
                    row.put("status", r.getString(4));
                    out.add(row);
                }
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    private static long settledCount(long tenant) {
        try (Connection c = Arc.container().instance(DataSource.class).get().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM jobs WHERE tenant_id = ? AND settled_at IS NOT NULL")) {
            s.setLong(1, tenant);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private static void sql(String statement) throws SQLException {
        try (Connection c = Arc.container().instance(DataSource.class).get().getConnection();
             PreparedStatement s = c.prepareStatement(statement)) {
            s.executeUpdate();
        }
    }
}
