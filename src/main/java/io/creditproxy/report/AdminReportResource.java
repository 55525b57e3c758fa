package io.creditproxy.report;

import io.creditproxy.admin.Roles;
import io.creditproxy.common.QueryParams;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Finance reports over all tenants (roles admin and finance). */
@Path("/admin/reports")
@Produces({MediaType.APPLICATION_JSON, CsvExport.MEDIA_TYPE})
@Tag(name = "admin: reports")
public class AdminReportResource {

    private final UsageReportService reports;
    private final ReconciliationService reconciliation;
    private final ReportRequests requests;

    public AdminReportResource(UsageReportService reports, ReconciliationService reconciliation, ReportRequests requests) {
        this.reports = reports;
        this.reconciliation = reconciliation;
        this.requests = requests;
    }

    @GET
    @Path("reconciliation")
    @RolesAllowed({Roles.ADMIN, Roles.FINANCE})
    @Operation(summary = "The books against fal's billing events for [from, to): under-priced jobs, jobs fal billed that "
            + "were refunded or unknown, jobs charged that fal never billed, expected vs actual fal cost")
    public Response reconciliation(@BeanParam PeriodParams period, @QueryParam("format") ReportFormat format) {
        ReconciliationReport report = reconciliation.report(requests.period(period));
        return ReportFormat.isCsv(format) ? CsvExport.response(CsvExport.reconciliation(report), "reconciliation.csv")
                : Response.ok(report, MediaType.APPLICATION_JSON_TYPE).build();
    }

    @GET
    @Path("usage")
    @RolesAllowed({Roles.ADMIN, Roles.FINANCE})
    @Operation(summary = "Usage, revenue, fal cost and margin for [from, to), grouped by tenant, model and day or month")
    public Response usage(@BeanParam PeriodParams period, @QueryParam("group_by") GroupBy groupBy,
                          @QueryParam("tenant_id") Long tenantId, @QueryParam("model") String model,
                          @QueryParam("format") ReportFormat format) {
        UsageReport report = reports.report(requests.period(period), groupBy == null ? GroupBy.NONE : groupBy, tenantId,
                QueryParams.optionalText(model));
        return ReportFormat.isCsv(format) ? CsvExport.response(CsvExport.usage(report), "usage.csv")
                : Response.ok(report, MediaType.APPLICATION_JSON_TYPE).build();
    }
}
