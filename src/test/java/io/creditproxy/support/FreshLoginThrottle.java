package io.creditproxy.support;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Test-only: every test application starts with no admin login failures counted in its Redis database. Tests log in
 * with wrong passwords from 127.0.0.1 (on purpose); without this, runs repeated within the throttle's window would add
 * up to a locked address and make unrelated tests fail with 429.
 */
@ApplicationScoped
public class FreshLoginThrottle {

    private static final Logger LOG = Logger.getLogger(FreshLoginThrottle.class);

    void onStart(@Observes StartupEvent event, RedisDataSource redis) {
        try {
            for (String key : redis.key().keys("cp:login:*")) {
                redis.key().del(key);
            }
        } catch (RuntimeException e) {
            // a test application without Redis: nothing was counted there
            LOG.debugf("login throttle counters not cleared: %s", e.getClass().getSimpleName());
        }
    }
}
