package io.creditproxy.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.junit.jupiter.api.Test;

/**
 * No scheduled job can run while start-up checks still run (a failing check then stops a start before any job
 * touches half-started beans); the scheduler runs once every start-up observer has passed.
 */
@QuarkusTest
class StartupGateTest {

    @Inject
    Scheduler scheduler;

    @Test
    void theSchedulerIsHeldUntilEveryStartupObserverHasPassed() {
        assertThat(LateStartupProbe.schedulerRunningDuringStartup).as("start-up observers ran").isNotNull();
        assertThat(LateStartupProbe.schedulerRunningDuringStartup).as("scheduler running during start-up").isFalse();
        assertThat(scheduler.isRunning()).as("scheduler running once started").isTrue();
        assertThat(scheduler.getScheduledJobs()).as("the application's jobs are scheduled").isNotEmpty();
    }

    /** Observes start-up after every ordinary start-up observer (checks included) and before the gate. */
    @Singleton
    public static class LateStartupProbe {
        static volatile Boolean schedulerRunningDuringStartup;

        void observe(@Observes @Priority(StartupGate.LAST - 1) StartupEvent event, Scheduler scheduler) {
            schedulerRunningDuringStartup = scheduler.isRunning();
        }
    }
}
