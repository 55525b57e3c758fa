package io.creditproxy.limits;

import io.creditproxy.common.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.UUID;

/** Requests per minute per key: a sliding 60 s window in Redis, shared by every instance. */
@ApplicationScoped
public class RateLimiter {

    static final long WINDOW_MS = 60_000;

    /** What a request counts against: each budget is a window of its own, with the key's one limit. */
    public enum Budget {
        /** submits through the fal passthrough */
        SUBMITS("cp:rl:key:"),
        /** calls of the tenant API (/v1) */
        API("cp:rl:api:");

        private final String prefix;

        Budget(String prefix) {
            this.prefix = prefix;
        }
    }

    private final RedisLimits redis;

    public RateLimiter(RedisLimits redis) {
        this.redis = redis;
    }

    /**
     * Counts one request of the key, or refuses it (a refused request is not counted).
     *
     * @throws ApiException 429 rate_limited with retry_after (seconds) when the key used its requests per minute
     */
    public void check(Budget budget, String keyScope, int requestsPerMinute) {
        long[] r = redis.eval(RedisLimits.RATE_LIMIT, budget.prefix + keyScope, Integer.toString(requestsPerMinute),
                Long.toString(WINDOW_MS), UUID.randomUUID().toString());
        if (r != null && r[0] == 0) {
            long retryAfter = Math.max(1, (r[1] + 999) / 1000);
            throw new ApiException(429, "rate_limited",
                    "This key is limited to " + requestsPerMinute + " requests per minute; retry in " + retryAfter + " s.",
                    Map.of("limit", requestsPerMinute, "retry_after", retryAfter));
        }
    }
}
