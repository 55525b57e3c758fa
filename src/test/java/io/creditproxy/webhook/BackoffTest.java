package io.creditproxy.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesFromTheInitialWaitUpToTheCap() {
        Backoff backoff = new Backoff(Duration.ofSeconds(10), Duration.ofHours(1), 0);
        assertThat(backoff.baseDelayMs(1)).isEqualTo(10_000);
        assertThat(backoff.baseDelayMs(2)).isEqualTo(20_000);
        assertThat(backoff.baseDelayMs(3)).isEqualTo(40_000);
        assertThat(backoff.baseDelayMs(9)).isEqualTo(2_560_000);
        assertThat(backoff.baseDelayMs(10)).isEqualTo(3_600_000);
        assertThat(backoff.baseDelayMs(Integer.MAX_VALUE)).isEqualTo(3_600_000);
        assertThat(backoff.delayMs(3)).isEqualTo(40_000); // no jitter asked for
    }

    @Test
    void jitterAddsAtMostItsShare() {
        Backoff backoff = new Backoff(Duration.ofSeconds(10), Duration.ofHours(1), 10);
        for (int i = 0; i < 1000; i++) {
            assertThat(backoff.delayMs(2)).isBetween(20_000L, 22_000L);
            assertThat(backoff.delayMs(40)).isBetween(3_600_000L, 3_960_000L);
        }
    }

    @Test
    void refusesSettingsThatMakeNoSense() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 10))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
