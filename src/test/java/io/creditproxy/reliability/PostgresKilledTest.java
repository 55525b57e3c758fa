package io.creditproxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditproxy.support.Fixtures;
import io.creditproxy.support.ProxyCalls;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL connections of the application are killed ({@code pg_terminate_backend}) again and again while
 * submits, polls and top-ups run, so transactions die at every step (reserving, recording fal's answer, settling).
 * Requests may fail while it happens; money may not: afterwards every job is settled exactly once (a reservation
 * whose request died is voided by the reconciler), balance = Σ ledger, and the proxy serves normally again.
 */
@QuarkusTest
@TestProfile(FaultsProfile.class)
class PostgresKilledTest {

    private static final String FLUX = "fal-ai/flux-1/dev";

    @Inject
    ObjectMapper json;

    @Test
    void killedConnectionsNeverCorruptTheBooks() throws Exception {
        List<Long> tenants = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long tenant = Fixtures.createTenant("pg killed " + i);
            Fixtures.topUp(tenant, 200_000);
            tenants.add(tenant);
            keys.add(Fixtures.issueKey(tenant));
        }
        MoneyInvariants money = MoneyInvariants.ofApplication();
        Http http = Http.ofTestApplication();
        String admin = Fixtures.adminToken();
        AtomicBoolean stop = new AtomicBoolean();
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        AtomicInteger kills = new AtomicInteger();

        ExecutorService pool = Executors.newFixedThreadPool(7);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                int i = 0;
                String last = null;
                while (!stop.get()) {
                    int k = (thread + i) % keys.size();
                    Http.Answer a;
                    if (i % 7 == 6) {
                        a = http.adminPost(admin, "/admin/tenants/" + tenants.get(k) + "/credits",
                                "{\"amount\":1000,\"reason\":\"pg killed\"}", "pg-killed-" + thread + "-" + i);
                    } else if (i % 3 == 2 && last != null) {
                        a = http.get(keys.get(k), "/fal-ai/flux-1/requests/" + last + "/status");
                    } else {
                        a = http.submit(keys.get(k), FLUX, "{\"prompt\":\"pg " + thread + "-" + i + "\"}",
                                i % 4 == 0 ? "pg-" + thread + "-" + i : null);
                        if (a.status() == 200) {
                            last = json.readTree(a.body()).path("request_id").asText();
                        }
                    }
                    statuses.computeIfAbsent(a.status(), s -> new AtomicInteger()).incrementAndGet();
                    i++;
                }
                return null;
            }));
        }
        // the killer: every 100 ms, every backend of this database but its own; for 4 s, and on a loaded machine
        // (where 4 s may pass before any request gets through) until some request did, for at most a minute
        done.add(pool.submit(() -> {
            long start = System.nanoTime();
            long until = start + Duration.ofSeconds(4).toNanos();
            long latest = start + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < until || (!statuses.containsKey(200) && System.nanoTime() < latest)) {
                kills.addAndGet((int) money.scalar("""
                        SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                        WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"""));
                Thread.sleep(100);
            }
            stop.set(true);
            return null;
        }));
        for (Future<?> f : done) {
            f.get(2, TimeUnit.MINUTES);
        }
        pool.shutdown();
        assertThat(kills.get()).as("connections killed").isGreaterThan(10);
        assertThat(statuses).as("some requests went through while connections died").containsKey(200);

        // the pool recovers: everything works again
        String key = keys.get(0);
        Http.Answer after = ProxyCalls.eventually(Duration.ofSeconds(30),
                () -> http.submit(key, FLUX, "{\"prompt\":\"after\"}", null), a -> a.status() == 200);
        String requestId = json.readTree(after.body()).path("request_id").asText();
        ProxyCalls.eventually(Duration.ofSeconds(30),
                () -> http.get(key, "/fal-ai/flux-1/requests/" + requestId + "/status"), a -> a.ok());

        ProxyCalls.eventually(Duration.ofSeconds(60), () -> money.openJobs(tenants), open -> open == 0);
        money.assertHold(tenants, true);
        // a top-up whose answer was lost may be retried with its key: never two entries for one key
        String ids = tenants.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
        assertThat(money.scalar("SELECT count(*) - count(DISTINCT (tenant_id, idempotency_key)) FROM ledger_entries "
                + "WHERE tenant_id IN (" + ids + ") AND idempotency_key IS NOT NULL")).isZero();
    }
}
