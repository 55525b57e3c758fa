package io.creditproxy.limits;

import io.creditproxy.support.PrivateRedis;
import static io.creditproxy.support.ProxyCalls.eventually;
import static io.creditproxy.limits.ControlsFixtures.issueKey;
import static io.creditproxy.limits.ControlsFixtures.patchTenant;
import static io.creditproxy.limits.ControlsFixtures.submit;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.cache.InvalidationBus;
import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Redis goes away and comes back: limits fail open while it is away (every submit served and charged exactly once
 * in PostgreSQL), and are enforced again, and the invalidation subscription re-established, once it is back.
 */
@QuarkusTest
@TestProfile(RedisOutageTest.OwnRedis.class)
public class RedisOutageTest {

    public static final PrivateRedis REDIS = new PrivateRedis();

    public static class OwnRedis implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            REDIS.start();
            return Map.of("quarkus.redis.hosts", REDIS.url(), "cache.redis-backoff", "200ms");
        }
    }

    private static final String FLUX = "fal-ai/flux-1/dev";

    @Inject
    InvalidationBus bus;

    @AfterEach
    void redisBack() {
        REDIS.start();
    }

    @Test
    void limitsFailOpenWhileRedisIsDownAndComeBackWithIt() {
        long tenant = Fixtures.createTenant("outage");
        Fixtures.topUp(tenant, 100_000);
        patchTenant(tenant, Map.of("max_concurrent_jobs", 1));
        String key = (String) issueKey(tenant, Map.of("name", "one a minute", "rate_limit_rpm", 1)).get("key");
        eventually(Duration.ofSeconds(10), bus::isSubscribed, subscribed -> subscribed);

        submit(key, FLUX, "{\"prompt\":\"1\"}").then().statusCode(200);
        Response limited = submit(key, FLUX, "{\"prompt\":\"2\"}");
        limited.then().statusCode(429);
        assertThat(limited.jsonPath().getString("error.code")).isEqualTo("rate_limited");

        REDIS.stop();
        // served, though over both limits; each charged once
        for (int i = 0; i < 3; i++) {
            submit(key, FLUX, "{\"prompt\":\"down " + i + "\"}").then().statusCode(200);
        }
        assertThat(Fixtures.balance(tenant)).isEqualTo(100_000 - 4 * 750);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
        eventually(Duration.ofSeconds(5), bus::isSubscribed, subscribed -> !subscribed);

        REDIS.start();
        // the empty Redis lets a submit through, then the limits hold again (which one refuses first depends on
        // whether the job let through is still open)
        Response back = eventually(Duration.ofSeconds(10), () -> submit(key, FLUX, "{\"prompt\":\"back\"}"),
                r -> r.statusCode() == 429);
        assertThat(back.jsonPath().getString("error.code")).isIn("rate_limited", "too_many_open_jobs");
        assertThat(back.header("Retry-After")).isNotNull();
        eventually(Duration.ofSeconds(10), bus::isSubscribed, subscribed -> subscribed);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }
}
