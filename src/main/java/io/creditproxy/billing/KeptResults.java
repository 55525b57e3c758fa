package io.creditproxy.billing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditproxy.observability.Metrics;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Final results of COMPLETED jobs, kept for {@code results.keep-for} (default 7 days) after fal forgets them (fal keeps a
 * result 1 hour, 6 minutes from 10 KB). Written at settlement, in its transaction ({@link SettlementService}): every
 * path that settles a COMPLETED job has the result in hand (fal's webhook carries it as {@code payload}; a tenant's
 * poll, a status stream and the reconciler settle from the proxy's own result fetch, billing/OutcomeCheck), so nothing
 * is fetched for this. Kept as fal's raw answer; the result route rewrites its URLs when it serves it, as it does fal's
 * own answers. Bounded: above {@code results.max-bytes} not kept (logged, counted); above
 * {@code results.inline-max-bytes} written to {@code results.directory} when set. A scheduled job deletes expired rows
 * and their files.
 */
@ApplicationScoped
public class KeptResults {

    private static final Logger LOG = Logger.getLogger(KeptResults.class);
    private static final int DELETE_BATCH = 500;

    private final EntityManager em;
    private final ResultsConfig config;
    private final ObjectMapper json;
    private final Metrics metrics;

    public KeptResults(EntityManager em, ResultsConfig config, ObjectMapper json, Metrics metrics) {
        this.em = em;
        this.config = config;
        this.json = json;
        this.metrics = metrics;
    }

    /** Keeps the result of a job settled as COMPLETED with a payload, inside the settlement's transaction. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void keep(Job job, Outcome outcome) {
        if (outcome.jobStatus() != JobStatus.COMPLETED || outcome.kind() == Outcome.Kind.VOIDED
                || outcome.payload() == null || outcome.payload().isNull() || config.keepFor().isZero()) {
            return;
        }
        byte[] body;
        try {
            body = json.writeValueAsBytes(outcome.payload());
        } catch (JsonProcessingException e) {
            return;
        }
        if (body.length > config.maxBytes().asLongValue()) {
            LOG.infof("job %s: result of %d bytes not kept (results.max-bytes is %d); fal's retention applies",
                    job.id, body.length, config.maxBytes().asLongValue());
            metrics.resultKept("too_large");
            return;
        }
        String fileName = null;
        String inline = new String(body, StandardCharsets.UTF_8);
        if (body.length > config.inlineMaxBytes().asLongValue() && config.directory().isPresent()) {
            fileName = job.id + ".json";
            try {
                write(Path.of(config.directory().get()), fileName, body);
            } catch (IOException | RuntimeException e) {
                LOG.warnf("job %s: result of %d bytes not kept, its file could not be written (%s)", job.id, body.length,
                        e.getClass().getSimpleName());
                metrics.resultKept("failed");
                return;
            }
            inline = null;
        }
        // the database's clock throughout: find() and the cleanup compare kept_until with now()
        String column = fileName == null ? "body" : "file_name";
        em.createNativeQuery("INSERT INTO kept_results (job_id, tenant_id, " + column + ", size_bytes, kept_until) "
                        + "VALUES (?1, ?2, ?3, ?4, now() + ?5 * interval '1 millisecond') ON CONFLICT (job_id) DO NOTHING")
                .setParameter(1, job.id)
                .setParameter(2, job.tenantId)
                .setParameter(3, fileName == null ? inline : fileName)
                .setParameter(4, body.length)
                .setParameter(5, config.keepFor().toMillis())
                .executeUpdate();
        metrics.resultKept(fileName == null ? "inline" : "file");
    }

    /**
     * The kept result of a tenant's job (fal's raw answer), while it is kept: empty when none was kept, it expired, or
     * its file is not there. The caller has checked that the tenant owns the job; the tenant id is checked again here.
     */
    @Transactional
    public Optional<String> find(long tenantId, UUID jobId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        SELECT body, file_name FROM kept_results
                        WHERE job_id = ?1 AND tenant_id = ?2 AND kept_until > now()""")
                .setParameter(1, jobId)
                .setParameter(2, tenantId)
                .getResultList();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Object[] row = rows.get(0);
        if (row[0] != null) {
            return Optional.of((String) row[0]);
        }
        if (config.directory().isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(Path.of(config.directory().get()).resolve((String) row[1]),
                    StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.warnf("job %s: kept result file not readable (%s)", jobId, e.getClass().getSimpleName());
            return Optional.empty();
        }
    }

    @Scheduled(identity = "kept-results-cleanup", every = "${results.cleanup-interval}",
            delayed = "${results.cleanup-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledCleanup() {
        try {
            deleteExpired();
        } catch (RuntimeException e) {
            LOG.warnf("deleting expired results failed: %s", e.getClass().getSimpleName());
        }
    }

    /** Deletes the results whose retention ended (rows, then their files), and stray files. @return rows deleted */
    public int deleteExpired() {
        int total = 0;
        while (true) {
            List<String> files = QuarkusTransaction.requiringNew().call(this::deleteExpiredBatch);
            files.stream().filter(f -> f != null).forEach(this::deleteFile);
            total += files.size();
            if (files.size() < DELETE_BATCH) {
                break;
            }
        }
        deleteStrayFiles();
        if (total > 0) {
            LOG.infof("deleted %d kept result(s) past results.keep-for", total);
        }
        return total;
    }

    @SuppressWarnings("unchecked")
    private List<String> deleteExpiredBatch() {
        return new ArrayList<>(em.createNativeQuery("""
                        DELETE FROM kept_results WHERE job_id IN (
                            SELECT job_id FROM kept_results WHERE kept_until <= now() LIMIT ?1
                            FOR UPDATE SKIP LOCKED)
                        RETURNING file_name""")
                .setParameter(1, DELETE_BATCH)
                .getResultList());
    }

    /** Files without a row, older than the retention: written by a settlement that then rolled back. */
    private void deleteStrayFiles() {
        if (config.directory().isEmpty()) {
            return;
        }
        Path dir = Path.of(config.directory().get());
        if (!Files.isDirectory(dir)) {
            return;
        }
        long cutoff = System.currentTimeMillis() - config.keepFor().toMillis();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path file : files) {
                if (Files.getLastModifiedTime(file).toMillis() < cutoff && !hasRow(file.getFileName().toString())) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            LOG.warnf("listing %s failed: %s", dir, e.getClass().getSimpleName());
        }
    }

    private boolean hasRow(String fileName) {
        return QuarkusTransaction.requiringNew().call(() -> !em.createNativeQuery(
                        "SELECT 1 FROM kept_results WHERE file_name = ?1")
                .setParameter(1, fileName).getResultList().isEmpty());
    }

    private void deleteFile(String fileName) {
        config.directory().ifPresent(dir -> {
            try {
                Files.deleteIfExists(Path.of(dir).resolve(fileName));
            } catch (IOException e) {
                LOG.warnf("deleting kept result file %s failed: %s", fileName, e.getClass().getSimpleName());
            }
        });
    }

    /** Written beside its final name, then moved: a reader never sees half a file. */
    private static void write(Path dir, String fileName, byte[] body) throws IOException {
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, "result-", ".tmp");
        try {
            Files.write(temp, body);
            Files.move(temp, dir.resolve(fileName), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
