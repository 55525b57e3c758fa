package io.creditproxy.webhook;

import io.creditproxy.common.Ed25519;
import io.creditproxy.common.SecretSeal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The Ed25519 key pairs that sign tenants' webhooks, kept in PostgreSQL ({@code webhook_signing_keys}, V17) like the
 * admin JWT pair ({@code admin_jwt_keys}, V8): generated once by the first instance that finds no active key, read
 * back by every instance, the private key encrypted at rest with {@code ADMIN_JWT_KEY_SECRET} when it is set
 * ({@link SecretSeal}). Each key has a {@code kid}; every key not retired is published in the JWKS.
 */
@ApplicationScoped
@Transactional
public class WebhookSigningKeyStore {

    private static final String NONE = "none";

    private final EntityManager em;

    public WebhookSigningKeyStore(EntityManager em) {
        this.em = em;
    }

    /** The key that signs, with whether this call generated it. */
    public record ActiveKey(String kid, KeyPair pair, boolean generated, boolean encrypted) {
    }

    /** A public key as the JWKS publishes it. */
    public record PublishedKey(String kid, String x) {
    }

    /**
     * The active key, generated and stored first when there is none. Instances racing here each generate a candidate;
     * the unique index on the active key keeps the first and the others read that one back.
     *
     * @throws IllegalStateException when the stored key is encrypted and the secret is missing or wrong
     */
    public ActiveKey loadOrCreate(Optional<String> secret) {
        Optional<String> usable = secret.filter(s -> !s.isEmpty());
        Optional<Object[]> row = readActive();
        boolean generated = false;
        if (row.isEmpty()) {
            generated = insert(Ed25519.generateKeyPair(), usable);
            row = readActive();
        }
        Object[] r = row.orElseThrow(() -> new IllegalStateException("webhook_signing_keys has no active key after the insert"));
        String kid = (String) r[0];
        String x = (String) r[1];
        String encryption = (String) r[3];
        KeyPair pair = open(kid, x, (String) r[2], encryption, (String) r[4], r[5] == null ? null : ((Number) r[5]).intValue(),
                (String) r[6], usable);
        boolean encrypted = !NONE.equals(encryption);
        if (usable.isPresent() && !encrypted) {
            encryptInPlace(kid, x, pair.getPrivate(), usable.get());
            encrypted = true;
        }
        return new ActiveKey(kid, pair, generated, encrypted);
    }

    /** Every key not retired, oldest first: what the JWKS publishes. */
    public List<PublishedKey> published() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        SELECT kid, public_key_x FROM webhook_signing_keys
                        WHERE retired_at IS NULL OR retired_at > now() ORDER BY created_at, kid""")
                .getResultList();
        return rows.stream().map(r -> new PublishedKey((String) r[0], (String) r[1])).toList();
    }

    private Optional<Object[]> readActive() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        SELECT kid, public_key_x, private_key, encryption, kdf_salt, kdf_iterations, cipher_iv
                        FROM webhook_signing_keys WHERE active""")
                .getResultList();
        return rows.stream().findFirst();
    }

    private boolean insert(KeyPair pair, Optional<String> secret) {
        String x = Ed25519.toJwkX(pair.getPublic());
        // a kid that says what it is and when, and cannot collide between instances generating at once
        String kid = "credit-proxy-" + java.time.LocalDate.now(java.time.ZoneOffset.UTC) + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        byte[] pkcs8 = pair.getPrivate().getEncoded();
        Base64.Encoder b64 = Base64.getEncoder();
        if (secret.isEmpty()) {
            // no null parameters: a typeless null does not bind to the integer column
            return em.createNativeQuery("""
                            INSERT INTO webhook_signing_keys (kid, algorithm, public_key_x, private_key, encryption)
                            VALUES (?1, 'Ed25519', ?2, ?3, 'none')
                            ON CONFLICT DO NOTHING""")
                    .setParameter(1, kid)
                    .setParameter(2, x)
                    .setParameter(3, b64.encodeToString(pkcs8))
                    .executeUpdate() == 1;
        }
        SecretSeal.Sealed sealed = SecretSeal.seal(pkcs8, secret.get(), associatedData(kid, x));
        return em.createNativeQuery("""
                        INSERT INTO webhook_signing_keys
                            (kid, algorithm, public_key_x, private_key, encryption, kdf_salt, kdf_iterations, cipher_iv)
                        VALUES (?1, 'Ed25519', ?2, ?3, ?4, ?5, ?6, ?7)
                        ON CONFLICT DO NOTHING""")
                .setParameter(1, kid)
                .setParameter(2, x)
                .setParameter(3, b64.encodeToString(sealed.ciphertext()))
                .setParameter(4, SecretSeal.SCHEME)
                .setParameter(5, b64.encodeToString(sealed.salt()))
                .setParameter(6, sealed.iterations())
                .setParameter(7, b64.encodeToString(sealed.iv()))
                .executeUpdate() == 1;
    }

    private void encryptInPlace(String kid, String x, PrivateKey key, String secret) {
        Base64.Encoder b64 = Base64.getEncoder();
        SecretSeal.Sealed sealed = SecretSeal.seal(key.getEncoded(), secret, associatedData(kid, x));
        em.createNativeQuery("""
                        UPDATE webhook_signing_keys SET private_key = ?1, encryption = ?2, kdf_salt = ?3,
                            kdf_iterations = ?4, cipher_iv = ?5
                        WHERE kid = ?6 AND encryption = 'none'""")
                .setParameter(1, b64.encodeToString(sealed.ciphertext()))
                .setParameter(2, SecretSeal.SCHEME)
                .setParameter(3, b64.encodeToString(sealed.salt()))
                .setParameter(4, sealed.iterations())
                .setParameter(5, b64.encodeToString(sealed.iv()))
                .setParameter(6, kid)
                .executeUpdate();
    }

    /** The ciphertext opens only next to its own kid and public key. */
    private static String associatedData(String kid, String x) {
        return kid + "\n" + x;
    }

    private static KeyPair open(String kid, String x, String privateKey, String encryption, String salt,
                                Integer iterations, String iv, Optional<String> secret) {
        Base64.Decoder b64 = Base64.getDecoder();
        byte[] pkcs8;
        if (NONE.equals(encryption)) {
            pkcs8 = b64.decode(privateKey);
        } else if (SecretSeal.SCHEME.equals(encryption)) {
            if (secret.isEmpty()) {
                throw new IllegalStateException("The webhook signing private key, stored in PostgreSQL "
                        + "(webhook_signing_keys), is encrypted: set ADMIN_JWT_KEY_SECRET to the secret it was encrypted with.");
            }
            try {
                pkcs8 = SecretSeal.open(new SecretSeal.Sealed(b64.decode(privateKey), b64.decode(salt), iterations,
                        b64.decode(iv)), secret.get(), associatedData(kid, x));
            } catch (SecretSeal.WrongSecretException e) {
                throw new IllegalStateException("ADMIN_JWT_KEY_SECRET does not decrypt the webhook signing private key, "
                        + "stored in PostgreSQL (webhook_signing_keys): set the secret it was encrypted with.");
            }
        } else {
            throw new IllegalStateException("webhook_signing_keys: unknown encryption '" + encryption + "'");
        }
        try {
            PublicKey pub = Ed25519.fromJwkX(x);
            PrivateKey priv = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            byte[] sample = "credit-proxy webhook key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            if (!Ed25519.verify(pub, sample, Ed25519.sign(priv, sample))) {
                throw new IllegalStateException("webhook_signing_keys: the stored private and public keys of " + kid
                        + " do not belong together");
            }
            return new KeyPair(pub, priv);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("webhook_signing_keys: the stored keys of " + kid + " cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
    }
}
