package io.creditproxy.report;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneId;

/** Turns the report query parameters shared by the admin and tenant endpoints into typed values. */
@ApplicationScoped
public class ReportRequests {

    private final TimeZones zones;
    private final ReportConfig config;
    private final Clock clock = Clock.systemUTC();

    public ReportRequests(TimeZones zones, ReportConfig config) {
        this.zones = zones;
        this.config = config;
    }

    public ZoneId zone(String tz) {
        return zones.require(tz == null || tz.isBlank() ? config.defaultTimeZone() : tz);
    }

    /** [from, to) in the zone; the current month when absent. */
    public ReportPeriod period(String from, String to, String tz) {
        return ReportPeriod.parse(from, to, zone(tz), clock);
    }

    /** An optional bound of a job listing (no default). */
    public OffsetDateTime bound(String name, String value, ZoneId zone) {
        return value == null || value.isBlank() ? null : ReportPeriod.instant(name, value, zone);
    }

    public int pageSize(String limit) {
        return Params.pageSize(limit, config);
    }
}
