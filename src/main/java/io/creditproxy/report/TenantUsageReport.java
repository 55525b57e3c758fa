package io.creditproxy.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.List;

/**
 * The usage report as a tenant sees it ({@code /v1/usage?group_by=}): its own jobs and credits only. What the operator
 * earns and pays (revenue, fal's cost, margin, fal's units, ghost jobs) is the reseller's business and never shown
 * to its customers.
 */
public record TenantUsageReport(String from,
                                String to,
                                @JsonProperty("time_zone") String timeZone,
                                @JsonProperty("group_by") List<String> groupBy,
                                @JsonProperty("tenant_id") Long tenantId,
                                String model,
                                List<Row> rows,
                                Figures totals) {

    public record Row(@JsonProperty("tenant_id") Long tenantId,
                      @JsonProperty("tenant_name") String tenantName,
                      String model,
                      String period,
                      @JsonUnwrapped Figures figures) {
    }

    /** A tenant's figures: a subset of {@link UsageFigures}, under the same names. */
    public record Figures(@JsonProperty("jobs_submitted") long jobsSubmitted,
                          @JsonProperty("jobs_succeeded") long jobsSucceeded,
                          @JsonProperty("jobs_failed") long jobsFailed,
                          @JsonProperty("jobs_rejected") long jobsRejected,
                          @JsonProperty("jobs_cancelled") long jobsCancelled,
                          @JsonProperty("jobs_expired") long jobsExpired,
                          @JsonProperty("jobs_open") long jobsOpen,
                          @JsonProperty("credits_reserved") long creditsReserved,
                          @JsonProperty("credits_refunded") long creditsRefunded,
                          @JsonProperty("credits_charged") long creditsCharged) {

        /** Column names, in CSV order (the same names as in JSON). */
        public static final String[] COLUMNS = {"jobs_submitted", "jobs_succeeded", "jobs_failed", "jobs_rejected",
                "jobs_cancelled", "jobs_expired", "jobs_open", "credits_reserved", "credits_refunded", "credits_charged"};

        static Figures of(UsageFigures f) {
            return new Figures(f.jobsSubmitted(), f.jobsSucceeded(), f.jobsFailed(), f.jobsRejected(), f.jobsCancelled(),
                    f.jobsExpired(), f.jobsOpen(), f.creditsReserved(), f.creditsRefunded(), f.creditsCharged());
        }

        /** The figures as CSV cells, in {@link #COLUMNS} order. */
        Object[] cells() {
            return new Object[]{jobsSubmitted, jobsSucceeded, jobsFailed, jobsRejected, jobsCancelled, jobsExpired, jobsOpen,
                    creditsReserved, creditsRefunded, creditsCharged};
        }
    }

    static TenantUsageReport of(UsageReport r) {
        return new TenantUsageReport(r.from(), r.to(), r.timeZone(), r.groupBy(), r.tenantId(), r.model(),
                r.rows().stream().map(row -> new Row(row.tenantId(), row.tenantName(), row.model(), row.period(),
                        Figures.of(row.figures()))).toList(),
                Figures.of(r.totals()));
    }
}
