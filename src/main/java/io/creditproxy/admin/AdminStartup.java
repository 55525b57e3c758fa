package io.creditproxy.admin;

import io.creditproxy.config.AdminConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Start-up checks of the admin side: the JWT keys must load ({@link AdminJwtKeys}: configured files, or the pair kept
 * in PostgreSQL), and the first admin is created from configuration when none exists. A configured key that does not
 * load stops the start; so does, outside dev and test, a missing first admin, with a message that says what to set.
 */
@ApplicationScoped
public class AdminStartup {

    private static final Logger LOG = Logger.getLogger(AdminStartup.class);

    private final AdminConfig adminConfig;
    private final AdminUserService users;
    private final AdminJwtKeys keys;

    public AdminStartup(AdminConfig adminConfig, AdminUserService users, AdminJwtKeys keys) {
        this.adminConfig = adminConfig;
        this.users = users;
        this.keys = keys;
    }

    void onStart(@Observes StartupEvent event) {
        // configured key files, or the pair in PostgreSQL (generated on the first start); a bad key stops here
        keys.keys();
        bootstrapAdmin(devOrTest(ConfigUtils.getProfiles()));
    }

    /** the profiles where a missing first admin is only a warning */
    static boolean devOrTest(List<String> profiles) {
        return !profiles.contains("prod") && (profiles.contains("dev") || profiles.contains("test"));
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
}
