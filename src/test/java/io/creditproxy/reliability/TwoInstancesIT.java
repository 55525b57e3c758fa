package io.creditproxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two instances of the packaged proxy (two processes) on one PostgreSQL and one Redis, hammering one tenant that can
 * pay for exactly 40 images: exactly 40 jobs are charged whatever instance took them, the balance never goes below
 * zero, the same Idempotency-Key sent to both instances is charged once and answered with one request id, and the
 * books balance.
 */
class TwoInstancesIT {

    private static final String FLUX = "fal-ai/flux-1/dev";
    private static Process sandbox;
    private static ProxyProcess a;
    private static ProxyProcess b;
    private static MoneyInvariants money;
    private static String upstream;

    @BeforeAll
    static void start() {
        String jdbc = ItEnvironment.freshDatabase("two_instances");
        money = new MoneyInvariants(jdbc);
        String[] url = new String[1];
        sandbox = ItEnvironment.startSandbox(url);
        upstream = url[0];
        a = ProxyProcess.start("instance-a", jdbc, ItEnvironment.redisUrl(), url[0], Map.of());
        b = ProxyProcess.start("instance-b", jdbc, ItEnvironment.redisUrl(), url[0], Map.of());
    }

    @AfterAll
    static void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (sandbox != null) {
            sandbox.destroyForcibly();
        }
    }

    /** The packaged application (prod profile): health and metrics only on the management interface, on loopback. */
    @Test
    void metricsAndHealthAreOffThePublicPort() {
        for (String path : List.of("/q/metrics", "/q/health", "/q/health/ready", "/q/health/live", "/q/openapi")) {
            assertThat(a.http().get("x", path).status()).as(path).isEqualTo(404);
        }
        Http management = new Http(a.managementUrl());
        assertThat(management.get("x", "/q/metrics").status()).isEqualTo(200);
        Http.Answer ready = management.get("x", "/q/health/ready");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.body()).contains("fal upstream").doesNotContain(upstream)
                .doesNotContain(java.net.URI.create(upstream).getHost() + ":" + java.net.URI.create(upstream).getPort());
    }

    /** A token disabled on one instance is refused by the other at once; login failures add up across both. */
    @Test
    void adminTokensAndLoginFailuresAreSharedByTheInstances() {
        String admin = a.adminToken();
        String name = "it-" + Long.toHexString(System.nanoTime());
        String password = "two-instances-Pa55phrase-z7";
        Http.Answer created = a.http().adminPost(admin, "/admin/users",
                "{\"username\":\"" + name + "\",\"password\":\"" + password + "\",\"role\":\"finance\"}", null);
        assertThat(created.status()).isEqualTo(201);
        long id = Long.parseLong(created.body().replaceAll(".*\"id\"\\s*:\\s*(\\d+).*", "$1"));
        Http.Answer login = b.http().postJson("/admin/login", "{\"username\":\"" + name + "\",\"password\":\"" + password + "\"}");
        assertThat(login.status()).isEqualTo(200);
        String token = login.body().replaceAll(".*\"token\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        assertThat(b.http().adminGet(token, "/admin/tenants").status()).isEqualTo(200);
        assertThat(a.http().adminPost(admin, "/admin/users/" + id + "/disable", "{}", null).status()).isEqualTo(200);
        assertThat(b.http().adminGet(token, "/admin/tenants").status()).isEqualTo(401);
        assertThat(a.http().adminPost(admin, "/admin/users/" + id + "/enable", "{}", null).status()).isEqualTo(200);

        String wrong = "{\"username\":\"" + name + "\",\"password\":\"not-it\"}";
        for (int i = 0; i < 5; i++) {
            assertThat((i % 2 == 0 ? a : b).http().postJson("/admin/login", wrong).status()).isEqualTo(401);
        }
        String right = "{\"username\":\"" + name + "\",\"password\":\"" + password + "\"}";
        assertThat(a.http().postJson("/admin/login", right).status()).isEqualTo(429);
        assertThat(b.http().postJson("/admin/login", right).status()).isEqualTo(429);
    }

    /**
     * The upstream pool's state lives in PostgreSQL: a fal account added on instance A takes instance B's submits once B
     * has re-read the accounts (UPSTREAMS_REFRESH_INTERVAL, 5 s), and once an admin disables it on A, B stops choosing
     * it within the same interval. Each job records the account that took it.
     */
    @Test
    void upstreamAccountStatesAreSharedByTheInstances() throws Exception {
        String token = a.adminToken();
        Http.Answer created = a.http().adminPost(token, "/admin/upstreams",
                "{\"name\":\"it-shared\",\"key\":\"it-shared-key:it-shared-secret\",\"weight\":1000}", null);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body()).doesNotContain("it-shared-secret");
        long account = Long.parseLong(created.body().replaceAll("(?s)^\\{\\s*\"id\"\\s*:\\s*(\\d+).*", "$1"));
        Http.Answer tenantMade = a.http().adminPost(token, "/admin/tenants", "{\"name\":\"upstream sharing\"}", null);
        long tenant = Long.parseLong(tenantMade.body().replaceAll(".*\"id\"\\s*:\\s*(\\d+).*", "$1"));
        assertThat(a.http().adminPost(token, "/admin/tenants/" + tenant + "/credits",
                "{\"amount\":50000000,\"reason\":\"upstreams\"}", "upstreams-topup").status()).isEqualTo(201);
        Http.Answer issued = a.http().adminPost(token, "/admin/tenants/" + tenant + "/keys", "{\"name\":\"pool\"}", null);
        String key = issued.body().replaceAll(".*\"key\"\\s*:\\s*\"([^\"]+)\".*", "$1");

        // B takes up the account A added (weight 1000 against FAL_KEY's 1)
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        boolean seen = false;
        while (!seen && System.nanoTime() < deadline) {
            seen = accountOf(b.http().submit(key, FLUX, "{\"prompt\":\"pool\"}", null)) == account;
            // (the wait lasts up to B's refresh interval: without a pause a fast proxy spent 200,000 credits in it)
            Thread.sleep(seen ? 0 : 20);
        }
        assertThat(seen).as("instance B submits with the account added on A").isTrue();

        // disabled on A: B stops choosing it (after its next re-read), and never chooses it again
        assertThat(a.http().adminPatch(token, "/admin/upstreams/" + account, "{\"enabled\":false}").status()).isEqualTo(200);
        // (weight 1000 against 1: B has left it once 20 submits in a row went elsewhere, not by one lucky draw)
        deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int elsewhere = 0;
        while (elsewhere < 20 && System.nanoTime() < deadline) {
            elsewhere = accountOf(b.http().submit(key, FLUX, "{\"prompt\":\"pool\"}", null)) != account ? elsewhere + 1 : 0;
            Thread.sleep(elsewhere > 0 ? 0 : 20);
        }
        boolean left = elsewhere >= 20;
        assertThat(left).as("instance B leaves the account disabled on A").isTrue();
        for (int i = 0; i < 10; i++) {
            assertThat(accountOf((i % 2 == 0 ? a : b).http().submit(key, FLUX, "{\"prompt\":\"pool\"}", null)))
                    .isNotEqualTo(account);
        }
        money.assertHold(List.of(tenant), false);
    }

    /** The fal account recorded on the job a submit created (0 for the FAL_KEY account when it has no row). */
    private static long accountOf(Http.Answer submitted) {
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(200);
        String requestId = submitted.body().replaceAll(".*\"request_id\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        return money.scalar("SELECT coalesce(upstream_id, 0) FROM jobs WHERE request_id = ?", requestId);
    }

    @Test
    void oneTenantHammeredThroughTwoInstancesIsChargedExactlyOncePerJob() throws Exception {
        String token = a.adminToken();
        Http adminHttp = a.http();
        Http.Answer created = adminHttp.adminPost(token, "/admin/tenants", "{\"name\":\"two instances\"}", null);
        assertThat(created.status()).isEqualTo(201);
        long tenant = Long.parseLong(created.body().replaceAll(".*\"id\"\\s*:\\s*(\\d+).*", "$1"));
        // a token of instance A works on B: they share the database and the admin JWT pair kept in it
        assertThat(b.http().adminPost(token, "/admin/tenants/" + tenant + "/credits",
                "{\"amount\":30000,\"reason\":\"40 images\"}", "two-instances-topup").status()).isEqualTo(201);
        Http.Answer issued = adminHttp.adminPost(token, "/admin/tenants/" + tenant + "/keys", "{\"name\":\"hammer\"}", null);
        String key = issued.body().replaceAll(".*\"key\"\\s*:\\s*\"([^\"]+)\".*", "$1");

        List<Http> instances = List.of(a.http(), b.http());
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        Map<String, Set<String>> byIdempotencyKey = new ConcurrentHashMap<>();
        Set<String> requestIds = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(32);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 32; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                for (int i = 0; i < 8; i++) {
                    Http http = instances.get((thread + i) % 2);
                    // every fourth request uses a key that other threads send to the other instance too
                    String idem = i % 4 == 0 ? "shared-" + (i + thread / 2) : null;
                    String body = idem == null ? "{\"prompt\":\"t" + thread + " " + i + "\"}" : "{\"prompt\":\"" + idem + "\"}";
                    Http.Answer answer = http.submit(key, FLUX, body, idem);
                    statuses.computeIfAbsent(answer.status(), s -> new AtomicInteger()).incrementAndGet();
                    if (answer.status() == 200) {
                        String id = answer.body().replaceAll(".*\"request_id\"\\s*:\\s*\"([^\"]+)\".*", "$1");
                        requestIds.add(id);
                        if (idem != null) {
                            byIdempotencyKey.computeIfAbsent(idem, k -> ConcurrentHashMap.newKeySet()).add(id);
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(3, TimeUnit.MINUTES);
        }
        pool.shutdown();

        assertThat(statuses.keySet()).as("statuses " + statuses).isSubsetOf(200, 402, 409);
        assertThat(requestIds).as("distinct jobs answered").hasSize(40);
        byIdempotencyKey.forEach((k, ids) -> assertThat(ids).as("request ids answered for " + k).hasSize(1));
        assertThat(money.scalar("SELECT count(*) FROM jobs WHERE tenant_id = ?", tenant)).isEqualTo(40);
        assertThat(money.scalar("SELECT balance FROM tenants WHERE id = ?", tenant)).isZero();
        assertThat(money.scalar("SELECT min(balance_after) FROM ledger_entries WHERE tenant_id = ?", tenant)).isZero();
        money.assertHold(List.of(tenant), false);
        // jobs are settled by either instance (polls, reconciler), each exactly once
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (money.openJobs(List.of(tenant)) > 0 && System.nanoTime() < deadline) {
            for (String id : requestIds) {
                instances.get(Math.floorMod(id.hashCode(), 2)).get(key, "/fal-ai/flux-1/requests/" + id + "/status");
            }
            ProxyProcess.sleep(200);
        }
        money.assertHold(List.of(tenant), true);
        for (ProxyProcess p : List.of(a, b)) {
            assertThat(p.logText()).doesNotContain(ProxyProcess.OPERATOR_KEY).doesNotContain(key);
        }
    }
}
