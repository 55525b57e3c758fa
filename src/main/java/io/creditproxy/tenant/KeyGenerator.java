package io.creditproxy.tenant;

import io.creditproxy.common.Hashing;
import java.security.SecureRandom;
import java.util.Base64;

/** Tenant API keys: "cp_" + 192 random bits (base64url), shown once, stored as a SHA-256 hash. */
public final class KeyGenerator {

    public static final String KEY_PREFIX = "cp_";
    private static final int VISIBLE_CHARS = 8;
    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyGenerator() {
    }

    public record NewKey(String key, String prefix, String hash) {
    }

    public static NewKey generate() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        String key = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        return new NewKey(key, visiblePrefix(key), hash(key));
    }

    public static String hash(String key) {
        return Hashing.sha256Hex(key);
    }

    public static String visiblePrefix(String key) {
        return key.substring(0, Math.min(key.length(), KEY_PREFIX.length() + VISIBLE_CHARS));
    }
}
