package io.creditproxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start-up rules of production, checked without starting an application. */
class AdminStartupTest {

    @TempDir
    Path dir;

    @Test
    void withoutKeysProductionCannotStart() {
        List<String> problems = AdminStartup.jwtKeyProblems(name -> Optional.empty());
        assertThat(problems).containsExactly(
                "no signing key (smallrye.jwt.sign.key.location)",
                "no verification key (mp.jwt.verify.publickey.location)");
    }

    @Test
    void keyFilesThatLoadAreAccepted() throws Exception {
        KeyPair pair = rsa();
        Path priv = dir.resolve("private.pem");
        Path pub = dir.resolve("public.pem");
        Files.writeString(priv, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
        Files.writeString(pub, pem("PUBLIC KEY", pair.getPublic().getEncoded()), StandardCharsets.US_ASCII);
        Map<String, String> config = Map.of(
                "smallrye.jwt.sign.key.location", priv.toString(),
                "mp.jwt.verify.publickey.location", "file:" + pub);
        assertThat(AdminStartup.jwtKeyProblems(name -> Optional.ofNullable(config.get(name)))).isEmpty();
    }

    @Test
    void missingOrUnreadableKeysAreNamed() throws Exception {
        Path garbage = dir.resolve("garbage.pem");
        Files.writeString(garbage, "not a key");
        Map<String, String> config = Map.of(
                "smallrye.jwt.sign.key.location", dir.resolve("missing.pem").toString(),
                "mp.jwt.verify.publickey.location", garbage.toString());
        List<String> problems = AdminStartup.jwtKeyProblems(name -> Optional.ofNullable(config.get(name)));
        assertThat(problems).hasSize(2);
        assertThat(problems.get(0)).startsWith("the signing key at " + dir.resolve("missing.pem") + " cannot be read");
        assertThat(problems.get(1)).startsWith("the verification key at " + garbage + " cannot be read");
    }

    @Test
    void bootstrapNeedsAUsernameAndAStrongEnoughPassword() {
        assertThat(AdminStartup.bootstrapProblem(Optional.empty(), Optional.empty())).isNotNull();
        assertThat(AdminStartup.bootstrapProblem(Optional.of("root"), Optional.empty())).isNotNull();
        assertThat(AdminStartup.bootstrapProblem(Optional.of("root"), Optional.of("short"))).contains("at least 12");
        assertThat(AdminStartup.bootstrapProblem(Optional.of("bad name"), Optional.of("long-enough-pw"))).isNotNull();
        assertThat(AdminStartup.bootstrapProblem(Optional.of("root"), Optional.of("long-enough-pw"))).isNull();
        // long enough but common: production refuses to start with it
        for (String common : List.of("password1234", "qwertyuiop123", "Password123!", "aaaaaaaaaaaa", "123456789012")) {
            assertThat(AdminStartup.bootstrapProblem(Optional.of("root"), Optional.of(common)))
                    .as(common).contains("too easy to guess");
        }
        // the documented dev and test defaults pass the same rule
        assertThat(AdminStartup.bootstrapProblem(Optional.of("admin"), Optional.of("admin-dev-password"))).isNull();
        assertThat(AdminStartup.bootstrapProblem(Optional.of("admin"), Optional.of("admin-test-password"))).isNull();
    }

    @Test
    void generatedKeysOnlyInDevAndTest() {
        assertThat(JwtKeysConfigSourceFactory.appliesTo(List.of("test"))).isTrue();
        assertThat(JwtKeysConfigSourceFactory.appliesTo(List.of("dev"))).isTrue();
        assertThat(JwtKeysConfigSourceFactory.appliesTo(List.of("prod"))).isFalse();
        assertThat(JwtKeysConfigSourceFactory.appliesTo(List.of("staging"))).isFalse();
        assertThat(JwtKeysConfigSourceFactory.appliesTo(List.of("dev", "prod"))).isFalse();
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
