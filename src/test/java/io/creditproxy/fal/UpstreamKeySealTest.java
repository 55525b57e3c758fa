package io.creditproxy.fal;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.common.Hashing;
import io.creditproxy.common.SecretSeal;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An upstream account's key at rest: sealed under ADMIN_JWT_KEY_SECRET when set, bound to the key's hash. */
class UpstreamKeySealTest {

    private static final String KEY = "0f1e2d3c-key-id:a-secret-nobody-knows";
    private static final String HASH = Hashing.sha256Hex(KEY);

    @Test
    void withTheSecretTheKeyIsStoredEncryptedAndOpensOnlyWithTheSecretAndItsOwnRow() {
        UpstreamAccounts.StoredKey stored = UpstreamAccounts.sealKey(KEY, HASH, Optional.of("operator-secret"));
        assertThat(stored.encryption()).isEqualTo(SecretSeal.SCHEME);
        assertThat(stored.value()).doesNotContain("a-secret-nobody-knows").isNotEqualTo(KEY);
        assertThat(stored.salt()).isNotBlank();
        assertThat(stored.iv()).isNotBlank();
        assertThat(UpstreamAccounts.openKey(stored, HASH, "operator-secret")).isEqualTo(KEY);
        assertThat(UpstreamAccounts.openKey(stored, HASH, "another-secret")).isNull();
        // the ciphertext of one account's row does not open as another's
        assertThat(UpstreamAccounts.openKey(stored, Hashing.sha256Hex("other"), "operator-secret")).isNull();
    }

    @Test
    void withoutTheSecretTheKeyIsStoredAsItIs() {
        UpstreamAccounts.StoredKey stored = UpstreamAccounts.sealKey(KEY, HASH, Optional.empty());
        assertThat(stored.encryption()).isEqualTo("none");
        assertThat(stored.value()).isEqualTo(KEY);
    }

    @Test
    void thePrefixShowsNoMoreThanTheStartOfTheKeyId() {
        assertThat(UpstreamAccounts.prefixOf(KEY)).isEqualTo("0f1e2…").doesNotContain("secret");
        assertThat(UpstreamAccounts.prefixOf("short:k")).isEqualTo("sh…");
    }
}
