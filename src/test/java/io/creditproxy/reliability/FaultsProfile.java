package io.creditproxy.reliability;

import io.creditproxy.support.PrivateRedis;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * The fault tests' application: a Redis of its own (so that it can be stopped without touching the shared one) and
 * a short orphan time, so that a reservation left behind by a failed request is voided by the reconciler within the
 * test.
 */
public class FaultsProfile implements QuarkusTestProfile {

    static final PrivateRedis REDIS = new PrivateRedis();

    @Override
    public Map<String, String> getConfigOverrides() {
        REDIS.start();
        return Map.of("quarkus.redis.hosts", REDIS.url(),
                "cache.redis-backoff", "200ms",
                "settlement.orphan-after", "3s");
    }
}
