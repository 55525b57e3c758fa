package io.creditproxy.report;

import io.creditproxy.admin.Roles;
import io.creditproxy.common.QueryParams;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** A tenant's statement for a period (roles admin and finance). */
@Path("/admin/tenants/{id}/statement")
@Produces({MediaType.APPLICATION_JSON, CsvExport.MEDIA_TYPE})
@Tag(name = "admin: reports")
public class AdminStatementResource {

    private final StatementService statements;
    private final UsageReportService reports;
    private final ReportRequests requests;

    public AdminStatementResource(StatementService statements, UsageReportService reports, ReportRequests requests) {
        this.statements = statements;
        this.reports = reports;
        this.requests = requests;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.FINANCE})
    @Operation(summary = "Opening balance, every ledger entry of [from, to), closing balance; revenue, fal cost and margin")
    public Response statement(@PathParam("id") String id, @BeanParam PeriodParams period,
                              @QueryParam("format") ReportFormat format) {
        Long tenantId = QueryParams.optionalLong("id", id);
        if (tenantId == null) {
            throw QueryParams.invalid("id", "id must be a tenant id");
        }
        ReportPeriod p = requests.period(period);
        Statement statement = statements.statement(tenantId, p);
        // finance's statement also shows what the period earned: revenue, fal cost at the cost rate, margin
        statement = statement.withUsage(Statement.Usage.of(reports.report(p, GroupBy.NONE, tenantId, null).totals()));
        return ReportFormat.isCsv(format) ? CsvExport.response(CsvExport.statement(statement), "statement-" + tenantId + ".csv")
                : Response.ok(statement, MediaType.APPLICATION_JSON_TYPE).build();
    }
}
