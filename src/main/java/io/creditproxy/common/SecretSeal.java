package io.creditproxy.common;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.spec.KeySpec;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encryption at rest of secrets kept in PostgreSQL (the admin JWT private key, the tenant webhook
 * signing keys, the fal keys of the upstream pool),
 * under a secret from configuration ({@code ADMIN_JWT_KEY_SECRET}): AES-256-GCM with a key derived by
 * PBKDF2-HMAC-SHA256 (JDK primitives only). The associated data binds a ciphertext to its row (the JWT key's public
 * key, the account's key hash), so a ciphertext cannot be paired with another row unnoticed.
 */
public final class SecretSeal {

    public static final String SCHEME = "aes-256-gcm/pbkdf2-sha256";
    /** OWASP's figure for PBKDF2-HMAC-SHA256; paid once per start */
    public static final int ITERATIONS = 600_000;
    private static final int SALT_BYTES = 16;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    public record Sealed(byte[] ciphertext, byte[] salt, int iterations, byte[] iv) {
    }

    /** The secret does not open the ciphertext (wrong secret, or the row was altered). */
    public static final class WrongSecretException extends Exception {
        WrongSecretException(Throwable cause) {
            super("the secret does not decrypt the stored key", cause);
        }
    }

    private SecretSeal() {
    }

    public static Sealed seal(byte[] plaintext, String secret, String associatedData) {
        byte[] salt = new byte[SALT_BYTES];
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(salt);
        RANDOM.nextBytes(iv);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key(secret, salt, ITERATIONS), new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.US_ASCII));
            return new Sealed(cipher.doFinal(plaintext), salt, ITERATIONS, iv);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available", e);
        }
    }

    public static byte[] open(Sealed sealed, String secret, String associatedData) throws WrongSecretException {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key(secret, sealed.salt(), sealed.iterations()),
                    new GCMParameterSpec(TAG_BITS, sealed.iv()));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.US_ASCII));
            return cipher.doFinal(sealed.ciphertext());
        } catch (AEADBadTagException e) {
            throw new WrongSecretException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available", e);
        }
    }

    private static SecretKey key(String secret, byte[] salt, int iterations) throws GeneralSecurityException {
        KeySpec spec = new PBEKeySpec(secret.toCharArray(), salt, iterations, 256);
        byte[] raw = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        return new SecretKeySpec(raw, "AES");
    }
}
