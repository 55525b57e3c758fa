package io.creditproxy.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.creditproxy.observability.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The bounds of {@link KeptResults#keep}: a result above results.max-bytes is not kept (counted {@code too_large}), one
 * whose file cannot be written is not kept (counted {@code failed}), a zero retention keeps nothing, and only COMPLETED
 * jobs with a payload are kept. None of these writes a row, so the job needs no row of its own.
 */
@QuarkusTest
class KeptResultsLimitsTest {

    @Inject
    EntityManager em;

    @Inject
    ObjectMapper json;

    @Inject
    Metrics metrics;

    @Inject
    MeterRegistry registry;

    private static ResultsConfig config(Duration keepFor, long max, long inline, Optional<String> directory) {
        return new ResultsConfig() {
            public Duration keepFor() { return keepFor; }
            public MemorySize maxBytes() { return new MemorySize(BigInteger.valueOf(max)); }
            public MemorySize inlineMaxBytes() { return new MemorySize(BigInteger.valueOf(inline)); }
            public Optional<String> directory() { return directory; }
            public String cleanupInterval() { return "10m"; }
        };
    }

    private double counted(String outcome) {
        Counter c = registry.find("creditproxy.results.kept").tag("outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    private static Job job() {
        Job job = new Job();
        job.id = UUID.randomUUID();
        job.tenantId = 1;
        return job;
    }

    private ObjectNode payload(int chars) {
        return json.createObjectNode().put("text", "x".repeat(chars));
    }

    private long rows(UUID jobId) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "SELECT count(*) FROM kept_results WHERE job_id = ?1").setParameter(1, jobId).getSingleResult()).longValue());
    }

    @Test
    void aResultAboveTheMaximumIsNotKeptAndCounted() {
        KeptResults kept = new KeptResults(em, config(Duration.ofDays(7), 100, 50, Optional.empty()), json, metrics);
        Job job = job();
        double before = counted("too_large");
        QuarkusTransaction.requiringNew().run(() -> kept.keep(job,
                new Outcome(Outcome.Kind.POSTED, JobStatus.COMPLETED, 1, null, payload(200), null)));
        assertThat(rows(job.id)).isZero();
        assertThat(counted("too_large")).isEqualTo(before + 1);
    }

    @Test
    void aFileThatCannotBeWrittenKeepsNothingAndIsCounted() throws Exception {
        Path notADirectory = Files.createTempFile("kept-results", ".file");
        KeptResults kept = new KeptResults(em, config(Duration.ofDays(7), 10_000, 50,
                Optional.of(notADirectory.toString())), json, metrics);
        Job job = job();
        double before = counted("failed");
        QuarkusTransaction.requiringNew().run(() -> kept.keep(job,
                new Outcome(Outcome.Kind.POSTED, JobStatus.COMPLETED, 1, null, payload(200), null)));
        assertThat(rows(job.id)).isZero();
        assertThat(counted("failed")).isEqualTo(before + 1);
        Files.deleteIfExists(notADirectory);
    }

    @Test
    void failuresRefundsAndAZeroRetentionKeepNothing() {
        KeptResults off = new KeptResults(em, config(Duration.ZERO, 10_000, 5_000, Optional.empty()), json, metrics);
        KeptResults on = new KeptResults(em, config(Duration.ofDays(7), 10_000, 5_000, Optional.empty()), json, metrics);
        Job job = job();
        double inline = counted("inline");
        QuarkusTransaction.requiringNew().run(() -> {
            off.keep(job, new Outcome(Outcome.Kind.POSTED, JobStatus.COMPLETED, 1, null, payload(10), null));
            on.keep(job, Outcome.voided(JobStatus.FAILED, "boom", payload(10)));
            on.keep(job, Outcome.voided(JobStatus.CANCELLED, "cancelled", null));
            on.keep(job, new Outcome(Outcome.Kind.POSTED, JobStatus.COMPLETED, 1, null, null, null));
        });
        assertThat(rows(job.id)).isZero();
        assertThat(counted("inline")).isEqualTo(inline);
    }
}
