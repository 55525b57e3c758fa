package io.creditproxy.report;

import io.creditproxy.common.QueryParams;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

/**
 * A {@code from} or {@code to} as given: a date (YYYY-MM-DD, midnight in the report's time zone, known only later)
 * or an ISO-8601 timestamp with offset. Exactly one of the two is set.
 */
public record TimeBound(LocalDate date, OffsetDateTime instant) {

    /** @throws io.creditproxy.common.ApiException 422 invalid_parameter naming {@code name} */
    public static TimeBound parse(String name, String text) {
        String t = text.trim();
        try {
            return t.length() == 10 ? new TimeBound(LocalDate.parse(t), null) : new TimeBound(null, OffsetDateTime.parse(t));
        } catch (DateTimeParseException e) {
            throw QueryParams.invalid(name, name + " must be a date (YYYY-MM-DD) or an ISO-8601 timestamp with offset");
        }
    }

    /** The instant in {@code zone}: a date means its first moment there. */
    public OffsetDateTime in(ZoneId zone) {
        return date == null ? instant : midnight(date, zone);
    }

    /** atStartOfDay(zone), not atTime(0, 0): where DST starts at midnight the day begins at 01:00. */
    static OffsetDateTime midnight(LocalDate day, ZoneId zone) {
        return day.atStartOfDay(zone).toOffsetDateTime();
    }
}
