package io.creditproxy.admin;

import io.creditproxy.config.AdminConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.smallrye.jwt.util.KeyUtils;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Start-up checks of the admin side: the JWT keys must load, and the first admin is created from
 * configuration when none exists. Outside dev and test, a missing key or a missing first admin stops
 * the start with a message that says what to set.
 */
@ApplicationScoped
public class AdminStartup {

    private static final Logger LOG = Logger.getLogger(AdminStartup.class);

    private final AdminConfig adminConfig;
    private final AdminUserService users;
    private final Config config;

    public AdminStartup(AdminConfig adminConfig, AdminUserService users, Config config) {
        this.adminConfig = adminConfig;
        this.users = users;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        boolean devOrTest = JwtKeysConfigSourceFactory.appliesTo(ConfigUtils.getProfiles());
        List<String> keyProblems = jwtKeyProblems(name -> config.getOptionalValue(name, String.class));
        if (!keyProblems.isEmpty()) {
            throw new IllegalStateException("Admin JWT keys are not usable: " + String.join("; ", keyProblems)
                    + ". Set ADMIN_JWT_SIGN_KEY_LOCATION (RSA private key, PKCS#8 PEM) and "
                    + "ADMIN_JWT_VERIFY_KEY_LOCATION (its public key, PEM).");
        }
        bootstrapAdmin(devOrTest);
    }

    private void bootstrapAdmin(boolean devOrTest) {
        if (users.anyExists()) {
            return;
        }
        Optional<String> username = adminConfig.bootstrap().username().filter(s -> !s.isBlank());
        Optional<String> password = adminConfig.bootstrap().password().filter(s -> !s.isEmpty());
        String problem = bootstrapProblem(username, password);
        if (problem != null) {
            if (devOrTest) {
                LOG.warnf("No admin exists and none was created: %s", problem);
                return;
            }
            throw new IllegalStateException("No admin exists and none can be created: " + problem
                    + ". Set ADMIN_BOOTSTRAP_USERNAME and ADMIN_BOOTSTRAP_PASSWORD (at least "
                    + Passwords.MIN_LENGTH + " characters).");
        }
        if (users.bootstrapIfEmpty(username.get(), password.get())) {
            // the password is never logged
            LOG.infof("Created the first admin '%s' from admin.bootstrap configuration.", username.get());
        }
    }

    /** null when the first admin can be created from these values, else why not */
    static String bootstrapProblem(Optional<String> username, Optional<String> password) {
        if (username.isEmpty() || password.isEmpty()) {
            return "admin.bootstrap.username and admin.bootstrap.password are not both set";
        }
        if (!username.get().matches("[A-Za-z0-9._@-]{1,100}")) {
            return "admin.bootstrap.username must be 1-100 characters of letters, digits, '.', '_', '@' or '-'";
        }
        String passwordProblem = Passwords.problem(password.get());
        return passwordProblem == null ? null : "admin.bootstrap." + passwordProblem;
    }

    /**
     * Loads both keys the way SmallRye JWT will, so that a missing or unreadable key stops the start
     * rather than the first login.
     *
     * @param config property name to value
     * @return what is wrong; empty when both keys load
     */
    static List<String> jwtKeyProblems(Function<String, Optional<String>> config) {
        List<String> problems = new ArrayList<>();
        String sign = keyProblem(config, JwtKeysConfigSourceFactory.SIGN_KEY, JwtKeysConfigSourceFactory.SIGN_KEY_LOCATION,
                "signing key", content -> KeyUtils.decodePrivateKey(content));
        String verify = keyProblem(config, JwtKeysConfigSourceFactory.VERIFY_KEY, JwtKeysConfigSourceFactory.VERIFY_KEY_LOCATION,
                "verification key", content -> KeyUtils.decodePublicKey(content));
        if (sign != null) {
            problems.add(sign);
        }
        if (verify != null) {
            problems.add(verify);
        }
        return problems;
    }

    private interface KeyDecoder {
        void decode(String content) throws Exception;
    }

    /** null when the key is configured (inline or by location) and decodes; never includes key material */
    private static String keyProblem(Function<String, Optional<String>> config, String inline, String location,
                                     String what, KeyDecoder decoder) {
        Optional<String> content = config.apply(inline).filter(s -> !s.isBlank());
        String where = "inline " + inline;
        try {
            if (content.isEmpty()) {
                Optional<String> path = config.apply(location).filter(s -> !s.isBlank());
                if (path.isEmpty()) {
                    return "no " + what + " (" + location + ")";
                }
                where = path.get();
                content = Optional.of(KeyUtils.readKeyContent(path.get()));
            }
            decoder.decode(content.get());
            return null;
        } catch (Exception e) {
            return "the " + what + " at " + where + " cannot be read (" + e.getClass().getSimpleName() + ")";
        }
    }
}
