package io.creditproxy.admin;

import io.creditproxy.common.ApiException;
import io.quarkus.elytron.security.common.BcryptUtil;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;

/** bcrypt hashing of admin passwords, and the rules a new password must meet. */
final class Passwords {

    static final int MIN_LENGTH = 12;
    /** bcrypt reads at most 72 bytes; longer passwords would be silently truncated */
    static final int MAX_BYTES = 72;
    static final int COST = 10;

    /** Checked against when the user is unknown, so that both refusals take about as long. */
    private static final String DUMMY_HASH = hash(randomText());

    private Passwords() {
    }

    static String hash(String password) {
        return BcryptUtil.bcryptHash(password, COST);
    }

    static boolean matches(String password, String hash) {
        return BcryptUtil.matches(password, hash);
    }

    static void burnEqualTime(String password) {
        BcryptUtil.matches(password, DUMMY_HASH);
    }

    /** @throws ApiException 422 when the password is too short or too long */
    static void requireAcceptable(String password) {
        String problem = problem(password);
        if (problem != null) {
            throw ApiException.invalidParameter(problem);
        }
    }

    /** null when acceptable, else what is wrong (never the password itself) */
    static String problem(String password) {
        if (password == null || password.length() < MIN_LENGTH) {
            return "password must be at least " + MIN_LENGTH + " characters";
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return "password must be at most " + MAX_BYTES + " bytes (UTF-8)";
        }
        return null;
    }

    private static String randomText() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
