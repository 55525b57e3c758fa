package io.creditproxy.storage;

import io.creditproxy.common.ApiException;
import io.creditproxy.common.Hashing;
import io.creditproxy.ledger.InsufficientCreditsException;
import io.creditproxy.ledger.LedgerKind;
import io.creditproxy.ledger.LedgerService;
import io.creditproxy.ledger.Movement;
import io.creditproxy.tenant.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A tenant's file uploads through the proxy: the per-tenant limits, the record of each upload and its price.
 *
 * <p>Where the limits are enforced. fal's client sends no size with an initiation ({@code {content_type, file_name}}
 * only), and with real fal the bytes would go straight to fal's pre-signed upload URL, out of the proxy's sight. So the
 * proxy hands out its <em>own</em> upload URL and relays the bytes to fal's (proxy/StorageRoutes): it demands the
 * length up front ({@code Content-Length}; fal's client always sends it), refuses a file over
 * {@code uploads.max-file-size} with 413 before a byte moves, and records the real size. The daily count is taken at
 * initiation (each one hands out an upload URL) with one conditional upsert, so parallel initiations never pass it.
 *
 * <p>Money: nothing unless {@code uploads.price-credits} is set. Then the balance is checked at initiation (402, no
 * movement) and the price is taken when the bytes are about to be relayed (402 if short by then); if the bytes never
 * reach fal the price is given back, so a refused upload costs nothing.
 */
@ApplicationScoped
public class UploadService {

    /** What the tenant's relayed PUT goes to, and what it may send. */
    public record PutTarget(long uploadId, long tenantId, String upstreamUploadUrl, boolean multipart, long maxBytes) {
    }

    /** An upload just started: the id, and the token of the proxy's upload URL (shown once, stored hashed). */
    public record Started(long uploadId, String token) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    static final int MAX_FILE_NAME = 255;
    static final int MAX_CONTENT_TYPE = 255;

    private final EntityManager em;
    private final LedgerService ledger;
    private final UploadConfig config;

    public UploadService(EntityManager em, LedgerService ledger, UploadConfig config) {
        this.em = em;
        this.ledger = ledger;
        this.config = config;
    }

    public long maxFileSize() {
        return config.maxFileSize().asLongValue();
    }

    /**
     * Counts and records an initiation, before fal is asked.
     *
     * @param declaredSize the size the caller declared (direct route only), or null
     * @throws ApiException 413 declared size over the limit, 429 daily limit (Retry-After), 402 balance below the price;
     *                      none of them moves a credit or counts an upload
     */
    @Transactional
    public Started start(Caller caller, boolean multipart, String fileName, String contentType, Long declaredSize) {
        if (fileName == null || fileName.isBlank() || fileName.length() > MAX_FILE_NAME) {
            throw ApiException.invalidParameter("file_name must be 1-" + MAX_FILE_NAME + " characters.");
        }
        if (contentType == null || contentType.isBlank() || contentType.length() > MAX_CONTENT_TYPE) {
            throw ApiException.invalidParameter("content_type must be 1-" + MAX_CONTENT_TYPE + " characters.");
        }
        if (declaredSize != null && declaredSize > maxFileSize()) {
            throw tooLarge();
        }
        long price = config.priceCredits();
        if (price > 0) {
            checkBalance(caller.tenantId(), price);
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        LocalDate day = now.toLocalDate();
        count(caller.tenantId(), day, now);
        String token = HexFormat.of().formatHex(randomBytes(24));
        Number id = (Number) em.createNativeQuery("""
                        INSERT INTO uploads (tenant_id, key_id, token_hash, multipart, file_name, content_type, upload_day,
                                             expires_at)
                        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id""")
                .setParameter(1, caller.tenantId())
                .setParameter(2, caller.keyId())
                .setParameter(3, Hashing.sha256Hex(token))
                .setParameter(4, multipart)
                .setParameter(5, fileName)
                .setParameter(6, contentType)
                .setParameter(7, day)
                .setParameter(8, now.plus(config.urlTtl()))
                .getSingleResult();
        return new Started(id.longValue(), token);
    }

    /** fal answered the initiation: its pre-signed upload URL (kept secret) and the file URL the tenant got. */
    @Transactional
    public void initiated(long uploadId, String upstreamUploadUrl, String fileUrl) {
        em.createNativeQuery("UPDATE uploads SET upstream_upload_url = ?1, file_url = ?2 WHERE id = ?3")
                .setParameter(1, upstreamUploadUrl)
                .setParameter(2, fileUrl)
                .setParameter(3, uploadId)
                .executeUpdate();
    }

    /** fal refused the initiation or could not be reached: recorded as failed, and it no longer counts for the day. */
    @Transactional
    public void initiationFailed(long uploadId, String error) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        UPDATE uploads SET status = 'failed', error = ?1, completed_at = now()
                        WHERE id = ?2 AND status = 'initiated' RETURNING tenant_id, upload_day""")
                .setParameter(1, shorten(error))
                .setParameter(2, uploadId)
                .getResultList();
        for (Object[] row : rows) {
            em.createNativeQuery("UPDATE upload_days SET uploads = uploads - 1 WHERE tenant_id = ?1 AND day = ?2 AND uploads > 0")
                    .setParameter(1, ((Number) row[0]).longValue())
                    .setParameter(2, row[1])
                    .executeUpdate();
        }
    }

    /**
     * A PUT of bytes (a whole file, or one part of a multipart upload) about to be relayed: checks the token, the
     * upload's state and the size, takes the price (once per upload) and, for a part, reserves its length in the size.
     *
     * @param part the part number of a multipart upload, or null for a single upload
     * @throws ApiException 404 unknown token, 410 expired or already finished, 409 part/single mismatch or a PUT of
     *                      the same file in flight, 413 too large
     *                      (the upload is then refused for good and costs nothing), 402 balance short of the price
     */
    @Transactional(dontRollbackOn = ApiException.class)
    public PutTarget beginPut(String token, Integer part, long length) {
        Object[] row = lockByToken(token);
        long id = ((Number) row[0]).longValue();
        long tenantId = ((Number) row[1]).longValue();
        boolean multipart = (Boolean) row[2];
        long sizeSoFar = row[3] == null ? 0 : ((Number) row[3]).longValue();
        String upstream = (String) row[4];
        if (multipart != (part != null)) {
            throw new ApiException(409, "wrong_upload_kind", multipart
                    ? "This is a multipart upload: PUT each part to {upload_url}/{part number}."
                    : "This is a single upload: PUT the whole file to upload_url.");
        }
        long total = multipart ? sizeSoFar + length : length;
        if (total > maxFileSize()) {
            refuse(id, tenantId, "file larger than " + maxFileSize() + " bytes");
            throw tooLarge();
        }
        charge(id, tenantId, ((Number) row[5]).longValue());
        if (!multipart) {
            // one PUT at a time: a second one while this is relayed is 409 (it could not be charged apart)
            em.createNativeQuery("UPDATE uploads SET status = 'uploading' WHERE id = ?1").setParameter(1, id).executeUpdate();
        } else {
            em.createNativeQuery("UPDATE uploads SET size_bytes = ?1 WHERE id = ?2")
                    .setParameter(1, total)
                    .setParameter(2, id)
                    .executeUpdate();
        }
        return new PutTarget(id, tenantId, upstream, multipart, maxFileSize());
    }

    /** The multipart completion about to be relayed. @throws ApiException as {@link #beginPut} */
    @Transactional
    public PutTarget beginComplete(String token) {
        Object[] row = lockByToken(token);
        if (!(Boolean) row[2]) {
            throw new ApiException(409, "wrong_upload_kind", "Only a multipart upload is completed.");
        }
        return new PutTarget(((Number) row[0]).longValue(), ((Number) row[1]).longValue(), (String) row[4], true,
                maxFileSize());
    }

    /** fal took a whole file (single upload) or completed a multipart one. */
    @Transactional
    public void uploaded(long uploadId, Long size) {
        em.createNativeQuery("""
                        UPDATE uploads SET status = 'uploaded', size_bytes = COALESCE(?1, size_bytes), completed_at = now()
                        WHERE id = ?2 AND status IN ('initiated', 'uploading')""")
                .setParameter(1, size)
                .setParameter(2, uploadId)
                .executeUpdate();
    }

    /**
     * A relayed PUT or completion did not go through (fal refused it, or the tenant or fal went away): a part's length
     * no longer counts, and the price goes back (the tenant may try again with the same URL, and pays then).
     */
    @Transactional
    public void relayFailed(long uploadId, Long partLength, String error) {
        if (partLength != null) {
            em.createNativeQuery("UPDATE uploads SET size_bytes = GREATEST(size_bytes - ?1, 0) WHERE id = ?2")
                    .setParameter(1, partLength)
                    .setParameter(2, uploadId)
                    .executeUpdate();
        }
        em.createNativeQuery("""
                        UPDATE uploads SET error = ?1,
                               status = CASE WHEN status = 'uploading' THEN 'initiated' ELSE status END
                        WHERE id = ?2""")
                .setParameter(1, shorten(error))
                .setParameter(2, uploadId)
                .executeUpdate();
        if (partLength == null) {
            giveBack(uploadId);
        }
    }

    /** {@link #list} for an admin: 404 for a tenant that does not exist. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<UploadView> listForAdmin(long tenantId, int limit, Long beforeId) {
        if (em.createNativeQuery("SELECT 1 FROM tenants WHERE id = ?1").setParameter(1, tenantId).getResultList().isEmpty()) {
            throw ApiException.notFound("unknown_tenant", "No tenant with id " + tenantId + ".");
        }
        return list(tenantId, limit, beforeId);
    }

    /** The tenant's uploads, newest first. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<UploadView> list(long tenantId, int limit, Long beforeId) {
        int n = Math.max(1, Math.min(limit, 500));
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        SELECT id, tenant_id, key_id, file_name, content_type, size_bytes, file_url, status, charged,
                               multipart, error, created_at, completed_at
                        FROM uploads WHERE tenant_id = ?1 AND (?2 = 0 OR id < ?2) ORDER BY id DESC""")
                .setParameter(1, tenantId)
                .setParameter(2, beforeId == null ? 0L : beforeId)
                .setMaxResults(n)
                .getResultList();
        return rows.stream().map(UploadView::of).toList();
    }

    // ---- inside the transactions ----------------------------------------------------------------------

    /** {id, tenant_id, multipart, size_bytes, upstream_upload_url, charged} of a usable upload, locked. */
    private Object[] lockByToken(String token) {
        if (token == null || !token.matches("[0-9a-f]{48}")) {
            throw unknownUpload();
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        SELECT id, tenant_id, multipart, size_bytes, upstream_upload_url, charged, status,
                               expires_at < now()
                        FROM uploads WHERE token_hash = ?1 FOR UPDATE""")
                .setParameter(1, Hashing.sha256Hex(token))
                .getResultList();
        if (rows.isEmpty() || rows.get(0)[4] == null) {
            throw unknownUpload();
        }
        Object[] row = rows.get(0);
        if ("uploading".equals(row[6]) && !(Boolean) row[7]) {
            throw new ApiException(409, "upload_in_progress", "This file is being uploaded by another request.");
        }
        if (!"initiated".equals(row[6]) || (Boolean) row[7]) {
            throw new ApiException(410, "upload_url_expired",
                    "This upload URL has expired or its upload is finished; start a new upload.");
        }
        return row;
    }

    /** Counts one upload for the tenant's day, unless the day is full (one statement: no race can pass the limit). */
    private void count(long tenantId, LocalDate day, OffsetDateTime now) {
        int max = config.maxPerDay();
        @SuppressWarnings("unchecked")
        List<Number> after = max <= 0 ? List.of() : em.createNativeQuery("""
                        INSERT INTO upload_days (tenant_id, day, uploads) VALUES (?1, ?2, 1)
                        ON CONFLICT (tenant_id, day) DO UPDATE SET uploads = upload_days.uploads + 1
                        WHERE upload_days.uploads < ?3
                        RETURNING uploads""")
                .setParameter(1, tenantId)
                .setParameter(2, day)
                .setParameter(3, max)
                .getResultList();
        if (after.isEmpty()) {
            long retryAfter = Math.max(1, Duration.between(now, day.plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC))
                    .toSeconds());
            throw new ApiException(429, "upload_limit_reached", "This account may start " + max
                    + " uploads per day (UTC); try again tomorrow.", Map.of("limit", max, "retry_after", retryAfter));
        }
    }

    /** 402 now rather than after fal was asked, when the balance (plus the credit limit) is short of the price. */
    private void checkBalance(long tenantId, long price) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT balance, credit_limit FROM tenants WHERE id = ?1")
                .setParameter(1, tenantId)
                .getResultList();
        if (rows.isEmpty()) {
            throw ApiException.unauthorized("Invalid or revoked API key.");
        }
        long balance = ((Number) rows.get(0)[0]).longValue();
        long limit = ((Number) rows.get(0)[1]).longValue();
        if (balance - price < -limit) {
            throw new InsufficientCreditsException(balance, price);
        }
    }

    /** Takes the price once per upload (the row is locked, so a second PUT of the same upload sees it charged). */
    private void charge(long uploadId, long tenantId, long alreadyCharged) {
        long price = config.priceCredits();
        if (price <= 0 || alreadyCharged > 0) {
            return;
        }
        ledger.apply(new Movement(tenantId, -price, LedgerKind.UPLOAD, null, "upload " + uploadId, null, null, null));
        em.createNativeQuery("UPDATE uploads SET charged = ?1 WHERE id = ?2")
                .setParameter(1, price)
                .setParameter(2, uploadId)
                .executeUpdate();
    }

    /** Gives an upload's price back (once: the conditional update decides). */
    private void giveBack(long uploadId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        UPDATE uploads u SET charged = 0 FROM uploads old
                        WHERE u.id = ?1 AND old.id = u.id AND old.charged > 0 RETURNING u.tenant_id, old.charged""")
                .setParameter(1, uploadId)
                .getResultList();
        for (Object[] row : rows) {
            ledger.apply(new Movement(((Number) row[0]).longValue(), ((Number) row[1]).longValue(), LedgerKind.UPLOAD_REFUND,
                    null, "upload " + uploadId, null, null, null));
        }
    }

    /** Refused for good (too large): the price, if taken, goes back. */
    private void refuse(long uploadId, long tenantId, String error) {
        giveBack(uploadId);
        em.createNativeQuery("UPDATE uploads SET status = 'refused', error = ?1, completed_at = now() WHERE id = ?2")
                .setParameter(1, error)
                .setParameter(2, uploadId)
                .executeUpdate();
    }

    private ApiException tooLarge() {
        return new ApiException(413, "file_too_large", "Files may be at most " + maxFileSize() + " bytes.",
                Map.of("max_bytes", maxFileSize()));
    }

    private static ApiException unknownUpload() {
        return ApiException.notFound("unknown_upload", "No upload with this URL.");
    }

    private static String shorten(String s) {
        return s == null ? null : s.length() > 500 ? s.substring(0, 500) : s;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
