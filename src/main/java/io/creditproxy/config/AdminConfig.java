package io.creditproxy.config;

import io.smallrye.config.ConfigMapping;
import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "admin")
public interface AdminConfig {

    Bootstrap bootstrap();

    /** How long an admin login token stays valid. */
    Duration tokenLifespan();

    interface Bootstrap {
        /** First admin, created at start when no admin exists. */
        Optional<String> username();

        Optional<String> password();
    }
}
