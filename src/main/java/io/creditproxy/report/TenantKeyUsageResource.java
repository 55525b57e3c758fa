package io.creditproxy.report;

import io.creditproxy.common.QueryParams;
import io.creditproxy.tenant.KeyService;
import io.creditproxy.tenant.TenantUserToken;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.ZoneId;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code GET /v1/keys/{id}/usage} (System API, tenant user's token): one of the tenant's keys' jobs and charges, or with
 * {@code group_by=model,day|month} its usage report, exactly as {@code /v1/usage} for the whole tenant.
 */
@Path("/v1/keys/{id}/usage")
@Produces({MediaType.APPLICATION_JSON, CsvExport.MEDIA_TYPE})
@RolesAllowed(TenantUserToken.ROLE)
@Tag(name = "system")
public class TenantKeyUsageResource {

    private final TenantUserToken user;
    private final KeyService keys;
    private final JobHistoryService jobs;
    private final UsageReportService reports;
    private final ReportRequests requests;

    public TenantKeyUsageResource(TenantUserToken user, KeyService keys, JobHistoryService jobs,
                                  UsageReportService reports, ReportRequests requests) {
        this.user = user;
        this.keys = keys;
        this.jobs = jobs;
        this.reports = reports;
        this.requests = requests;
    }

    @GET
    public Response usage(@PathParam("id") long keyId, @QueryParam("group_by") GroupBy groupBy,
                          @BeanParam JobListParams params, @QueryParam("format") ReportFormat format) {
        long tenantId = user.tenantId();
        keys.getOwned(tenantId, keyId); // another tenant's key: 404
        if (groupBy != null) {
            if (groupBy.tenant()) {
                throw QueryParams.invalid("group_by", "group_by takes model, day or month here");
            }
            UsageReport report = reports.report(requests.period(params.period), groupBy, tenantId,
                    QueryParams.optionalText(params.model), keyId);
            // the tenant's own figures only: never the operator's revenue, fal cost or margin
            return ReportFormat.isCsv(format) ? CsvExport.response(CsvExport.tenantUsage(report), "usage.csv")
                    : Response.ok(TenantUsageReport.of(report), MediaType.APPLICATION_JSON_TYPE).build();
        }
        if (ReportFormat.isCsv(format)) {
            throw QueryParams.invalid("format", "format=csv needs group_by (the job list is JSON)");
        }
        ZoneId zone = requests.zone(params.period.tz);
        return Response.ok(jobs.list(requests.filter(tenantId, params, zone).withKey(keyId), requests.pageSize(params.limit),
                zone), MediaType.APPLICATION_JSON_TYPE).build();
    }
}
