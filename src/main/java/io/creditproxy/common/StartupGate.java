package io.creditproxy.common;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduler;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Scheduled jobs run only once the application has started. The scheduler starts halted
 * ({@code quarkus.scheduler.start-mode=halted}); this observer, the last of all start-up observers, resumes it.
 * Any start-up check that throws (a missing FAL_KEY, a key that does not load, a missing first admin, whatever check
 * is added later as a {@code StartupEvent} observer or {@code @Startup} bean) ends the notification before it gets
 * here, so no job ever runs against half-started beans while the application shuts down again. On shutdown the
 * gate closes first, so that no new job starts against beans being stopped.
 */
@ApplicationScoped
public class StartupGate {

    private static final Logger LOG = Logger.getLogger(StartupGate.class);

    /** after every other start-up observer (their default priority is 2500) */
    public static final int LAST = Integer.MAX_VALUE;

    private final Scheduler scheduler;

    public StartupGate(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    void open(@Observes @Priority(LAST) StartupEvent event) {
        if (scheduler.isStarted()) {
            scheduler.resume();
            LOG.debug("Start-up checks passed; scheduled jobs resumed.");
        }
    }

    void close(@Observes @Priority(Integer.MIN_VALUE) ShutdownEvent event) {
        if (scheduler.isStarted()) {
            scheduler.pause();
        }
    }
}
