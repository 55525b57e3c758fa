package io.creditproxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.fal.FalClient;
import io.creditproxy.sandbox.SandboxMarkers;
import io.creditproxy.support.Fixtures;
import io.creditproxy.support.ProxyCalls;
import io.quarkus.test.junit.QuarkusTest;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Upstream faults injected by the sandbox, all at once and mixed with healthy traffic: 5xx and 422 at submit, a
 * submit that never answers (the proxy's timeout fires: 504), a connection reset (502), slow jobs and failing runs.
 * Each refused submit is refunded exactly once, every accepted job is settled exactly once, and the books balance.
 */
@QuarkusTest
class UpstreamFaultsTest {

    private static final String FLUX = "fal-ai/flux-1/dev";

    @Inject
    FalClient fal;

    @Test
    void faultsAtTheUpstreamNeverLoseOrDuplicateCredits() throws Exception {
        long tenant = Fixtures.createTenant("upstream faults");
        Fixtures.topUp(tenant, 1_000_000);
        String key = Fixtures.issueKey(tenant);
        Http http = Http.ofTestApplication();

        // marker -> the statuses the tenant may see
        Map<SandboxMarkers, List<Integer>> expected = Map.of(
                SandboxMarkers.SUBMIT_500, List.of(500),
                SandboxMarkers.SUBMIT_422, List.of(422),
                SandboxMarkers.SUBMIT_HANG, List.of(504),
                SandboxMarkers.SUBMIT_RESET, List.of(502),
                SandboxMarkers.SLOW, List.of(200),
                SandboxMarkers.FAIL, List.of(200),
                SandboxMarkers.FEWER_IMAGES, List.of(200));
        List<SandboxMarkers> plan = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            plan.addAll(expected.keySet());
        }
        Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        List<String> wrong = new java.util.concurrent.CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<?>> done = new ArrayList<>();
        AtomicInteger n = new AtomicInteger();
        for (SandboxMarkers marker : plan) {
            done.add(pool.submit(() -> {
                int i = n.incrementAndGet();
                Http.Answer a = http.submit(key, FLUX, "{\"prompt\":\"fault " + i + " " + marker.marker() + "\",\"num_images\":2}",
                        "fault-" + i);
                seen.computeIfAbsent(marker + " " + a.status(), k -> new AtomicInteger()).incrementAndGet();
                if (!expected.get(marker).contains(a.status())) {
                    wrong.add(marker + " answered " + a.status() + ": " + a.body());
                }
                assertNoSecrets(a.body());
                // the same Idempotency-Key again: the stored answer, nothing charged
                Http.Answer replay = http.submit(key, FLUX, "{\"prompt\":\"fault " + i + " " + marker.marker() + "\",\"num_images\":2}",
                        "fault-" + i);
                if (replay.status() != a.status()) {
                    wrong.add(marker + " replay answered " + replay.status() + " after " + a.status());
                }
                // and a healthy submit in between
                Http.Answer plain = http.submit(key, FLUX, "{\"prompt\":\"healthy " + i + "\"}", null);
                if (plain.status() != 200) {
                    wrong.add("healthy submit answered " + plain.status() + ": " + plain.body());
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(2, TimeUnit.MINUTES);
        }
        pool.shutdown();
        assertThat(wrong).as("answers " + seen).isEmpty();

        MoneyInvariants money = MoneyInvariants.ofApplication();
        // every refused submit: REJECTED, refunded in full, once
        assertThat(money.scalar("""
                SELECT count(*) FROM jobs j WHERE j.tenant_id = ? AND j.status = 'REJECTED'
                AND (SELECT sum(amount) FROM ledger_entries l WHERE l.job_id = j.id) = 0""", tenant))
                .isEqualTo(4 * 4);
        ProxyCalls.eventually(Duration.ofSeconds(60), () -> money.openJobs(List.of(tenant)), open -> open == 0);
        MoneyInvariants.Summary summary = money.assertHold(List.of(tenant), true);
        // 28 marked submits (one job each, the replays charged nothing) and 28 healthy ones
        assertThat(summary.jobs()).isEqualTo(plan.size() * 2);
        // failed runs were voided, fewer images were partly released, the healthy ones posted in full
        assertThat(money.scalar("SELECT count(*) FROM settlements s JOIN jobs j ON j.id = s.job_id WHERE j.tenant_id = ? "
                + "AND s.outcome = 'voided'", tenant)).isEqualTo(4 * 4 + 4);
        assertThat(money.scalar("SELECT count(*) FROM settlements s JOIN jobs j ON j.id = s.job_id WHERE j.tenant_id = ? "
                + "AND s.outcome = 'posted' AND s.reserved = 1500 AND s.charged = 750", tenant)).isEqualTo(4);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    private void assertNoSecrets(String body) {
        assertThat(body).doesNotContain(ProxyCalls.OPERATOR_KEY).doesNotContain(fal.baseUrl());
    }
}
