package io.creditproxy.admin;

import io.creditproxy.common.SecretSeal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The admin JWT key pair kept in PostgreSQL ({@code admin_jwt_keys}, one row), for installations without key files:
 * generated once by the first instance that needs it, then read by every instance, so that a token signed by one
 * instance verifies on all of them and across restarts. Optionally encrypted at rest ({@link SecretSeal}).
 */
@ApplicationScoped
public class JwtKeyStore {

    private static final Logger LOG = Logger.getLogger(JwtKeyStore.class);
    static final int RSA_BITS = 2048;
    private static final String NONE = "none";

    private final EntityManager em;

    public JwtKeyStore(EntityManager em) {
        this.em = em;
    }

    /**
     * @param pair        the key pair every instance uses
     * @param generated   true when this call created it (exactly one instance sees true)
     * @param encrypted   whether the private key is encrypted at rest
     * @param fingerprint SHA-256 of the public key (hex, first 16 characters): the same on every instance
     * @param createdAt   when the pair was generated
     */
    public record StoredPair(KeyPair pair, boolean generated, boolean encrypted, String fingerprint, String createdAt) {
    }

    /**
     * Reads the stored pair, or generates and stores one when there is none. Instances racing here each generate a
     * candidate; the insert on the single allowed id keeps the first and the others read that one back.
     *
     * @param secret encrypts the private key at rest when present (and encrypts a plain stored key in place)
     * @throws IllegalStateException when the stored key cannot be opened (encrypted and no or a wrong secret)
     */
    @Transactional
    public StoredPair loadOrCreate(Optional<String> secret) {
        return loadOrCreate(secret, JwtKeyStore::generate);
    }

    @Transactional
    StoredPair loadOrCreate(Optional<String> secret, Supplier<KeyPair> generator) {
        Optional<String> usableSecret = secret.filter(s -> !s.isEmpty());
        Optional<Row> row = read();
        boolean inserted = false;
        if (row.isEmpty()) {
            inserted = insertIfAbsent(Row.of(generator.get(), usableSecret));
            row = read();
        }
        Row stored = row.orElseThrow(() -> new IllegalStateException("admin_jwt_keys has no row after the insert"));
        KeyPair pair = stored.open(usableSecret);
        boolean encrypted = !NONE.equals(stored.encryption);
        if (usableSecret.isPresent() && !encrypted) {
            encryptInPlace(pair, usableSecret.get());
            encrypted = true;
            LOG.info("Admin JWT keys: the copy in PostgreSQL (admin_jwt_keys) is now encrypted with ADMIN_JWT_KEY_SECRET.");
        }
        return new StoredPair(pair, inserted, encrypted, fingerprint(pair.getPublic()), stored.createdAt);
    }

    /** SHA-256 of the public key's DER, first 16 hex characters: identifies the pair in logs without revealing it. */
    static String fingerprint(PublicKey key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded())).substring(0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(RSA_BITS);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is not available", e);
        }
    }

    /** Signs and verifies a sample: a stored private key that does not belong to the public key is refused. */
    static boolean isPair(PrivateKey privateKey, PublicKey publicKey) {
        try {
            byte[] sample = "credit-proxy admin JWT key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance("SHA256withRSA");
            signer.initSign(privateKey);
            signer.update(sample);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance("SHA256withRSA");
            verifier.initVerify(publicKey);
            verifier.update(sample);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private Optional<Row> read() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        SELECT public_key, private_key, encryption, kdf_salt, kdf_iterations, cipher_iv, created_at::text
                        FROM admin_jwt_keys WHERE id = 1""")
                .getResultList();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Object[] r = rows.get(0);
        return Optional.of(new Row((String) r[0], (String) r[1], (String) r[2], (String) r[3],
                r[4] == null ? null : ((Number) r[4]).intValue(), (String) r[5], (String) r[6]));
    }

    private boolean insertIfAbsent(Row row) {
        if (NONE.equals(row.encryption)) {
            // no null parameters: a typeless null does not bind to the integer column
            return em.createNativeQuery("""
                            INSERT INTO admin_jwt_keys (id, algorithm, public_key, private_key, encryption)
                            VALUES (1, 'RS256', ?1, ?2, 'none')
                            ON CONFLICT (id) DO NOTHING""")
                    .setParameter(1, row.publicKey)
                    .setParameter(2, row.privateKey)
                    .executeUpdate() == 1;
        }
        return em.createNativeQuery("""
                        INSERT INTO admin_jwt_keys
                            (id, algorithm, public_key, private_key, encryption, kdf_salt, kdf_iterations, cipher_iv)
                        VALUES (1, 'RS256', ?1, ?2, ?3, ?4, ?5, ?6)
                        ON CONFLICT (id) DO NOTHING""")
                .setParameter(1, row.publicKey)
                .setParameter(2, row.privateKey)
                .setParameter(3, row.encryption)
                .setParameter(4, row.kdfSalt)
                .setParameter(5, row.kdfIterations)
                .setParameter(6, row.cipherIv)
                .executeUpdate() == 1;
    }

    private void encryptInPlace(KeyPair pair, String secret) {
        Row sealed = Row.of(pair, Optional.of(secret));
        // only a still-plain row: two instances doing this at once each write a ciphertext of the same key
        em.createNativeQuery("""
                        UPDATE admin_jwt_keys SET private_key = ?1, encryption = ?2, kdf_salt = ?3, kdf_iterations = ?4,
                            cipher_iv = ?5
                        WHERE id = 1 AND encryption = 'none' AND public_key = ?6""")
                .setParameter(1, sealed.privateKey)
                .setParameter(2, sealed.encryption)
                .setParameter(3, sealed.kdfSalt)
                .setParameter(4, sealed.kdfIterations)
                .setParameter(5, sealed.cipherIv)
                .setParameter(6, sealed.publicKey)
                .executeUpdate();
    }

    /** One row of admin_jwt_keys, as stored. */
    private record Row(String publicKey, String privateKey, String encryption, String kdfSalt, Integer kdfIterations,
                       String cipherIv, String createdAt) {

        static Row of(KeyPair pair, Optional<String> secret) {
            String publicPem = pem("PUBLIC KEY", pair.getPublic().getEncoded());
            byte[] pkcs8 = pair.getPrivate().getEncoded();
            if (secret.isEmpty()) {
                return new Row(publicPem, pem("PRIVATE KEY", pkcs8), NONE, null, null, null, null);
            }
            SecretSeal.Sealed sealed = SecretSeal.seal(pkcs8, secret.get(), publicPem);
            Base64.Encoder b64 = Base64.getEncoder();
            return new Row(publicPem, b64.encodeToString(sealed.ciphertext()), SecretSeal.SCHEME,
                    b64.encodeToString(sealed.salt()), sealed.iterations(), b64.encodeToString(sealed.iv()), null);
        }

        KeyPair open(Optional<String> secret) {
            byte[] pkcs8;
            if (NONE.equals(encryption)) {
                pkcs8 = der(privateKey);
            } else if (SecretSeal.SCHEME.equals(encryption)) {
                if (secret.isEmpty()) {
                    // wording: the log's redactor masks the word after "key " (see SecretRedactor)
                    throw new IllegalStateException("The admin JWT private key, stored in PostgreSQL (admin_jwt_keys), "
                            + "is encrypted: set ADMIN_JWT_KEY_SECRET to the secret it was encrypted with.");
                }
                Base64.Decoder b64 = Base64.getDecoder();
                try {
                    pkcs8 = SecretSeal.open(new SecretSeal.Sealed(b64.decode(privateKey), b64.decode(kdfSalt),
                            kdfIterations, b64.decode(cipherIv)), secret.get(), publicKey);
                } catch (SecretSeal.WrongSecretException e) {
                    throw new IllegalStateException("ADMIN_JWT_KEY_SECRET does not decrypt the admin JWT private key, "
                            + "stored in PostgreSQL (admin_jwt_keys): set the secret it was encrypted with.");
                }
            } else {
                throw new IllegalStateException("admin_jwt_keys: unknown encryption '" + encryption + "'");
            }
            try {
                KeyFactory rsa = KeyFactory.getInstance("RSA");
                PublicKey pub = rsa.generatePublic(new X509EncodedKeySpec(der(publicKey)));
                PrivateKey priv = rsa.generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
                if (!isPair(priv, pub)) {
                    throw new IllegalStateException("admin_jwt_keys: the stored private and public keys do not "
                            + "belong together");
                }
                return new KeyPair(pub, priv);
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new IllegalStateException("admin_jwt_keys: the stored keys cannot be read ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    static byte[] der(String pem) {
        String body = pem.replaceAll("-----(BEGIN|END) [A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(body);
    }
}
