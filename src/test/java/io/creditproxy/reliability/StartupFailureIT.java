package io.creditproxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A start-up that fails a check stops cleanly: the packaged application exits non-zero, its last words say what to
 * set, and no scheduled job ran against half-started beans on the way down (today's symptom was
 * NullPointerExceptions from the scheduler's threads after the container had stopped).
 */
class StartupFailureIT {

    @Test
    void withoutFalKeyTheStartStopsWithTheReasonAndNoSchedulerNoise() {
        Map<String, String> env = new HashMap<>();
        env.put("FAL_KEY", null);
        String log = failedStart("no-fal-key", env);
        assertThat(log).contains("credit-proxy did not start: FAL_UPSTREAM=fal needs FAL_KEY");
    }

    @Test
    void withoutTheFirstAdminTheStartStopsWithTheReasonAndNoSchedulerNoise() {
        Map<String, String> env = new HashMap<>();
        env.put("ADMIN_BOOTSTRAP_USERNAME", null);
        env.put("ADMIN_BOOTSTRAP_PASSWORD", null);
        String log = failedStart("no-admin", env);
        assertThat(log).contains("credit-proxy did not start: No admin exists and none can be created")
                .contains("ADMIN_BOOTSTRAP_USERNAME");
    }

    /** Starts the packaged app on a fresh database, expects it to end by itself; @return its whole output */
    private static String failedStart(String name, Map<String, String> env) {
        String jdbc = ItEnvironment.freshDatabase("startup_" + name.replace('-', '_'));
        try (ProxyProcess p = ProxyProcess.launch("startup-" + name, jdbc, ItEnvironment.redisUrl(),
                "http://127.0.0.1:9", env)) {
            int exit = p.awaitExit(Duration.ofMinutes(3));
            String log = p.logText();
            assertThat(exit).as("exit code; output:\n" + log).isNotZero();
            assertThat(log).doesNotContain("NullPointerException")
                    .doesNotContain("io.quarkus.scheduler")
                    .doesNotContain("Error occurred while executing task")
                    .doesNotContain("run failed");
            assertThat(log).doesNotContain(ProxyProcess.OPERATOR_KEY).doesNotContain(ProxyProcess.ADMIN_PASSWORD);
            return log;
        }
    }
}
