package io.creditproxy.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "admin")
public interface AdminConfig {

    Bootstrap bootstrap();

    /** How long an admin login token stays valid. */
    Duration tokenLifespan();

    LoginThrottle loginThrottle();

    interface Bootstrap {
        /** First admin, created at start when no admin exists. */
        Optional<String> username();

        Optional<String> password();
    }

    /**
     * Failed admin logins (and wrong current passwords on a password change), counted per user name and per client
     * address in Redis (shared by every instance; per instance while Redis is down). At the limit, that name or
     * address is refused with 429 for {@link #window()}, whatever the password.
     */
    interface LoginThrottle {
        /** failures of one user name (known or not, any case) within the window */
        @WithDefault("5")
        int maxFailuresPerUsername();

        /** failures from one client address (an IPv6 client's /64) within the window */
        @WithDefault("20")
        int maxFailuresPerAddress();

        /** failures are counted from the first one for this long; a lockout lasts this long from the last one */
        @WithDefault("15M")
        Duration window();

        /** after a Redis failure, count in this instance only for this long before Redis is tried again */
        @WithDefault("2s")
        Duration redisBackoff();
    }
}
