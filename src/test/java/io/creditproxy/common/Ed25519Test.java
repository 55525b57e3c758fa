package io.creditproxy.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Ed25519Test {

    private static final byte[] MESSAGE = "request\nuser\n1700000000\nabc".getBytes(StandardCharsets.UTF_8);

    @Test
    void signatureVerifiesWithTheSameKeyOnly() {
        KeyPair keys = Ed25519.generateKeyPair();
        KeyPair other = Ed25519.generateKeyPair();
        byte[] signature = Ed25519.sign(keys.getPrivate(), MESSAGE);

        assertThat(signature).hasSize(64);
        assertThat(Ed25519.verify(keys.getPublic(), MESSAGE, signature)).isTrue();
        assertThat(Ed25519.verify(other.getPublic(), MESSAGE, signature)).isFalse();
        assertThat(Ed25519.verify(keys.getPublic(), "another".getBytes(StandardCharsets.UTF_8), signature)).isFalse();
    }

    @Test
    void hexSignaturesRoundTripAndGarbageIsRejectedWithoutThrowing() {
        KeyPair keys = Ed25519.generateKeyPair();
        String hex = Ed25519.signHex(keys.getPrivate(), MESSAGE);

        assertThat(hex).hasSize(128).matches("[0-9a-f]+");
        assertThat(Ed25519.verifyHex(keys.getPublic(), MESSAGE, hex)).isTrue();
        assertThat(Ed25519.verifyHex(keys.getPublic(), MESSAGE, hex.toUpperCase())).isTrue();
        char flipped = hex.charAt(10) == '0' ? '1' : '0';
        String tampered = hex.substring(0, 10) + flipped + hex.substring(11);
        assertThat(Ed25519.verifyHex(keys.getPublic(), MESSAGE, tampered)).isFalse();
        assertThat(Ed25519.verifyHex(keys.getPublic(), MESSAGE, "not hex")).isFalse();
        assertThat(Ed25519.verifyHex(keys.getPublic(), MESSAGE, "abcd")).isFalse();
        assertThat(Ed25519.verifyHex(keys.getPublic(), MESSAGE, null)).isFalse();
    }

    @Test
    void jwkXIsTheRaw32ByteKeyAndDecodesBackToAWorkingKey() {
        KeyPair keys = Ed25519.generateKeyPair();
        String x = Ed25519.toJwkX(keys.getPublic());

        assertThat(x).doesNotContain("=", "+", "/");
        assertThat(Base64.getUrlDecoder().decode(x)).hasSize(32);
        PublicKey decoded = Ed25519.fromJwkX(x);
        assertThat(decoded.getEncoded()).isEqualTo(keys.getPublic().getEncoded());
        assertThat(Ed25519.verify(decoded, MESSAGE, Ed25519.sign(keys.getPrivate(), MESSAGE))).isTrue();
    }

    @Test
    void decodesTheRfc8037TestVector() {
        // RFC 8037 appendix A.1/A.4: the public key and the signature of "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
        PublicKey key = Ed25519.fromJwkX("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
        byte[] input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc".getBytes(StandardCharsets.US_ASCII);
        byte[] signature = Base64.getUrlDecoder().decode(
                "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg");
        assertThat(Ed25519.verify(key, input, signature)).isTrue();
        assertThat(Ed25519.toJwkX(key)).isEqualTo("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
    }

    @Test
    void rejectsKeysOfTheWrongLength() {
        assertThatThrownBy(() -> Ed25519.fromJwkX(Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[31])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ed25519.fromJwkX("%%%")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void falWebhookMessageIsTheDocumentedConcatenation() {
        byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        String expected = "req-1\nuser-1\n1700000000\n" + Hashing.sha256Hex(body);
        assertThat(new String(Ed25519.falWebhookMessage("req-1", "user-1", "1700000000", body), StandardCharsets.UTF_8))
                .isEqualTo(expected);
        assertThat(HexFormat.of().parseHex(Hashing.sha256Hex(body))).hasSize(32);
    }
}
