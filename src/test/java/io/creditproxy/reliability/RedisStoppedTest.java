package io.creditproxy.reliability;

import io.creditproxy.support.PrivateRedis;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditproxy.limits.ControlsFixtures;
import io.creditproxy.support.Fixtures;
import io.creditproxy.support.ProxyCalls;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Redis is stopped in the middle of a run of submits and polls (a redis-server of this test's own on a spare port;
 * the shared one on 6379 is never touched) and started again. The proxy keeps serving every request from
 * PostgreSQL, the money stays exact, and the limits are enforced again once Redis is back.
 */
@QuarkusTest
@TestProfile(FaultsProfile.class)
class RedisStoppedTest {

    private static final PrivateRedis REDIS = FaultsProfile.REDIS;

    private static final String FLUX = "fal-ai/flux-1/dev";

    @Inject
    ObjectMapper json;

    @AfterEach
    void redisBack() {
        REDIS.start();
    }

    @Test
    void proxyServesThroughARedisOutageAndTheMoneyStaysExact() throws Exception {
        List<Long> tenants = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long tenant = Fixtures.createTenant("redis stopped " + i);
            Fixtures.topUp(tenant, 1_000_000);
            tenants.add(tenant);
            keys.add(Fixtures.issueKey(tenant));
        }
        Http http = Http.ofTestApplication();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger served = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        CountDownLatch warm = new CountDownLatch(30);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                List<String> mine = new ArrayList<>();
                int i = 0;
                while (!stop.get()) {
                    String key = keys.get((thread + i) % keys.size());
                    Http.Answer a = http.submit(key, FLUX, "{\"prompt\":\"outage " + thread + "-" + i + "\"}",
                            i % 5 == 0 ? "outage-" + thread + "-" + i : null);
                    check("submit", a, 200, failures);
                    if (a.status() == 200) {
                        mine.add(key + " " + json.readTree(a.body()).path("request_id").asText());
                    }
                    if (!mine.isEmpty()) {
                        String[] job = mine.get(i % mine.size()).split(" ");
                        check("status", http.get(job[0], "/fal-ai/flux-1/requests/" + job[1] + "/status"), 0, failures);
                    }
                    served.incrementAndGet();
                    warm.countDown();
                    i++;
                }
                return null;
            }));
        }
        assertThat(warm.await(60, TimeUnit.SECONDS)).isTrue();
        REDIS.stop();
        int atStop = served.get();
        ProxyCalls.eventually(Duration.ofSeconds(60), served::get, n -> n >= atStop + 60);
        REDIS.start();
        int atStart = served.get();
        ProxyCalls.eventually(Duration.ofSeconds(60), served::get, n -> n >= atStart + 60);
        stop.set(true);
        for (Future<?> f : done) {
            f.get(1, TimeUnit.MINUTES);
        }
        pool.shutdown();
        assertThat(failures).as("requests not served during and around the outage").isEmpty();

        // limits are enforced again now that Redis is back
        String limited = (String) ControlsFixtures.issueKey(tenants.get(0), Map.of("name", "one a minute", "rate_limit_rpm", 1))
                .get("key");
        ProxyCalls.eventually(Duration.ofSeconds(20), () -> http.submit(limited, FLUX, "{\"prompt\":\"limited\"}", null),
                a -> a.status() == 429);

        MoneyInvariants money = MoneyInvariants.ofApplication();
        ProxyCalls.eventually(Duration.ofSeconds(60), () -> money.openJobs(tenants), open -> open == 0);
        money.assertHold(tenants, true);
    }

    /** expected 0 = any 2xx; a 5xx or a refusal is a failure (the proxy must keep serving without Redis) */
    private static void check(String what, Http.Answer a, int expected, List<String> failures) {
        boolean ok = expected == 0 ? a.ok() : a.status() == expected;
        if (!ok) {
            failures.add(what + " " + a.status() + " " + a.body());
        }
    }
}
