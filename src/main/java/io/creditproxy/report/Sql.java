package io.creditproxy.report;

import io.creditproxy.common.Timestamps;
import java.time.Instant;
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
        return Timestamps.instant(value);
    }

    /** ISO-8601 with the offset of the zone, e.g. 2025-03-01T00:15:00.123456+08:00. */
    static String text(Object value, ZoneId zone) {
        Instant i = instant(value);
        return i == null ? null : i.atZone(zone).toOffsetDateTime().toString();
    }
}
