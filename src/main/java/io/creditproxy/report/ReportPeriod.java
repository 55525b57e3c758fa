package io.creditproxy.report;

import io.creditproxy.common.QueryParams;
import java.time.Clock;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;

/**
 * A half-open period [from, to) in a time zone. {@code from} and {@code to} are dates (YYYY-MM-DD, meaning
 * midnight in the zone) or ISO-8601 timestamps with an offset. Without them: the current month in the zone.
 */
public record ReportPeriod(ZoneId zone, OffsetDateTime from, OffsetDateTime to) {

    /** [from, to) in the zone; the current month there for a missing bound. */
    public static ReportPeriod of(TimeBound from, TimeBound to, ZoneId zone, Clock clock) {
        LocalDate firstOfMonth = LocalDate.now(clock.withZone(zone)).withDayOfMonth(1);
        OffsetDateTime start = from == null ? TimeBound.midnight(firstOfMonth, zone) : from.in(zone);
        OffsetDateTime end = to == null ? TimeBound.midnight(firstOfMonth.plusMonths(1), zone) : to.in(zone);
        if (!start.isBefore(end)) {
            throw QueryParams.invalid("to", "to must be after from (the period is [from, to))");
        }
        return new ReportPeriod(zone, start, end);
    }

    /** Both bounds as the caller's zone shows them, e.g. 2025-03-01T00:00+08:00. */
    public String fromText() {
        return from.atZoneSameInstant(zone).toOffsetDateTime().toString();
    }

    public String toText() {
        return to.atZoneSameInstant(zone).toOffsetDateTime().toString();
    }
}
