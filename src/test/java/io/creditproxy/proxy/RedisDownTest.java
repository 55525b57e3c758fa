package io.creditproxy.proxy;

import static io.creditproxy.support.ProxyCalls.eventually;
import static io.creditproxy.support.ProxyCalls.get;
import static io.creditproxy.support.ProxyCalls.submit;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With Redis unreachable, keys and job ownership come from PostgreSQL and everything keeps working. */
@QuarkusTest
@TestProfile(RedisDownTest.NoRedis.class)
class RedisDownTest {

    public static class NoRedis implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // nothing listens on port 1: every Redis call fails at once
            return Map.of("quarkus.redis.hosts", "redis://127.0.0.1:1");
        }
    }

    @Test
    void submitsAndPollsWorkWithoutRedis() {
        long tenant = Fixtures.createTenant("no-redis");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);
        long other = Fixtures.createTenant("no-redis-other");
        String otherKey = Fixtures.issueKey(other);

        Response r = submit(key, "fal-ai/flux-1/dev", "{\"prompt\":\"no redis\"}");
        r.then().statusCode(200);
        String statusUrl = r.jsonPath().getString("status_url");
        Response done = eventually(Duration.ofSeconds(10), () -> get(key, statusUrl),
                s -> "COMPLETED".equals(s.jsonPath().getString("status")));
        assertThat(done.statusCode()).isEqualTo(200);
        get(key, r.jsonPath().getString("response_url")).then().statusCode(200);
        // ownership still enforced from PostgreSQL
        get(otherKey, statusUrl).then().statusCode(404);

        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000 - 750);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }
}
