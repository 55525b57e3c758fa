package io.creditproxy.report;

import io.creditproxy.common.QueryParams;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.Locale;

/** The defaults and bounds of the report parameters shared by the admin and tenant endpoints. */
@ApplicationScoped
public class ReportRequests {

    private final TimeZones zones;
    private final ReportConfig config;
    private final Clock clock = Clock.systemUTC();

    public ReportRequests(TimeZones zones, ReportConfig config) {
        this.zones = zones;
        this.config = config;
    }

    /** The zone asked for, or the configured one. */
    public ZoneId zone(ZoneId tz) {
        return tz != null ? tz : zones.require(config.defaultTimeZone());
    }

    /** [from, to) in the zone; the current month when absent. */
    public ReportPeriod period(PeriodParams p) {
        return ReportPeriod.of(p.from, p.to, zone(p.tz), clock);
    }

    /** A job listing's filter (tenantId null = every tenant, for admins) with its zone. */
    public JobHistoryService.Filter filter(Long tenantId, JobListParams p, ZoneId zone) {
        return new JobHistoryService.Filter(tenantId, QueryParams.optionalText(p.model),
                p.status == null || p.status.isBlank() ? null : p.status.trim().toUpperCase(Locale.ROOT),
                bound(p.period.from, zone), bound(p.period.to, zone), p.before);
    }

    /** @throws io.creditproxy.common.ApiException 422 when outside 1..report.max-page-size */
    public int pageSize(Integer limit) {
        if (limit == null) {
            return config.defaultPageSize();
        }
        if (limit < 1 || limit > config.maxPageSize()) {
            throw QueryParams.invalid("limit", "limit must be between 1 and " + config.maxPageSize());
        }
        return limit;
    }

    private static OffsetDateTime bound(TimeBound b, ZoneId zone) {
        return b == null ? null : b.in(zone);
    }
}
