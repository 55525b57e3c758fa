package io.creditproxy.report;

import java.time.Instant;
import java.time.ZoneId;

/** Values of the report queries' typed rows as the reports show them. */
final class Sql {

    private Sql() {
    }

    /** ISO-8601 with the offset of the zone, e.g. 2025-03-01T00:15:00.123456+08:00 (PostgreSQL timestamptz is an Instant). */
    static String text(Instant value, ZoneId zone) {
        return value == null ? null : value.atZone(zone).toOffsetDateTime().toString();
    }
}
