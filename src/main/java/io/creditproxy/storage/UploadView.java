package io.creditproxy.storage;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * One upload as admins (and the tenant itself) see it. fal's pre-signed upload URL and the upload token are never part
 * of it. {@code sizeBytes}: the bytes relayed to fal (null before the first PUT); {@code charged}: credits taken.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record UploadView(long id, long tenantId, Long keyId, String fileName, String contentType, Long sizeBytes,
                         String fileUrl, String status, long charged, boolean multipart, String error,
                         OffsetDateTime createdAt, OffsetDateTime completedAt) {

    static UploadView of(Object[] r) {
        return new UploadView(((Number) r[0]).longValue(), ((Number) r[1]).longValue(),
                r[2] == null ? null : ((Number) r[2]).longValue(), (String) r[3], (String) r[4],
                r[5] == null ? null : ((Number) r[5]).longValue(), (String) r[6], (String) r[7],
                ((Number) r[8]).longValue(), (Boolean) r[9], (String) r[10], time(r[11]), time(r[12]));
    }

    private static OffsetDateTime time(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof OffsetDateTime t) {
            return t;
        }
        if (o instanceof Instant i) {
            return i.atOffset(java.time.ZoneOffset.UTC);
        }
        if (o instanceof java.sql.Timestamp ts) {
            return ts.toInstant().atOffset(java.time.ZoneOffset.UTC);
        }
        throw new IllegalStateException("unexpected time type " + o.getClass());
    }
}
