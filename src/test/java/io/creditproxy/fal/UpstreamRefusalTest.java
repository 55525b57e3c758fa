package io.creditproxy.fal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** Which of fal's answers to a submit refuse the account (failover) and which answer the request (relayed). */
class UpstreamRefusalTest {

    private static UpstreamResponse answer(int status, String body) {
        return new UpstreamResponse(status, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer(body));
    }

    @Test
    void theAccountsReasonsFailOver() {
        assertThat(UpstreamPool.refusal(answer(403, "{\"detail\":\"User is locked. Reason: Exhausted balance\"}")))
                .isEqualTo(UpstreamPool.Refusal.DISABLE);
        assertThat(UpstreamPool.refusal(answer(401, "{\"detail\":\"No user found for Key ID and Secret\"}")))
                .isEqualTo(UpstreamPool.Refusal.DISABLE);
        assertThat(UpstreamPool.refusal(answer(429, "{\"detail\":\"Too many concurrent requests\"}")))
                .isEqualTo(UpstreamPool.Refusal.COOL_DOWN);
    }

    @Test
    void theRequestsAnswersAreRelayed() {
        // the tenant's own fal_max_queue_length: its answer, not the account's rate limit
        assertThat(UpstreamPool.refusal(answer(429, "{\"detail\":\"Maximum queue length reached\"}"))).isNull();
        assertThat(UpstreamPool.refusal(answer(422, "{\"detail\":[{\"loc\":[\"body\",\"prompt\"],\"msg\":\"bad\"}]}"))).isNull();
        assertThat(UpstreamPool.refusal(answer(400, "{}"))).isNull();
        assertThat(UpstreamPool.refusal(answer(500, "{\"detail\":\"Internal Server Error\"}"))).isNull();
        assertThat(UpstreamPool.refusal(answer(200, "{\"request_id\":\"x\"}"))).isNull();
    }
}
