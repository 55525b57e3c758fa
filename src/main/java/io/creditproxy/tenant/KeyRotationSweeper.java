package io.creditproxy.tenant;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Revokes the old keys of rotations once their grace period is over (every {@code keys.rotation-sweep}). */
@ApplicationScoped
public class KeyRotationSweeper {

    private static final Logger LOG = Logger.getLogger(KeyRotationSweeper.class);

    private final KeyService keys;

    public KeyRotationSweeper(KeyService keys) {
        this.keys = keys;
    }

    @Scheduled(every = "${keys.rotation-sweep:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        try {
            int revoked = keys.revokeRotatedDue();
            if (revoked > 0) {
                LOG.infof("revoked %d rotated key(s) at the end of their grace period", revoked);
            }
        } catch (RuntimeException e) {
            LOG.warn("rotated key sweep failed; retrying at the next run", e);
        }
    }
}
