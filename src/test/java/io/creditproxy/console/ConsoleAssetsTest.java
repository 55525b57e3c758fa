package io.creditproxy.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The console's files are served by the application (not swallowed by the passthrough), with no CDN anywhere. */
@QuarkusTest
class ConsoleAssetsTest {

    private static final Path STATIC = Path.of("src/main/resources/META-INF/resources/console");
    private static final Path VENDOR = STATIC.resolve("vendor/chart.js");

    @Test
    void theConsoleIsServedAtSlashConsole() {
        given().redirects().follow(false).when().get("/console/").then().statusCode(200)
                .contentType(containsString("text/html"))
                .header("Content-Security-Policy", containsString("default-src 'self'"))
                .header("X-Content-Type-Options", "nosniff")
                .body(containsString("credit-proxy console"));
        Response bare = given().redirects().follow(false).when().get("/console");
        assertThat(bare.statusCode()).isEqualTo(301);
        assertThat(bare.header("Location")).isEqualTo("/console/");
        for (String file : List.of("js/app.js", "js/views/reports.js", "js/views/portal.js", "js/views/upstreams.js", "console.css", "vendor/chart.js/chart.umd.min.js")) {
            given().when().get("/console/" + file).then().statusCode(200);
        }
        given().when().get("/console/js/app.js").then().contentType(containsString("javascript"));
    }

    @Test
    void nothingIsLoadedFromAnotherHost() throws IOException {
        Pattern external = Pattern.compile("(?i)(src|href)\\s*=\\s*[\"']?(https?:)?//|@import|url\\(\\s*[\"']?(https?:)?//|import\\s.*from\\s*[\"']https?:");
        try (Stream<Path> files = Files.walk(STATIC)) {
            for (Path f : files.filter(Files::isRegularFile).filter(p -> !p.startsWith(VENDOR)).toList()) {
                String text = Files.readString(f);
                assertThat(external.matcher(text).find()).as("%s loads something from another host", f).isFalse();
                assertThat(text).as("%s", f).doesNotContain("cdn.", "unpkg", "jsdelivr", "googleapis");
            }
        }
    }

    @Test
    void theChartLibraryIsTheOnePinnedInPackageLockWithItsLicence() throws IOException, NoSuchAlgorithmException {
        String lock = Files.readString(Path.of("console/package-lock.json"));
        Matcher pinned = Pattern.compile("\"node_modules/chart\\.js\":\\s*\\{\\s*\"version\":\\s*\"([^\"]+)\"").matcher(lock);
        assertThat(pinned.find()).as("chart.js in console/package-lock.json").isTrue();
        String version = Files.readString(VENDOR.resolve("VERSION"));
        assertThat(version).startsWith("chart.js " + pinned.group(1) + " MIT ");
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(VENDOR.resolve("chart.umd.min.js"))));
        assertThat(version).as("the copy is byte for byte the package's file").contains("sha256=" + sha);
        assertThat(Files.readString(VENDOR.resolve("chart.umd.min.js"))).contains("Chart.js v" + pinned.group(1));
        assertThat(Files.readString(VENDOR.resolve("LICENSE.md"))).contains("MIT");
        assertThat(Files.readString(VENDOR.resolve("LICENSE-kurkle-color.md"))).contains("MIT");
    }
}
