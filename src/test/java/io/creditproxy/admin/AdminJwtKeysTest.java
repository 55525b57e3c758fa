package io.creditproxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditproxy.observability.SecretRedactor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the admin JWT keys come from: configured keys win; nothing configured means the PostgreSQL pair. */
class AdminJwtKeysTest {

    @TempDir
    Path dir;

    @Test
    void withoutConfiguredKeysThePairInPostgresqlIsUsed() {
        assertThat(AdminJwtKeys.fromConfiguration(name -> Optional.empty())).isEmpty();
        assertThat(AdminJwtKeys.fromConfiguration(config(Map.of(JwtKeysConfigSourceFactory.SIGN_KEY_LOCATION, " "))))
                .as("a blank value is not a configured key").isEmpty();
    }

    @Test
    void keyFilesThatLoadWin() throws Exception {
        KeyPair pair = JwtKeyStore.generate();
        Path priv = write("private.pem", JwtKeyStore.pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        Path pub = write("public.pem", JwtKeyStore.pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        Optional<AdminJwtKeys.Keys> keys = AdminJwtKeys.fromConfiguration(config(Map.of(
                JwtKeysConfigSourceFactory.SIGN_KEY_LOCATION, priv.toString(),
                JwtKeysConfigSourceFactory.VERIFY_KEY_LOCATION, "file:" + pub)));
        assertThat(keys).isPresent();
        assertThat(keys.get().signing().getEncoded()).isEqualTo(pair.getPrivate().getEncoded());
        assertThat(keys.get().verification().getEncoded()).isEqualTo(pair.getPublic().getEncoded());
        assertThat(keys.get().source()).contains(priv.toString()).doesNotContain("BEGIN");
    }

    @Test
    void halfConfiguredKeysStopTheStart() throws Exception {
        KeyPair pair = JwtKeyStore.generate();
        Path priv = write("private.pem", JwtKeyStore.pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        assertThatThrownBy(() -> AdminJwtKeys.fromConfiguration(config(Map.of(
                JwtKeysConfigSourceFactory.SIGN_KEY_LOCATION, priv.toString()))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("mp.jwt.verify.publickey.location is not set (the verification key)")
                .hasMessageContaining("ADMIN_JWT_VERIFY_KEY_LOCATION")
                .satisfies(AdminJwtKeysTest::survivesTheLogRedactor);
    }

    @Test
    void missingOrUnreadableKeysAreNamed() throws Exception {
        Path garbage = write("garbage.pem", "not a key");
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> AdminJwtKeys.fromConfiguration(config(Map.of(
                JwtKeysConfigSourceFactory.SIGN_KEY_LOCATION, missing.toString(),
                JwtKeysConfigSourceFactory.VERIFY_KEY_LOCATION, garbage.toString()))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the signing key: " + missing + " cannot be read")
                .hasMessageContaining("the verification key: " + garbage + " cannot be read")
                .satisfies(AdminJwtKeysTest::survivesTheLogRedactor);
    }

    @Test
    void keysOfTwoDifferentPairsAreRefused() throws Exception {
        Path priv = write("a.pem", JwtKeyStore.pem("PRIVATE KEY", JwtKeyStore.generate().getPrivate().getEncoded()));
        Path pub = write("b.pem", JwtKeyStore.pem("PUBLIC KEY", JwtKeyStore.generate().getPublic().getEncoded()));
        assertThatThrownBy(() -> AdminJwtKeys.fromConfiguration(config(Map.of(
                JwtKeysConfigSourceFactory.SIGN_KEY_LOCATION, priv.toString(),
                JwtKeysConfigSourceFactory.VERIFY_KEY_LOCATION, pub.toString()))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("do not belong together")
                .satisfies(AdminJwtKeysTest::survivesTheLogRedactor);
    }

    /** the redactor masks the word after "key ": a start-up message must still say what to fix */
    private static void survivesTheLogRedactor(Throwable e) {
        assertThat(SecretRedactor.maskPatterns(e.getMessage())).isEqualTo(e.getMessage());
    }

    @Test
    void onlyTestsRunOnAPerJvmPair() {
        assertThat(JwtKeysConfigSourceFactory.appliesTo(List.of("test"))).isTrue();
        assertThat(JwtKeysConfigSourceFactory.appliesTo(List.of("dev"))).as("dev uses the PostgreSQL pair").isFalse();
        assertThat(JwtKeysConfigSourceFactory.appliesTo(List.of("prod"))).isFalse();
        assertThat(JwtKeysConfigSourceFactory.appliesTo(List.of("staging"))).isFalse();
        assertThat(JwtKeysConfigSourceFactory.appliesTo(List.of("test", "prod"))).isFalse();
    }

    private Path write(String name, String content) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, content, StandardCharsets.US_ASCII);
        return file;
    }

    private static Function<String, Optional<String>> config(Map<String, String> values) {
        return name -> Optional.ofNullable(values.get(name));
    }
}
