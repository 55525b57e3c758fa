package io.creditproxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditproxy.billing.JobStatus;
import io.creditproxy.billing.Outcome;
import io.creditproxy.billing.SettlementService;
import io.creditproxy.support.Fixtures;
import io.creditproxy.support.ProxyCalls;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The bank test: many threads submitting, polling, fetching results, cancelling, topping up and settling at random
 * across a few tenants (one with a credit limit, all with little money so that 402s happen). Afterwards, once the
 * proxy's own settlement paths (polls, fal's webhooks, the reconciler) have closed every job: balance = Σ ledger for
 * each tenant, no balance below its limit, each job reserved once and settled exactly once, each Idempotency-Key
 * charged once (submits and top-ups), and no answer was a 5xx of the proxy's own.
 */
@QuarkusTest
class BankTest {

    private static final String FLUX = "fal-ai/flux-1/dev";
    private static final int THREADS = 12;
    private static final int OPS_PER_THREAD = 60;

    @Inject
    SettlementService settlements;

    @Inject
    ObjectMapper json;

    record Account(long tenantId, String key, List<String> requestIds, List<UUID> jobIds) {
    }

    @Test
    void moneyStaysExactUnderRandomConcurrentTraffic() throws Exception {
        List<Account> accounts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            long tenant = Fixtures.createTenant("bank " + i);
            Fixtures.topUp(tenant, 15_000);
            accounts.add(new Account(tenant, Fixtures.issueKey(tenant), new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>()));
        }
        MoneyInvariants money = MoneyInvariants.ofApplication();
        // one tenant may go 5,000 credits below zero
        money.execute("UPDATE tenants SET credit_limit = 5000 WHERE id = ?", accounts.get(0).tenantId());
        List<Long> tenantIds = accounts.stream().map(Account::tenantId).toList();

        Http http = Http.ofTestApplication();
        String admin = Fixtures.adminToken();
        // Idempotency-Key -> the request ids it was answered with (a replay must answer the first one)
        Map<String, Set<String>> answersByKey = new ConcurrentHashMap<>();
        Map<String, Set<String>> topUpEntries = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> statuses = new ConcurrentHashMap<>();
        List<String> proxyErrors = new CopyOnWriteArrayList<>();

        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            done.add(pool.submit(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int op = 0; op < OPS_PER_THREAD; op++) {
                    Account a = accounts.get(random.nextInt(accounts.size()));
                    int dice = random.nextInt(100);
                    String kind;
                    Http.Answer answer;
                    if (dice < 40) {
                        kind = "submit";
                        String idem = random.nextInt(3) == 0 ? "bank-" + a.tenantId() + "-" + random.nextInt(6) : null;
                        // the same key always comes with the same body
                        int variant = idem == null ? random.nextInt(100) : Math.abs(idem.hashCode());
                        answer = http.submit(a.key(), FLUX, body(variant), idem);
                        if (answer.status() == 200) {
                            String requestId = json.readTree(answer.body()).path("request_id").asText();
                            if (idem != null) {
                                answersByKey.computeIfAbsent(idem, k -> ConcurrentHashMap.newKeySet()).add(requestId);
                            } else {
                                a.requestIds().add(requestId);
                            }
                        }
                    } else if (dice < 55 && !a.requestIds().isEmpty()) {
                        kind = "status";
                        answer = http.get(a.key(), "/fal-ai/flux-1/requests/" + pick(a.requestIds(), random) + "/status");
                    } else if (dice < 65 && !a.requestIds().isEmpty()) {
                        kind = "result";
                        answer = http.get(a.key(), "/fal-ai/flux-1/requests/" + pick(a.requestIds(), random));
                    } else if (dice < 75 && !a.requestIds().isEmpty()) {
                        kind = "cancel";
                        answer = http.put(a.key(), "/fal-ai/flux-1/requests/" + pick(a.requestIds(), random) + "/cancel");
                    } else if (dice < 85) {
                        kind = "topup";
                        String idem = "bank-topup-" + a.tenantId() + "-" + random.nextInt(10);
                        answer = http.adminPost(admin, "/admin/tenants/" + a.tenantId() + "/credits",
                                "{\"amount\":3000,\"reason\":\"bank test\"}", idem);
                        if (answer.status() == 201 || answer.status() == 200) {
                            topUpEntries.computeIfAbsent(idem, k -> ConcurrentHashMap.newKeySet())
                                    .add(json.readTree(answer.body()).path("id").asText());
                        }
                    } else {
                        kind = "settle";
                        answer = settleOne(a, random);
                    }
                    statuses.computeIfAbsent(kind + " " + answer.status(), k -> new AtomicInteger()).incrementAndGet();
                    if (answer.status() >= 500 && isProxyError(answer.body())) {
                        proxyErrors.add(kind + " " + answer.status() + " " + answer.body());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(3, TimeUnit.MINUTES);
        }
        pool.shutdown();

        assertThat(proxyErrors).as("the proxy's own 5xx answers").isEmpty();
        assertThat(statuses.keySet()).as("some submits succeeded and some were refused for credit: " + statuses)
                .contains("submit 200", "submit 402");
        // each Idempotency-Key answered with one request id, and is one job
        answersByKey.forEach((key, ids) -> assertThat(ids).as("answers to Idempotency-Key " + key).hasSize(1));
        for (Account a : accounts) {
            assertThat(money.scalar("SELECT count(*) - count(DISTINCT idempotency_key) FROM jobs WHERE tenant_id = ? "
                    + "AND idempotency_key IS NOT NULL", a.tenantId())).isZero();
        }
        topUpEntries.forEach((key, ids) -> assertThat(ids).as("ledger entries of top-up key " + key).hasSize(1));

        // every job is closed by the proxy's own paths (polls, webhooks, the reconciler); then the books balance
        ProxyCalls.eventually(Duration.ofSeconds(60), () -> money.openJobs(tenantIds), open -> open == 0);
        MoneyInvariants.Summary summary = money.assertHold(tenantIds, true);
        assertThat(summary.jobs()).isGreaterThan(20);
        for (long tenant : tenantIds) {
            Fixtures.assertBalanceEqualsLedgerSum(tenant);
        }
    }

    /** A settlement racing the proxy's own: a random job of the tenant is posted or voided directly. */
    private Http.Answer settleOne(Account a, ThreadLocalRandom random) {
        List<UUID> jobs = jobsOf(a.tenantId());
        if (jobs.isEmpty()) {
            return new Http.Answer(204, "");
        }
        UUID job = jobs.get(random.nextInt(jobs.size()));
        Outcome outcome = random.nextBoolean()
                ? new Outcome(Outcome.Kind.POSTED, JobStatus.COMPLETED, 1, null, null, null)
                : Outcome.voided(JobStatus.FAILED, "bank test", null);
        boolean settled = QuarkusTransaction.requiringNew().call(() -> settlements.settle(job, outcome, "reconciler"));
        return new Http.Answer(settled ? 201 : 200, "");
    }

    private List<UUID> jobsOf(long tenantId) {
        List<UUID> ids = new ArrayList<>();
        try (var c = MoneyInvariants.ofApplication().connect();
             var s = c.prepareStatement("SELECT id FROM jobs WHERE tenant_id = ? ORDER BY random() LIMIT 5")) {
            s.setLong(1, tenantId);
            try (var r = s.executeQuery()) {
                while (r.next()) {
                    ids.add((UUID) r.getObject(1));
                }
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return ids;
    }

    /** Faults and outcomes come from the sandbox's markers; most submits are plain. */
    private static String body(int variant) {
        int images = 1 + Math.floorMod(variant, 4);
        String marker = switch (Math.floorMod(variant, 10)) {
            case 0 -> " [sandbox:fail]";
            case 1 -> " [sandbox:fewer-images]";
            case 2 -> " [sandbox:slow-queue]";
            case 3 -> " [sandbox:no-webhook]";
            default -> "";
        };
        return "{\"prompt\":\"bank " + variant + marker + "\",\"num_images\":" + images + "}";
    }

    private static String pick(List<String> list, ThreadLocalRandom random) {
        return list.get(random.nextInt(list.size()));
    }

    /** fal's errors pass through unchanged ({"detail": ...}); the proxy's own are {"error": {...}}. */
    private boolean isProxyError(String body) {
        try {
            JsonNode node = json.readTree(body);
            return node != null && node.has("error") && node.get("error").isObject();
        } catch (Exception e) {
            return true;
        }
    }
}
