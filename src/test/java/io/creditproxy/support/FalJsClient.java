package io.creditproxy.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.RestAssured;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a script of src/test/node with fal's real JS client ({@code @fal-ai/client}, pinned there) against the test
 * proxy: {@code PROXY_URL} is the proxy, the rest of the environment is the caller's. The script prints one JSON line
 * last, which is returned. Skips the calling test when {@code npm ci} has not been run there or node is missing.
 */
public final class FalJsClient {

    private static final Path NODE_DIR = Path.of("src/test/node");

    private FalJsClient() {
    }

    /** Skips the calling test unless node and the installed client are there. */
    public static void assumeInstalled() {
        assumeTrue(Files.isDirectory(NODE_DIR.resolve("node_modules/@fal-ai/client")),
                "run `npm ci` in src/test/node to run fal's JS client against the proxy");
        assumeTrue(nodeAvailable(), "node is not on the PATH");
    }

    /** Runs {@code node script} (at most 120 s, exit code 0 asserted) and reads its last output line as JSON. */
    public static JsonNode run(String script, Map<String, String> env) throws Exception {
        File log = Files.createTempFile("fal-js", ".log").toFile();
        ProcessBuilder pb = new ProcessBuilder("node", script).directory(NODE_DIR.toFile()).redirectError(log);
        pb.environment().put("PROXY_URL", "http://localhost:" + RestAssured.port);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        String err = Files.readString(log.toPath());
        if (!done) {
            p.destroyForcibly();
        }
        assertThat(done && p.exitValue() == 0).as("node " + script + ": " + out + err).isTrue();
        String last = out.strip().lines().reduce((a, b) -> b).orElse("");
        return new ObjectMapper().readTree(last);
    }

    private static boolean nodeAvailable() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
