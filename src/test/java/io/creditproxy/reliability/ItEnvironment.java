package io.creditproxy.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * PostgreSQL, Redis and a fal simulator for the subprocess tests: a fresh database next to the tests' own (the same
 * server as {@code _TEST_QUARKUS_DATASOURCE_JDBC_URL}, name + "_it"), the tests' Redis, and {@code SandboxMain}
 * from the packaged application as a child process.
 */
final class ItEnvironment {

    private ItEnvironment() {
    }

    static String testJdbcUrl() {
        String url = System.getenv("_TEST_QUARKUS_DATASOURCE_JDBC_URL");
        return url == null || url.isBlank() ? "jdbc:postgresql://127.0.0.1:5432/test" : url;
    }

    static String redisUrl() {
        String url = System.getenv("_TEST_QUARKUS_REDIS_HOSTS");
        return url == null || url.isBlank() ? "redis://127.0.0.1:6379/1" : url;
    }

    /** A new, empty database for one test class (dropped first if a previous run left it). */
    static String freshDatabase(String suffix) {
        String base = testJdbcUrl();
        int slash = base.lastIndexOf('/');
        String query = base.contains("?") ? base.substring(base.indexOf('?')) : "";
        String dbName = base.substring(slash + 1).replaceAll("\\?.*", "") + "_" + suffix;
        String server = base.substring(0, slash);
        try (Connection c = DriverManager.getConnection(server + "/postgres" + query, "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + dbName + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + dbName);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return server + "/" + dbName + query;
    }

    /** The fal simulator on a free port; @return the process (its first line is its URL, read into {@code url[0]}) */
    static Process startSandbox(String[] url) {
        String app = ProxyProcess.appDir().toString();
        try {
            Process p = new ProcessBuilder(ProxyProcess.javaBin(), "-Xmx128m", "-cp", app + "/lib/main/*:" + app + "/app/*",
                    "io.creditproxy.sandbox.SandboxMain", "--port", "0", "--queue-delay", "50ms", "--run-delay", "100ms",
                    "--instances", "1")
                    .redirectErrorStream(true).start();
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = CompletableFuture.supplyAsync(() -> {
                try {
                    String line;
                    while ((line = out.readLine()) != null) {
                        if (line.startsWith("fal sandbox listening on ")) {
                            return line.substring("fal sandbox listening on ".length()).trim();
                        }
                    }
                    return null;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).get(60, TimeUnit.SECONDS);
            if (first == null) {
                throw new IllegalStateException("the sandbox did not start");
            }
            // keep draining its output so that it never blocks on a full pipe
            Thread drain = new Thread(() -> {
                try {
                    while (out.readLine() != null) {
                        // discarded
                    }
                } catch (IOException ignored) {
                    // it ended
                }
            }, "sandbox-drain");
            drain.setDaemon(true);
            drain.start();
            url[0] = first;
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("the sandbox did not start", e);
        }
    }
}
