package io.creditproxy.report;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.UUID;

/** Converting native query values, whose Java types depend on the driver and Hibernate's defaults. */
final class Sql {

    private Sql() {
    }

    static long longValue(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }

    static Long nullableLong(Object value) {
        return value == null ? null : ((Number) value).longValue();
    }

    static Integer nullableInt(Object value) {
        return value == null ? null : ((Number) value).intValue();
    }

    static UUID uuid(Object value) {
        if (value == null) {
            return null;
        }
        return value instanceof UUID u ? u : UUID.fromString(value.toString());
    }

    static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof Timestamp t) {
            return t.toInstant();
        }
        if (value instanceof java.time.ZonedDateTime z) {
            return z.toInstant();
        }
        throw new IllegalStateException("not a timestamp: " + value.getClass().getName());
    }

    /** ISO-8601 with the offset of the zone, e.g. 2025-03-01T00:15:00.123456+08:00. */
    static String text(Object value, ZoneId zone) {
        Instant i = instant(value);
        return i == null ? null : i.atZone(zone).toOffsetDateTime().toString();
    }
}
