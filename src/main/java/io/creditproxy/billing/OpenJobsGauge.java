package io.creditproxy.billing;

import io.creditproxy.observability.Metrics;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

/** Keeps the open-jobs gauge (jobs not settled yet) in step with PostgreSQL, recounted periodically, not per scrape. */
@ApplicationScoped
public class OpenJobsGauge {

    private static final Logger LOG = Logger.getLogger(OpenJobsGauge.class);

    private final JobRepository jobs;
    private final Metrics metrics;

    public OpenJobsGauge(JobRepository jobs, Metrics metrics) {
        this.jobs = jobs;
        this.metrics = metrics;
    }

    @Scheduled(every = "${observability.open-jobs-refresh:15s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    @Transactional
    void refresh() {
        try {
            metrics.openJobs(jobs.countOpen());
        } catch (RuntimeException e) {
            LOG.warnf("open jobs gauge not refreshed: %s", e.getClass().getSimpleName());
        }
    }
}
