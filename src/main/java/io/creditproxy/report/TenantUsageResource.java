package io.creditproxy.report;

import io.creditproxy.common.QueryParams;
import io.creditproxy.tenant.Caller;
import io.creditproxy.tenant.CurrentCaller;
import io.creditproxy.tenant.TenantKey;
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
    public Response usage(@QueryParam("group_by") String groupBy, @QueryParam("from") String from,
                          @QueryParam("to") String to, @QueryParam("tz") String tz, @QueryParam("model") String model,
                          @QueryParam("status") String status, @QueryParam("before") String before,
                          @QueryParam("limit") String limit, @QueryParam("format") String format) {
        Caller caller = current.get();
        boolean csv = Params.csv(format);
        if (groupBy != null && !groupBy.isBlank()) {
            UsageReport report = reports.report(requests.period(from, to, tz), GroupBy.parse(groupBy), caller.tenantId(),
                    QueryParams.optionalText(model));
            return csv ? CsvExport.response(CsvExport.usage(report), "usage.csv")
                    : Response.ok(report, MediaType.APPLICATION_JSON_TYPE).build();
        }
        if (csv) {
            throw QueryParams.invalid("format", "format=csv needs group_by (the job list is JSON)");
        }
        ZoneId zone = requests.zone(tz);
        JobHistoryService.Filter filter = new JobHistoryService.Filter(caller.tenantId(), QueryParams.optionalText(model),
                Params.upper(QueryParams.optionalText(status)), requests.bound("from", from, zone), requests.bound("to", to, zone),
                QueryParams.optionalUuid("before", before));
        return Response.ok(jobs.list(filter, requests.pageSize(limit), zone), MediaType.APPLICATION_JSON_TYPE).build();
    }

    @GET
    @Path("usage/{job_id}")
    @Operation(summary = "One of your jobs with its ledger entries and settlement")
    public JobView job(@PathParam("job_id") String jobId,
                       @QueryParam("tz") String tz) {
        Caller caller = current.get();
        return jobs.get(QueryParams.optionalUuid("job_id", jobId), caller.tenantId(), requests.zone(tz));
    }

    /** Your statement for [from, to) (default: this month): opening balance, every entry, closing balance. */
    @GET
    @Path("ledger")
    @Operation(summary = "Your statement: opening balance, every ledger entry of [from, to), closing balance")
    public Response ledger(@QueryParam("from") String from,
                           @QueryParam("to") String to, @QueryParam("tz") String tz,
                           @QueryParam("format") String format) {
        Caller caller = current.get();
        boolean csv = Params.csv(format);
        Statement statement = statements.statement(caller.tenantId(), requests.period(from, to, tz));
        return csv ? CsvExport.response(CsvExport.statement(statement), "statement.csv")
                : Response.ok(statement, MediaType.APPLICATION_JSON_TYPE).build();
    }
}
