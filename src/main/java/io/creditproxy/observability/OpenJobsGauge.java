package io.creditproxy.observability;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

/** Keeps the open-jobs gauge (jobs not settled yet) in step with PostgreSQL, recounted periodically, not per scrape. */
@ApplicationScoped
public class OpenJobsGauge {

    private static final Logger LOG = Logger.getLogger(OpenJobsGauge.class);

    private final EntityManager em;
    private final Metrics metrics;

    public OpenJobsGauge(EntityManager em, Metrics metrics) {
        this.em = em;
        this.metrics = metrics;
    }

    @Scheduled(every = "${observability.open-jobs-refresh:15s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    @Transactional
    void refresh() {
        try {
            // the partial index jobs_open (WHERE settled_at IS NULL) answers this
            Number open = (Number) em.createNativeQuery("SELECT count(*) FROM jobs WHERE settled_at IS NULL").getSingleResult();
            metrics.openJobs(open.longValue());
        } catch (RuntimeException e) {
            LOG.warnf("open jobs gauge not refreshed: %s", e.getClass().getSimpleName());
        }
    }
}
