package io.creditproxy.report;

import io.creditproxy.common.QueryParams;
import io.creditproxy.tenant.Caller;
import io.creditproxy.tenant.CurrentCaller;
import io.creditproxy.tenant.TenantKey;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.ZoneId;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The tenant's own usage and ledger, authenticated by its API key. Every query is bound to the key's tenant;
 * nothing here takes a tenant id from the caller.
 */
@Path("/v1")
@Produces({MediaType.APPLICATION_JSON, CsvExport.MEDIA_TYPE})
@Tag(name = "tenant")
@TenantKey
public class TenantUsageResource {

    private final CurrentCaller current;
    private final JobHistoryService jobs;
    private final UsageReportService reports;
    private final StatementService statements;
    private final ReportRequests requests;

    public TenantUsageResource(CurrentCaller current, JobHistoryService jobs, UsageReportService reports,
                               StatementService statements, ReportRequests requests) {
        this.current = current;
        this.jobs = jobs;
        this.reports = reports;
        this.statements = statements;
        this.requests = requests;
    }

    /**
     * Without group_by: the tenant's jobs, newest first, each with its states and ledger entries. With group_by
     * (model, day or month): the usage report's rows, restricted to the tenant.
     */
    @GET
    @Path("usage")
    @Operation(summary = "Your jobs (states, charges, ledger entries), or with group_by your usage report")
    public Response usage(@QueryParam("group_by") GroupBy groupBy, @BeanParam JobListParams params,
                          @QueryParam("format") ReportFormat format) {
        Caller caller = current.get();
        if (groupBy != null) {
            UsageReport report = reports.report(requests.period(params.period), groupBy, caller.tenantId(),
                    QueryParams.optionalText(params.model));
            // the tenant's own figures only: never the operator's revenue, fal cost or margin
            return ReportFormat.isCsv(format) ? CsvExport.response(CsvExport.tenantUsage(report), "usage.csv")
                    : Response.ok(TenantUsageReport.of(report), MediaType.APPLICATION_JSON_TYPE).build();
        }
        if (ReportFormat.isCsv(format)) {
            throw QueryParams.invalid("format", "format=csv needs group_by (the job list is JSON)");
        }
        ZoneId zone = requests.zone(params.period.tz);
        return Response.ok(jobs.list(requests.filter(caller.tenantId(), params, zone), requests.pageSize(params.limit), zone),
                MediaType.APPLICATION_JSON_TYPE).build();
    }

    @GET
    @Path("usage/{job_id}")
    @Operation(summary = "One of your jobs with its ledger entries and settlement")
    public JobView job(@PathParam("job_id") String jobId, @QueryParam("tz") ZoneId tz) {
        Caller caller = current.get();
        return jobs.get(QueryParams.optionalUuid("job_id", jobId), caller.tenantId(), requests.zone(tz));
    }

    /** Your statement for [from, to) (default: this month): opening balance, every entry, closing balance. */
    @GET
    @Path("ledger")
    @Operation(summary = "Your statement: opening balance, every ledger entry of [from, to), closing balance")
    public Response ledger(@BeanParam PeriodParams period, @QueryParam("format") ReportFormat format) {
        Caller caller = current.get();
        Statement statement = statements.statement(caller.tenantId(), requests.period(period));
        return ReportFormat.isCsv(format) ? CsvExport.response(CsvExport.statement(statement), "statement.csv")
                : Response.ok(statement, MediaType.APPLICATION_JSON_TYPE).build();
    }
}
