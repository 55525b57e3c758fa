package io.creditproxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admin JWT pair kept in PostgreSQL: one pair whoever starts first, the same pair after a restart, and the
 * private key encrypted at rest when a secret is configured. (The test application itself signs with the tests'
 * per-JVM pair, so this table is this class's alone.)
 */
@QuarkusTest
class JwtKeyStoreTest {

    @Inject
    JwtKeyStore store;

    @Inject
    AgroalDataSource dataSource;

    @BeforeEach
    void empty() throws Exception {
        sql("DELETE FROM admin_jwt_keys");
    }

    @Test
    void twoInstancesStartingAtOnceEndUpWithTheSamePair() throws Exception {
        // both have generated their candidate before either inserts: the worst interleaving, every time
        CyclicBarrier bothGenerated = new CyclicBarrier(2);
        Supplier<KeyPair> generator = () -> {
            KeyPair pair = JwtKeyStore.generate();
            try {
                bothGenerated.await(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return pair;
        };
        CompletableFuture<JwtKeyStore.StoredPair> a = CompletableFuture.supplyAsync(() -> store.loadOrCreate(Optional.empty(), generator));
        CompletableFuture<JwtKeyStore.StoredPair> b = CompletableFuture.supplyAsync(() -> store.loadOrCreate(Optional.empty(), generator));
        JwtKeyStore.StoredPair first = a.get(60, TimeUnit.SECONDS);
        JwtKeyStore.StoredPair second = b.get(60, TimeUnit.SECONDS);

        assertThat(List.of(first.generated(), second.generated())).as("exactly one stored its pair")
                .containsExactlyInAnyOrder(true, false);
        assertThat(first.pair().getPublic().getEncoded()).isEqualTo(second.pair().getPublic().getEncoded());
        assertThat(first.pair().getPrivate().getEncoded()).isEqualTo(second.pair().getPrivate().getEncoded());
        assertThat(first.fingerprint()).isEqualTo(second.fingerprint());
        assertThat(JwtKeyStore.isPair(first.pair().getPrivate(), second.pair().getPublic())).isTrue();
        assertThat(scalar("SELECT count(*) FROM admin_jwt_keys")).isEqualTo("1");
    }

    @Test
    void aRestartReadsTheStoredPairAndGeneratesNothing() {
        JwtKeyStore.StoredPair created = store.loadOrCreate(Optional.empty());
        assertThat(created.generated()).isTrue();
        assertThat(created.encrypted()).isFalse();

        JwtKeyStore.StoredPair again = store.loadOrCreate(Optional.empty(), () -> {
            throw new AssertionError("a stored pair must not be generated again");
        });
        assertThat(again.generated()).isFalse();
        assertThat(again.pair().getPrivate().getEncoded()).isEqualTo(created.pair().getPrivate().getEncoded());
        assertThat(again.fingerprint()).isEqualTo(created.fingerprint());
    }

    @Test
    void withASecretThePrivateKeyIsEncryptedAtRestAndNeedsTheSecret() throws Exception {
        JwtKeyStore.StoredPair created = store.loadOrCreate(Optional.of("a-long-operator-secret"));
        assertThat(created.encrypted()).isTrue();
        String stored = scalar("SELECT private_key FROM admin_jwt_keys");
        assertThat(stored).doesNotContain("PRIVATE KEY");
        assertThat(java.util.Base64.getDecoder().decode(stored)).isNotEqualTo(created.pair().getPrivate().getEncoded());
        assertThat(scalar("SELECT encryption FROM admin_jwt_keys")).isEqualTo("aes-256-gcm/pbkdf2-sha256");

        JwtKeyStore.StoredPair reopened = store.loadOrCreate(Optional.of("a-long-operator-secret"));
        assertThat(reopened.pair().getPrivate().getEncoded()).isEqualTo(created.pair().getPrivate().getEncoded());

        assertThatThrownBy(() -> store.loadOrCreate(Optional.of("another-secret")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ADMIN_JWT_KEY_SECRET does not decrypt");
        assertThatThrownBy(() -> store.loadOrCreate(Optional.empty()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is encrypted: set ADMIN_JWT_KEY_SECRET");
    }

    @Test
    void aPlainStoredKeyIsEncryptedInPlaceOnceASecretIsSet() throws Exception {
        JwtKeyStore.StoredPair plain = store.loadOrCreate(Optional.empty());
        assertThat(scalar("SELECT private_key FROM admin_jwt_keys")).contains("BEGIN PRIVATE KEY");

        JwtKeyStore.StoredPair sealed = store.loadOrCreate(Optional.of("a-long-operator-secret"));
        assertThat(sealed.encrypted()).isTrue();
        assertThat(sealed.pair().getPrivate().getEncoded()).isEqualTo(plain.pair().getPrivate().getEncoded());
        assertThat(scalar("SELECT private_key FROM admin_jwt_keys")).doesNotContain("PRIVATE KEY");
        assertThat(store.loadOrCreate(Optional.of("a-long-operator-secret")).fingerprint()).isEqualTo(plain.fingerprint());
    }

    @Test
    void aStoredKeyThatWasTamperedWithIsRefused() throws Exception {
        store.loadOrCreate(Optional.empty());
        // someone swaps in another public key: the stored private key no longer belongs to it
        String otherPublic = JwtKeyStore.pem("PUBLIC KEY", JwtKeyStore.generate().getPublic().getEncoded());
        sql("UPDATE admin_jwt_keys SET public_key = '" + otherPublic + "'");
        assertThatThrownBy(() -> store.loadOrCreate(Optional.empty()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the stored private and public keys do not belong together");
    }

    private void sql(String statement) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private String scalar(String query) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(query)) {
            r.next();
            return r.getString(1);
        }
    }
}
