package io.creditproxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The packaged application in the production profile (issue 11, item 9): without {@code PROXY_PUBLIC_URL} or
 * {@code PROXY_ALLOWED_HOSTS} it refuses to start and says why (the proxy's own fal webhook URL and every rewritten
 * link would otherwise come from a Host header the client chooses); with an allow-list it starts and refuses other
 * hosts with 421.
 */
class PublicUrlStartupIT {

    @Test
    void productionWithoutAPublicUrlOrAllowedHostsRefusesToStart() throws IOException {
        String jdbc = ItEnvironment.freshDatabase("publicurl");
        Path log = Path.of("target", "reliability-logs", "publicurl-missing.log");
        Files.deleteIfExists(log);

        assertThatThrownBy(() -> ProxyProcess.start("publicurl-missing", jdbc, ItEnvironment.redisUrl(),
                "http://127.0.0.1:9", Map.of("PROXY_PUBLIC_URL", "")).close())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with");
        assertThat(Files.readString(log, StandardCharsets.UTF_8))
                .contains("Set PROXY_PUBLIC_URL (the base URL tenants reach the proxy at")
                .contains("PROXY_ALLOWED_HOSTS");
    }

    @Test
    void productionWithAnAllowListStartsAndRefusesOtherHosts() {
        String jdbc = ItEnvironment.freshDatabase("publichosts");
        try (ProxyProcess proxy = ProxyProcess.start("publicurl-hosts", jdbc, ItEnvironment.redisUrl(), "http://127.0.0.1:9",
                Map.of("PROXY_PUBLIC_URL", "", "PROXY_ALLOWED_HOSTS", "127.0.0.1, proxy.example.com"))) {
            int port = Integer.parseInt(proxy.baseUrl().substring(proxy.baseUrl().lastIndexOf(':') + 1));
            String path = "/fal-ai/flux-1/requests/00000000-0000-0000-0000-000000000000/status";
            // an allowed host goes on to authentication (no key: 401); any other host is refused before that
            assertThat(get(port, path, "127.0.0.1:" + port)).startsWith("HTTP/1.1 401");
            assertThat(get(port, path, "proxy.example.com")).startsWith("HTTP/1.1 401");
            String refused = get(port, path, "evil.example");
            assertThat(refused).startsWith("HTTP/1.1 421").contains("\"misdirected_request\"");
            assertThat(proxy.logText()).contains("Public URL: from the request's host, one of [127.0.0.1, proxy.example.com]");
        }
    }

    /** A GET with exactly the Host header given (HTTP clients insist on their own). @return the whole answer */
    private static String get(int port, String path, String host) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            return all.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
