package io.creditproxy.admin;

import io.creditproxy.common.ApiException;
import io.quarkus.elytron.security.common.BcryptUtil;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import me.gosimple.nbvcxz.Nbvcxz;
import me.gosimple.nbvcxz.resources.ConfigurationBuilder;
import me.gosimple.nbvcxz.resources.Configuration;
import me.gosimple.nbvcxz.scoring.Result;

/**
 * bcrypt hashing of admin passwords, and the rules a new password must meet: 12 characters at least, 72 bytes at
 * most (bcrypt's limit), and not easy to guess. "Easy to guess" is decided by nbvcxz (a Java password-strength
 * estimator after Dropbox's zxcvbn): it estimates how many guesses an attacker needs from its bundled dictionaries
 * (the 100,000 most common passwords, English words, first names and surnames) and patterns (repeats, sequences,
 * keyboard walks, dates, l33t spellings). Fewer than {@value #MIN_GUESSES} guesses is zxcvbn's "too guessable"
 * band, where every common password falls: refused.
 */
final class Passwords {

    static final int MIN_LENGTH = 12;
    /** bcrypt reads at most 72 bytes; longer passwords would be silently truncated */
    static final int MAX_BYTES = 72;
    static final int COST = 10;
    /** below this estimate, a password is refused as too easy to guess (zxcvbn score 0 and 1) */
    static final long MIN_GUESSES = 1_000_000L;

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

    /** @throws ApiException 422 when the password breaks a rule */
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
        Result estimate = estimate(password);
        if (estimate.getGuesses().compareTo(java.math.BigDecimal.valueOf(MIN_GUESSES)) < 0) {
            String why = estimate.getFeedback() == null ? null : estimate.getFeedback().getWarning();
            return "password is too easy to guess (a common password, or built from common words, names, "
                    + "sequences or repeats)" + (why == null || why.isBlank() ? "" : ": " + why);
        }
        return null;
    }

    /** nbvcxz's own dictionaries, loaded once (about a second) on first use, shared by every estimate. */
    private static final class Estimator {
        static final Configuration CONFIGURATION = new ConfigurationBuilder().setLocale(Locale.ENGLISH).createConfiguration();
    }

    private static Result estimate(String password) {
        return new Nbvcxz(Estimator.CONFIGURATION).estimate(password);
    }

    private static String randomText() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
