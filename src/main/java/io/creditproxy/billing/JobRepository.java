package io.creditproxy.billing;

import static io.creditproxy.billing.JobStatus.REJECTED;
import static io.creditproxy.billing.JobStatus.RESERVED;
import static io.creditproxy.billing.JobStatus.SUBMITTED;

import io.creditproxy.ledger.ReserveStatement;
import io.creditproxy.pricing.Quote;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.hibernate.Session;

/**
 * Every SQL statement that writes a job or a settlement, and the reads of the job lifecycle: a job's state changes
 * only here. The statements join the caller's transaction (or run in their own when there is none); the reservation
 * and fal's accepted answers are written on the connection of a group commit ({@link ReserveBatch},
 * {@link #recordAccepted}). Rows come back as typed records (Hibernate calls their constructor), never as
 * {@code Object[]}.
 */
@ApplicationScoped
@Transactional
public class JobRepository {

    /** Who owns a fal request id, and fal's URLs for it. */
    public record Owner(long tenantId, UUID jobId, String unit, String statusUrl, String responseUrl, String cancelUrl,
                        Long upstreamId) {
    }

    /** A job to insert, priced by {@code quote}. */
    public record NewJob(UUID id, long tenantId, long apiKeyId, Quote quote, String tenantWebhook, String idempotencyKey,
                         String requestHash) {
    }

    /**
     * What the reservation statement did.
     *
     * @param charged   the price was taken from the balance (and added to the key's spend)
     * @param inserted  the job row went in (false: another submit with the same Idempotency-Key was first)
     * @param balance   the tenant's balance before this statement's charge, or null when there is no such tenant
     * @param quotaOk   the key's remaining credit quota covered the price (always, for a key without a quota)
     * @param quota     the key's credit quota, null = no cap
     * @param keyUsed   what the key had spent before this statement
     */
    public record ReserveResult(boolean charged, boolean inserted, Long balance, boolean quotaOk, Long quota,
                                long keyUsed) {
    }

    /** The stored answer of the first submit with an Idempotency-Key ({@code status} null while it is in flight). */
    public record FirstAnswer(String requestHash, Integer status, String body) {
    }

    /** fal accepted a submit: its request id and URLs, and the answer replayed for the same Idempotency-Key. */
    public record Accepted(UUID jobId, String requestId, String statusUrl, String responseUrl, String cancelUrl,
                           int httpStatus, String body, Long upstreamId, String upstreamAttempts) {
    }

    /** Takes the price, inserts the job and writes the ledger entry in one statement (the ledger's part: ledger/). */
    private static final String RESERVE = String.join(",\n", "WITH " + ReserveStatement.CHARGED, """
            job AS (
                INSERT INTO jobs (id, tenant_id, api_key_id, model_id, status, unit, quantity, usd_unit_price,
                                  price_factor, exchange_rate, credits_per_cny, price_credits, tenant_webhook,
                                  idempotency_key, request_hash, updated_at,
                                  price_version_id, rate_version_id, price_multiplier, group_id, group_multiplier)
                SELECT ?, ?, ?, ?, %s, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), ?, ?, ?, ?, ? FROM charged
                ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
                RETURNING id)""".formatted(RESERVED.sql()), ReserveStatement.ENTRY, ReserveStatement.KEY_SPENT)
            + "\nSELECT (SELECT balance FROM charged), (SELECT count(*) FROM job), (SELECT balance FROM tenants WHERE id = ?),\n"
            + ReserveStatement.QUOTA_COLUMNS;

    private static final String FIRST_WITH_KEY =
            "SELECT request_hash, response_status, response_body FROM jobs WHERE tenant_id = ? AND idempotency_key = ?";

    private static final String ACCEPTED = """
            UPDATE jobs SET status = %s, request_id = ?, status_url = ?, response_url = ?,
                   cancel_url = ?, response_status = ?, response_body = ?, fal_status = 'IN_QUEUE',
                   next_check_at = now() + make_interval(secs => ?), updated_at = now(),
                   upstream_id = ?, upstream_attempts = ?
            WHERE id = ? AND status = %s""".formatted(SUBMITTED.sql(), RESERVED.sql());

    /** Claims jobs matching a condition whose check is due, and moves their next check forward (growing back-off). */
    private static final String CLAIM = """
            UPDATE jobs j SET check_attempts = j.check_attempts + 1,
                   next_check_at = now() + make_interval(secs => LEAST(?1 * power(2, LEAST(j.check_attempts, 20)), ?2))
            WHERE j.id IN (SELECT id FROM jobs WHERE %s AND next_check_at <= now()
                             ORDER BY next_check_at LIMIT ?3 FOR UPDATE SKIP LOCKED)
            RETURNING j.id, j.unit, j.status_url, j.response_url, j.upstream_id""";

    private final Session session;

    public JobRepository(Session session) {
        this.session = session;
    }

    public Job find(UUID jobId) {
        return session.find(Job.class, jobId);
    }

    /** The job as a check with fal needs it. */
    public OpenJob openJob(UUID jobId) {
        Job job = find(jobId);
        return new OpenJob(job.id, job.unit, job.statusUrl, job.responseUrl, job.upstreamId);
    }

    /** The job fal knows under this request id (null once refunded: a ghost's request is not its tenant's). */
    public Optional<Owner> ownerOf(String requestId) {
        return session.createNativeQuery("""
                        SELECT tenant_id, id, unit, status_url, response_url, cancel_url, upstream_id FROM jobs WHERE request_id = ?1""",
                        Owner.class)
                .setParameter(1, requestId)
                .getResultList().stream().findFirst();
    }

    /** Jobs not settled yet (the partial index jobs_open answers this). */
    public long countOpen() {
        return session.createNativeQuery("SELECT count(*) FROM jobs WHERE settled_at IS NULL", Long.class)
                .getSingleResult();
    }

    public boolean olderThan(UUID jobId, Duration age) {
        return session.createNativeQuery(
                        "SELECT EXISTS (SELECT 1 FROM jobs WHERE id = ?1 AND created_at < now() - make_interval(secs => ?2))",
                        Boolean.class)
                .setParameter(1, jobId).setParameter(2, seconds(age))
                .getSingleResult();
    }

    /** The statements of one group-committed batch of reservations, prepared once on the batch's connection. */
    public static ReserveBatch reserveBatch(Connection connection) throws SQLException {
        return new ReserveBatch(connection);
    }

    public static final class ReserveBatch implements AutoCloseable {
        private final Connection connection;
        private final PreparedStatement reserve;
        private final PreparedStatement first;

        private ReserveBatch(Connection connection) throws SQLException {
            this.connection = connection;
            this.reserve = connection.prepareStatement(RESERVE);
            this.first = connection.prepareStatement(FIRST_WITH_KEY);
        }

        /** Charges the job's price and inserts it (with its ledger entry) only if the balance covers the price. */
        public ReserveResult reserve(NewJob job) throws SQLException {
            Quote q = job.quote();
            int p = ReserveStatement.bindCharged(reserve, 1, job.tenantId(), job.apiKeyId(), q.credits());
            reserve.setObject(p++, job.id());
            reserve.setLong(p++, job.tenantId());
            reserve.setLong(p++, job.apiKeyId());
            reserve.setString(p++, q.modelId());
            reserve.setString(p++, q.unit());
            reserve.setInt(p++, q.quantity());
            reserve.setBigDecimal(p++, q.usdUnitPrice());
            reserve.setString(p++, q.factor());
            reserve.setBigDecimal(p++, q.exchangeRate());
            reserve.setBigDecimal(p++, q.creditsPerCny());
            reserve.setLong(p++, q.credits());
            reserve.setString(p++, job.tenantWebhook());
            reserve.setString(p++, job.idempotencyKey());
            reserve.setString(p++, job.requestHash());
            // the price version, rate version and tenant multiplier in force are frozen with the job
            reserve.setObject(p++, q.priceVersionId(), Types.BIGINT);
            reserve.setObject(p++, q.rateVersionId(), Types.BIGINT);
            reserve.setBigDecimal(p++, q.priceMultiplier());
            // and the key's price group with its multiplier
            reserve.setObject(p++, q.groupId(), Types.BIGINT);
            reserve.setBigDecimal(p++, q.groupMultiplier());
            p = ReserveStatement.bindEntry(reserve, p, job.tenantId(), q.credits());
            p = ReserveStatement.bindKeySpent(reserve, p, job.apiKeyId(), q.credits());
            reserve.setLong(p++, job.tenantId());
            ReserveStatement.bindQuotaColumns(reserve, p, job.apiKeyId());
            try (ResultSet rs = reserve.executeQuery()) {
                rs.next();
                boolean charged = rs.getObject(1) != null;
                boolean inserted = rs.getLong(2) == 1;
                Long used = rs.getObject(6, Long.class);
                return new ReserveResult(charged, inserted, rs.getObject(3, Long.class), rs.getLong(4) == 1,
                        rs.getObject(5, Long.class), used == null ? 0 : used);
            }
        }

        /** Gives back a charge whose job did not go in (see {@link ReserveResult#inserted}). */
        public void undoCharge(long tenantId, long keyId, long price) throws SQLException {
            try (PreparedStatement undo = connection.prepareStatement(ReserveStatement.UNDO_CHARGE)) {
                ReserveStatement.bindUndo(undo, tenantId, keyId, price);
                undo.executeUpdate();
            }
        }

        /** The first submit with this Idempotency-Key, or null. */
        public FirstAnswer firstWithKey(long tenantId, String key) throws SQLException {
            first.setLong(1, tenantId);
            first.setString(2, key);
            try (ResultSet rs = first.executeQuery()) {
                return rs.next() ? new FirstAnswer(rs.getString(1), rs.getObject(2, Integer.class), rs.getString(3)) : null;
            }
        }

        @Override
        public void close() throws SQLException {
            try (reserve; first) {
                // both closed
            }
        }
    }

    /**
     * fal accepted these submits: RESERVED → SUBMITTED, first check by the reconciler after {@code firstCheck}. One
     * round trip (a JDBC batch) on the group commit's connection; true for each job still RESERVED.
     */
    public static List<Boolean> recordAccepted(Connection connection, List<Accepted> batch, Duration firstCheck)
            throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(ACCEPTED)) {
            for (Accepted a : batch) {
                update.setString(1, a.requestId());
                update.setString(2, a.statusUrl());
                update.setString(3, a.responseUrl());
                update.setString(4, a.cancelUrl());
                update.setInt(5, a.httpStatus());
                update.setString(6, a.body());
                update.setDouble(7, seconds(firstCheck));
                update.setObject(8, a.upstreamId(), Types.BIGINT);
                update.setString(9, a.upstreamAttempts());
                update.setObject(10, a.jobId());
                update.addBatch();
            }
            int[] counts = update.executeBatch();
            return java.util.Arrays.stream(counts).mapToObj(n -> n != 0).toList();
        }
    }

    /**
     * fal refused the submit (or could not be reached): its answer, for replays, and the accounts tried (the last
     * one refused it, or none could take it).
     */
    public void recordRefusal(UUID jobId, int httpStatus, String body, Long upstreamId, String upstreamAttempts) {
        session.createNativeQuery("""
                        UPDATE jobs SET response_status = ?2, response_body = ?3, upstream_id = ?4, upstream_attempts = ?5,
                               updated_at = now()
                        WHERE id = ?1 AND status = %s""".formatted(RESERVED.sql()))
                .setParameter(1, jobId)
                .setParameter(2, httpStatus)
                .setParameter(3, body)
                .setParameter(4, upstreamId)
                .setParameter(5, upstreamAttempts)
                .executeUpdate();
    }

    /** The answer a replay gets once a reservation that was never forwarded is voided (unless one is stored). */
    public void recordNotForwarded(UUID jobId, int httpStatus, String body) {
        session.createNativeQuery("""
                        UPDATE jobs SET response_status = ?2, response_body = ?3
                        WHERE id = ?1 AND response_status IS NULL""")
                .setParameter(1, jobId)
                .setParameter(2, httpStatus)
                .setParameter(3, body)
                .executeUpdate();
    }

    /**
     * The settlement row; its primary key (the job id) makes a second settlement a no-op.
     *
     * @return true when this call inserted it (and so is the one that moves money)
     */
    public boolean insertSettlement(UUID jobId, Outcome outcome, long reserved, long charged, String source) {
        return session.createNativeQuery("""
                        INSERT INTO settlements (job_id, outcome, reserved, charged, refunded, source, reason)
                        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (job_id) DO NOTHING""")
                .setParameter(1, jobId)
                .setParameter(2, outcome.kind().dbName)
                .setParameter(3, reserved)
                .setParameter(4, charged)
                .setParameter(5, reserved - charged)
                .setParameter(6, source)
                .setParameter(7, truncate(outcome.error()))
                .executeUpdate() > 0;
    }

    /** The job's final state, after its settlement row went in. */
    public void markSettled(UUID jobId, Outcome outcome) {
        session.createNativeQuery("""
                        UPDATE jobs SET status = ?2, delivered_units = ?3, billable_units = COALESCE(?4, billable_units),
                               error = ?5, needs_review = ?6, settled_at = now(), updated_at = now()
                        WHERE id = ?1""")
                .setParameter(1, jobId)
                .setParameter(2, outcome.jobStatus().name())
                .setParameter(3, outcome.deliveredUnits())
                .setParameter(4, outcome.billableUnits())
                .setParameter(5, truncate(outcome.error()))
                .setParameter(6, outcome.kind() == Outcome.Kind.KEPT_FOR_REVIEW)
                .executeUpdate();
    }

    /** Whether the job is settled already (a primary-key read). */
    public boolean isSettled(UUID jobId) {
        return session.createNativeQuery("SELECT EXISTS (SELECT 1 FROM settlements WHERE job_id = ?1)", Boolean.class)
                .setParameter(1, jobId)
                .getSingleResult();
    }

    public void markCancelRequested(UUID jobId) {
        session.createNativeQuery("UPDATE jobs SET cancel_requested = true, updated_at = now() WHERE id = ?1")
                .setParameter(1, jobId).executeUpdate();
    }

    public void recordFalStatus(UUID jobId, String falStatus) {
        session.createNativeQuery("UPDATE jobs SET fal_status = ?2, updated_at = now() WHERE id = ?1 AND settled_at IS NULL")
                .setParameter(1, jobId).setParameter(2, falStatus).executeUpdate();
    }

    /** Reservations never forwarded (still RESERVED, older than {@code age}), locked; oldest first. */
    public List<UUID> lockOrphans(Duration age, int limit) {
        return session.createNativeQuery("""
                        SELECT id FROM jobs WHERE status = %s AND settled_at IS NULL
                          AND created_at < now() - make_interval(secs => ?1)
                        ORDER BY created_at LIMIT ?2 FOR UPDATE SKIP LOCKED""".formatted(RESERVED.sql()), UUID.class)
                .setParameter(1, seconds(age))
                .setParameter(2, limit)
                .getResultList();
    }

    /** Submitted jobs whose check with fal is due; their next check moves forward ({@code backoff} growing to {@code max}). */
    public List<OpenJob> claimDue(Duration backoff, Duration max, int limit) {
        return claim("settled_at IS NULL AND status = " + SUBMITTED.sql(), backoff, max, limit);
    }

    /**
     * Marks a refunded job as a ghost (once): fal's request id, what it delivered (null: unknown, then
     * {@code pending}: fal is asked), fal's URLs for it, and flagged for review.
     *
     * @return true when this call marked it
     */
    public boolean markGhost(UUID jobId, String falRequestId, Integer delivered, boolean pending, String requestUrl) {
        return session.createNativeQuery("""
                        UPDATE jobs SET ghost = true, ghost_request_id = ?2, ghost_at = now(), needs_review = true,
                               request_id = NULL, -- refunded: no longer the tenant's to poll (ownership is by request_id)
                               delivered_units = ?3, ghost_pending = ?4,
                               status_url = COALESCE(status_url, ?5), response_url = COALESCE(response_url, ?6),
                               next_check_at = now(), check_attempts = 0, updated_at = now()
                        WHERE id = ?1 AND status = %s AND NOT ghost""".formatted(REJECTED.sql()))
                .setParameter(1, jobId)
                .setParameter(2, falRequestId)
                .setParameter(3, delivered)
                .setParameter(4, pending)
                .setParameter(5, requestUrl + "/status")
                .setParameter(6, requestUrl)
                .executeUpdate() > 0;
    }

    /** Ghosts whose delivery fal still has to be asked about, due now; their next check moves forward. */
    public List<OpenJob> claimPendingGhosts(Duration backoff, Duration max, int limit) {
        return claim("ghost_pending", backoff, max, limit);
    }

    /** What fal delivered for a pending ghost; it is no longer pending. */
    public void resolveGhost(UUID jobId, Integer delivered, String billableUnits) {
        session.createNativeQuery("""
                        UPDATE jobs SET delivered_units = ?2, billable_units = COALESCE(?3, billable_units),
                               ghost_pending = false, updated_at = now()
                        WHERE id = ?1 AND ghost_pending""")
                .setParameter(1, jobId)
                .setParameter(2, delivered)
                .setParameter(3, billableUnits)
                .executeUpdate();
    }

    /** @return true when the ghost was still pending */
    public boolean stopAskingAboutGhost(UUID jobId) {
        return session.createNativeQuery(
                        "UPDATE jobs SET ghost_pending = false, updated_at = now() WHERE id = ?1 AND ghost_pending")
                .setParameter(1, jobId).executeUpdate() > 0;
    }

    private List<OpenJob> claim(String condition, Duration backoff, Duration max, int limit) {
        return session.createNativeQuery(CLAIM.formatted(condition), OpenJob.class)
                .setParameter(1, seconds(backoff))
                .setParameter(2, seconds(max))
                .setParameter(3, limit)
                .getResultList();
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 2000 ? s : s.substring(0, 2000);
    }
}
