package io.creditproxy.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The packaged application ({@code target/quarkus-app}) as a child process on a free port, in the production
 * profile (no JWT key files unless asked for: instances of one database share the pair kept in PostgreSQL), for the
 * tests that need a real second instance, a real {@code kill -9} or a real start. Its output goes to
 * {@code target/reliability-logs/NAME.log}. Children are always ended: by {@link #close()}, and by a shutdown hook
 * should the test JVM end first.
 */
public final class ProxyProcess implements AutoCloseable {

    public static final String OPERATOR_KEY = "it-operator-key-id:it-operator-key-secret";
    public static final String ADMIN_USER = "it-admin";
    public static final String ADMIN_PASSWORD = "it-admin-password-0123456789";

    private static Path jwtDir;

    private final String name;
    private final int port;
    private final int managementPort;
    private final Process process;
    private final Path log;
    /** where this run's output starts in the (appended) log file */
    private final long logStart;

    private ProxyProcess(String name, int port, int managementPort, Process process, Path log, long logStart) {
        this.name = name;
        this.port = port;
        this.managementPort = managementPort;
        this.process = process;
        this.log = log;
        this.logStart = logStart;
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
    }

    public static Path appDir() {
        Path dir = Path.of(System.getProperty("quarkus.app.dir", "target/quarkus-app"));
        if (!Files.exists(dir.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException(dir + "/quarkus-run.jar is missing: these tests run after `./mvnw package` "
                    + "(they are failsafe tests of `./mvnw verify`)");
        }
        return dir;
    }

    /**
     * Starts an instance and waits until it answers. It runs with only what a person must choose (plus the fal
     * upstream of the test): no JWT key files, so its admin tokens are signed with the pair kept in PostgreSQL.
     *
     * @param upstream the fal queue URL it forwards to (null: none, e.g. with FAL_UPSTREAM=sandbox)
     * @param extraEnv more settings (e.g. SETTLEMENT_ORPHAN_AFTER, {@link #jwtKeyFiles()}); a null value removes the
     *                 variable (e.g. FAL_KEY)
     */
    public static ProxyProcess start(String name, String jdbcUrl, String redisUrl, String upstream, Map<String, String> extraEnv) {
        ProxyProcess p = launch(name, jdbcUrl, redisUrl, upstream, extraEnv);
        p.awaitUp();
        return p;
    }

    /** Starts an instance without waiting for it (for starts that are meant to fail: see {@link #awaitExit}). */
    public static ProxyProcess launch(String name, String jdbcUrl, String redisUrl, String upstream, Map<String, String> extraEnv) {
        int port = freePort();
        int managementPort = freePort();
        Path logs = Path.of("target", "reliability-logs");
        try {
            Files.createDirectories(logs);
            Path log = logs.resolve(name + ".log");
            List<String> command = new ArrayList<>(List.of(javaBin(), "-Xmx256m", "-jar",
                    appDir().resolve("quarkus-run.jar").toString()));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Map<String, String> env = pb.environment();
            // nothing of the test JVM's own overrides may leak into the child
            env.keySet().removeIf(k -> k.startsWith("_TEST_") || k.startsWith("QUARKUS_") || k.startsWith("ADMIN_")
                    || k.startsWith("FAL_") || k.startsWith("SANDBOX_"));
            Map<String, String> settings = new HashMap<>(Map.of(
                    "QUARKUS_HTTP_PORT", Integer.toString(port),
                    "QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl,
                    "QUARKUS_REDIS_HOSTS", redisUrl,
                    "FAL_UPSTREAM", "fal",
                    "FAL_KEY", OPERATOR_KEY,
                    "PROXY_PUBLIC_URL", "http://127.0.0.1:" + port,
                    "ADMIN_BOOTSTRAP_USERNAME", ADMIN_USER,
                    "ADMIN_BOOTSTRAP_PASSWORD", ADMIN_PASSWORD,
                    "QUARKUS_LOG_CONSOLE_JSON", "false"));
            settings.put("FAL_QUEUE_URL", upstream);
            // health and metrics are on the management interface (loopback), each instance on a port of its own
            settings.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
            // every client of these tests is 127.0.0.1, and the tests of the same run (sharing this Redis database)
            // fail logins on purpose: the per-address lock must not stop an unrelated login here
            settings.put("ADMIN_LOGIN_THROTTLE_MAX_FAILURES_PER_ADDRESS", "1000");
            settings.putAll(extraEnv);
            settings.forEach((k, v) -> {
                if (v == null) {
                    env.remove(k);
                } else {
                    env.put(k, v);
                }
            });
            long logStart = Files.exists(log) ? Files.size(log) : 0;
            Files.writeString(log, "==== " + name + " on port " + port + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            return new ProxyProcess(name, port, managementPort, pb.start(), log, logStart);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits for the process to end by itself.
     *
     * @return its exit code
     * @throws IllegalStateException when it is still running after the timeout (it is then killed)
     */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(name + " still ran after " + timeout + ":\n" + tail());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** health and metrics */
    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public Http http() {
        return new Http(baseUrl());
    }

    /** A fresh admin token from this instance's login. */
    public String adminToken() {
        Http.Answer a = http().postJson("/admin/login",
                "{\"username\":\"" + ADMIN_USER + "\",\"password\":\"" + ADMIN_PASSWORD + "\"}");
        if (a.status() != 200) {
            throw new IllegalStateException("login failed: " + a.status() + " " + a.body());
        }
        return a.body().replaceAll(".*\"token\"\\s*:\\s*\"([^\"]+)\".*", "$1");
    }

    /** SIGKILL: no shutdown hook, no draining, nothing written after it. */
    public void kill9() {
        process.destroyForcibly();
        waitFor();
    }

    /** This run's output (the log file keeps earlier runs above it). */
    public String logText() {
        try {
            byte[] all = Files.readAllBytes(log);
            int from = (int) Math.min(logStart, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(Duration.ofSeconds(15).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        waitFor();
    }

    private void waitFor() {
        try {
            process.waitFor(Duration.ofSeconds(30).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitUp() {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail());
            }
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(managementUrl() + "/q/health/live"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(200);
        }
        process.destroyForcibly();
        throw new IllegalStateException(name + " did not start within 120 s:\n" + tail());
    }

    public String tail() {
        String text = logText();
        return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    }

    /**
     * Settings that make an instance sign and verify admin tokens with key files instead of the PostgreSQL pair: one
     * RSA pair for every instance of this JVM.
     */
    public static Map<String, String> jwtKeyFiles() {
        Path dir = jwtKeys();
        return Map.of("ADMIN_JWT_SIGN_KEY_LOCATION", dir.resolve("sign.pem").toString(),
                "ADMIN_JWT_VERIFY_KEY_LOCATION", dir.resolve("verify.pem").toString());
    }

    /** The public key of {@link #jwtKeyFiles()}. */
    public static java.security.PublicKey jwtKeyFilesPublicKey() {
        try {
            String pem = Files.readString(jwtKeys().resolve("verify.pem"));
            byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
            return java.security.KeyFactory.getInstance("RSA").generatePublic(new java.security.spec.X509EncodedKeySpec(der));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static synchronized Path jwtKeys() {
        if (jwtDir == null) {
            try {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(2048);
                KeyPair pair = g.generateKeyPair();
                Path dir = Files.createTempDirectory("proxy-it-jwt");
                Files.writeString(dir.resolve("sign.pem"), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
                Files.writeString(dir.resolve("verify.pem"), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
                dir.toFile().deleteOnExit();
                dir.resolve("sign.pem").toFile().deleteOnExit();
                dir.resolve("verify.pem").toFile().deleteOnExit();
                jwtDir = dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return jwtDir;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
