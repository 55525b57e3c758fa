package io.creditproxy.common;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 signatures as fal uses them for webhooks: keys published as JWK ({@code kty: OKP, crv: Ed25519,
 * x: base64url raw 32-byte key}), signatures sent as hex. Built on the JDK's own "Ed25519" provider (Java 15+).
 */
public final class Ed25519 {

    /** The fixed DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519 (OID 1.3.101.112); the raw key follows it. */
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final int RAW_KEY_LENGTH = 32;

    private Ed25519() {
    }

    public static KeyPair generateKeyPair() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is not available in this JVM", e);
        }
    }

    public static byte[] sign(PrivateKey key, byte[] message) {
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(key);
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    /** Signs and returns the signature in lower-case hex, the form of fal's {@code X-Fal-Webhook-Signature}. */
    public static String signHex(PrivateKey key, byte[] message) {
        return HexFormat.of().formatHex(sign(key, message));
    }

    /** False for a wrong signature, a malformed one, or one made by another key; never throws on bad input. */
    public static boolean verify(PublicKey key, byte[] message, byte[] signatureBytes) {
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initVerify(key);
            signature.update(message);
            return signature.verify(signatureBytes);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** {@link #verify} with the signature given as hex; false when it is not valid hex. */
    public static boolean verifyHex(PublicKey key, byte[] message, String signatureHex) {
        if (signatureHex == null) {
            return false;
        }
        byte[] signature;
        try {
            signature = HexFormat.of().parseHex(signatureHex.trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return verify(key, message, signature);
    }

    /** The JWK {@code x} of a public key: its raw 32 bytes, base64url without padding (RFC 8037). */
    public static String toJwkX(PublicKey key) {
        byte[] encoded = key.getEncoded();
        if (encoded.length != X509_PREFIX.length + RAW_KEY_LENGTH
                || !Arrays.equals(encoded, 0, X509_PREFIX.length, X509_PREFIX, 0, X509_PREFIX.length)) {
            throw new IllegalArgumentException("not an Ed25519 public key");
        }
        byte[] raw = Arrays.copyOfRange(encoded, X509_PREFIX.length, encoded.length);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    /** The public key of a JWK {@code x}; IllegalArgumentException when it is not 32 base64url bytes. */
    public static PublicKey fromJwkX(String x) {
        byte[] raw = Base64.getUrlDecoder().decode(x.trim());
        if (raw.length != RAW_KEY_LENGTH) {
            throw new IllegalArgumentException("an Ed25519 JWK x must hold 32 bytes, got " + raw.length);
        }
        byte[] encoded = new byte[X509_PREFIX.length + RAW_KEY_LENGTH];
        System.arraycopy(X509_PREFIX, 0, encoded, 0, X509_PREFIX.length);
        System.arraycopy(raw, 0, encoded, X509_PREFIX.length, RAW_KEY_LENGTH);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a valid Ed25519 public key", e);
        }
    }

    /**
     * The message fal signs for a webhook (UTF-8):
     * {@code request_id + "\n" + user_id + "\n" + timestamp + "\n" + hex(sha256(raw body))}.
     */
    public static byte[] falWebhookMessage(String requestId, String userId, String timestamp, byte[] rawBody) {
        String message = requestId + "\n" + userId + "\n" + timestamp + "\n" + Hashing.sha256Hex(rawBody);
        return message.getBytes(StandardCharsets.UTF_8);
    }
}
