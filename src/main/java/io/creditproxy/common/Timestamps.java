package io.creditproxy.common;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * A timestamptz column as a native query hands it back: one of several Java types, depending on the Hibernate and
 * driver versions. The one converter for all of them.
 */
public final class Timestamps {

    private Timestamps() {
    }

    /** null for null */
    public static Instant instant(Object column) {
        if (column == null) {
            return null;
        }
        if (column instanceof Instant i) {
            return i;
        }
        if (column instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        if (column instanceof Timestamp t) {
            return t.toInstant();
        }
        if (column instanceof ZonedDateTime z) {
            return z.toInstant();
        }
        throw new IllegalStateException("not a timestamp column: " + column.getClass().getName());
    }

    /** The same in UTC (an OffsetDateTime as it came, with its offset); null for null. */
    public static OffsetDateTime offset(Object column) {
        if (column instanceof OffsetDateTime o) {
            return o;
        }
        Instant i = instant(column);
        return i == null ? null : i.atOffset(ZoneOffset.UTC);
    }
}
