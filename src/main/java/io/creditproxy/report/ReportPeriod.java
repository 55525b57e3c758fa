package io.creditproxy.report;

import io.creditproxy.common.QueryParams;
import java.time.Clock;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

/**
 * A half-open period [from, to) in a time zone. {@code from} and {@code to} are dates (YYYY-MM-DD, meaning
 * midnight in the zone) or ISO-8601 timestamps with an offset. Without them: the current month in the zone.
 */
public record ReportPeriod(ZoneId zone, OffsetDateTime from, OffsetDateTime to) {

    public static ReportPeriod parse(String from, String to, ZoneId zone, Clock clock) {
        LocalDate firstOfMonth = LocalDate.now(clock.withZone(zone)).withDayOfMonth(1);
        OffsetDateTime start = from == null || from.isBlank() ? midnight(firstOfMonth, zone) : instant("from", from, zone);
        OffsetDateTime end = to == null || to.isBlank() ? midnight(firstOfMonth.plusMonths(1), zone) : instant("to", to, zone);
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

    static OffsetDateTime instant(String name, String text, ZoneId zone) {
        String t = text.trim();
        try {
            if (t.length() == 10) {
                return midnight(LocalDate.parse(t), zone);
            }
            return OffsetDateTime.parse(t);
        } catch (DateTimeParseException e) {
            throw QueryParams.invalid(name, name + " must be a date (YYYY-MM-DD) or an ISO-8601 timestamp with offset");
        }
    }

    /** atStartOfDay(zone), not atTime(0, 0): where DST starts at midnight the day begins at 01:00. */
    private static OffsetDateTime midnight(LocalDate day, ZoneId zone) {
        return day.atStartOfDay(zone).toOffsetDateTime();
    }
}
