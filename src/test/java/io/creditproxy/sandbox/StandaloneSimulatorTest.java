package io.creditproxy.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.sandbox.SandboxHttp.Answer;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The simulator without Quarkus, as SandboxMain runs it for benchmarks. */
class StandaloneSimulatorTest {

    @Test
    void runsOnItsOwnVertxWithARequiredKey() throws Exception {
        Vertx vertx = Vertx.vertx();
        SandboxSettings settings = new SandboxSettings().port(0).instances(2)
                .queueDelay(Duration.ofMillis(5)).runDelay(Duration.ofMillis(5))
                .requiredKey(Optional.of("sandbox-key-id:sandbox-key-secret"));
        FalSimulator simulator = new FalSimulator(vertx, settings);
        try {
            simulator.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(simulator.baseUrl()).isEqualTo("http://127.0.0.1:" + simulator.port());
            SandboxHttp http = new SandboxHttp(simulator.baseUrl());

            Answer submit = http.submit("fal-ai/flux-1/dev", "{\"prompt\":\"alone\"}");
            assertThat(submit.status()).isEqualTo(200);
            http.awaitCompleted(submit.json().get("status_url").asText());
            Answer result = http.get(submit.json().get("response_url").asText());
            assertThat(result.json().get("images")).hasSize(1);
            assertThat(simulator.counters().accepted()).isEqualTo(1);

            simulator.reset();
            assertThat(simulator.counters().accepted()).isZero();
            assertThat(http.get(submit.json().get("status_url").asText()).status()).isEqualTo(404);
        } finally {
            simulator.stop().compose(v -> vertx.close()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void mainParsesDurationsAndOptions() {
        assertThat(SandboxMain.duration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(SandboxMain.duration("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(SandboxMain.duration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(SandboxMain.duration("40")).isEqualTo(Duration.ofMillis(40));
        assertThat(SandboxMain.duration("PT3S")).isEqualTo(Duration.ofSeconds(3));
        assertThat(SandboxMain.option(new String[] {"--port", "8099"}, "port", "1")).isEqualTo("8099");
        assertThat(SandboxMain.option(new String[] {"--run-delay=10ms"}, "run-delay", "1")).isEqualTo("10ms");
        assertThat(SandboxMain.option(new String[] {}, "no-such-option-here", "dflt")).isEqualTo("dflt");
    }
}
