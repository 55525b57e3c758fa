package io.creditproxy.sandbox;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The fal simulator on its own (own Vert.x, no Quarkus, no database), e.g. as the upstream of a benchmark.
 * From the packaged application ({@code ./mvnw -q package -DskipTests}):
 *
 * <pre>
 * java -cp "target/quarkus-app/lib/main/*:target/quarkus-app/app/*" io.creditproxy.sandbox.SandboxMain --port 8099
 * </pre>
 *
 * Options (each also read from the environment variable in brackets; arguments win):
 * {@code --host} [SANDBOX_HOST] (127.0.0.1), {@code --port} [SANDBOX_PORT] (8089, 0 = free port),
 * {@code --queue-delay} [SANDBOX_QUEUE_DELAY] (200ms), {@code --run-delay} [SANDBOX_RUN_DELAY] (300ms),
 * {@code --slow-delay} [SANDBOX_SLOW_DELAY] (5s), {@code --submit-late-delay} [SANDBOX_SUBMIT_LATE_DELAY] (65s),
 * {@code --required-key} [SANDBOX_REQUIRED_KEY] (any key),
 * {@code --instances} [SANDBOX_INSTANCES] (processors), {@code --webhook-retries} [SANDBOX_WEBHOOK_RETRIES] (3),
 * {@code --max-requests} [SANDBOX_MAX_REQUESTS] (100000), {@code --result-retention} [SANDBOX_RESULT_RETENTION] (60m),
 * {@code --large-result-retention} [SANDBOX_LARGE_RESULT_RETENTION] (6m; results from 10 KB). Durations: {@code 250ms}, {@code 2s}, {@code 1m}, or
 * plain milliseconds. The first line on stdout is {@code fal sandbox listening on http://HOST:PORT}.
 */
public final class SandboxMain {

    private SandboxMain() {
    }

    public static void main(String[] args) throws Exception {
        SandboxSettings settings = new SandboxSettings()
                .host(option(args, "host", "127.0.0.1"))
                .port(Integer.parseInt(option(args, "port", "8089")))
                .queueDelay(duration(option(args, "queue-delay", "200ms")))
                .runDelay(duration(option(args, "run-delay", "300ms")))
                .slowDelay(duration(option(args, "slow-delay", "5s")))
                .submitLateDelay(duration(option(args, "submit-late-delay", "65s")))
                .instances(Integer.parseInt(option(args, "instances", "0")))
                .webhookRetries(Integer.parseInt(option(args, "webhook-retries", "3")))
                .maxRequests(Integer.parseInt(option(args, "max-requests", "100000")))
                .resultRetention(duration(option(args, "result-retention", "60m")))
                .largeResultRetention(duration(option(args, "large-result-retention", "6m")))
                .requiredKey(Optional.ofNullable(option(args, "required-key", null)));

        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(settings.instances()));
        FalSimulator simulator = new FalSimulator(vertx, settings);
        simulator.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        System.out.println("fal sandbox listening on " + simulator.baseUrl());
        System.out.flush();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                simulator.stop().compose(v -> vertx.close()).toCompletionStage().toCompletableFuture()
                        .get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // exiting anyway
            }
            stopped.countDown();
        }, "sandbox-shutdown"));
        stopped.await();
    }

    /** {@code --name value} or {@code --name=value}, else the environment variable SANDBOX_NAME, else the default. */
    static String option(String[] args, String name, String fallback) {
        String flag = "--" + name;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(flag) && i + 1 < args.length) {
                return args[i + 1];
            }
            if (args[i].startsWith(flag + "=")) {
                return args[i].substring(flag.length() + 1);
            }
        }
        String env = System.getenv("SANDBOX_" + name.toUpperCase(Locale.ROOT).replace('-', '_'));
        return env != null && !env.isBlank() ? env : fallback;
    }

    /** {@code 250ms}, {@code 2s}, {@code 1m}, an ISO-8601 duration, or plain milliseconds. */
    static Duration duration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        if (t.endsWith("s") && !t.startsWith("p")) {
            return Duration.ofMillis(new java.math.BigDecimal(t.substring(0, t.length() - 1)).movePointRight(3).longValueExact());
        }
        if (t.endsWith("m") && !t.startsWith("p")) {
            return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
        }
        if (t.startsWith("p")) {
            return Duration.parse(text.trim());
        }
        return Duration.ofMillis(Long.parseLong(t));
    }
}
