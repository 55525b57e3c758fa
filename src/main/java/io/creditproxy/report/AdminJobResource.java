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
import java.time.ZoneId;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Jobs of every tenant, with their states, settlement and ledger entries (roles admin and finance). */
@Path("/admin/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin: jobs")
public class AdminJobResource {

    private final JobHistoryService jobs;
    private final ReportRequests requests;

    public AdminJobResource(JobHistoryService jobs, ReportRequests requests) {
        this.jobs = jobs;
        this.requests = requests;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.FINANCE})
    @Operation(summary = "Jobs, newest first; filters tenant_id, model, status, from, to; keyset paging with before")
    public JobView.Page list(@QueryParam("tenant_id") Long tenantId, @BeanParam JobListParams params) {
        ZoneId zone = requests.zone(params.period.tz);
        return jobs.list(requests.filter(tenantId, params, zone), requests.pageSize(params.limit), zone);
    }

    @GET
    @Path("{id}")
    @RolesAllowed({Roles.ADMIN, Roles.FINANCE})
    @Operation(summary = "One job with its ledger entries and settlement")
    public JobView get(@PathParam("id") String id, @QueryParam("tz") ZoneId tz) {
        return jobs.get(QueryParams.optionalUuid("id", id), null, requests.zone(tz));
    }
}
