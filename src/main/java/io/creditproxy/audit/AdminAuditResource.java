package io.creditproxy.audit;

import io.creditproxy.common.QueryParams;
import io.creditproxy.common.ApiException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** GET /admin/audit: the audit log, newest first, filterable by tenant, model, actor and action. */
@Path("/admin/audit")
@Produces(MediaType.APPLICATION_JSON)
public class AdminAuditResource {

    private final AuditLog audit;

    public AdminAuditResource(AuditLog audit) {
        this.audit = audit;
    }

    @GET
    @RolesAllowed({"admin", "finance"})
    public List<AuditEntry> list(@QueryParam("tenant_id") String tenantId, @QueryParam("model") String model,
                                 @QueryParam("actor") String actor, @QueryParam("action") String action,
                                 @QueryParam("before_id") String beforeId, @QueryParam("limit") String limit) {
        Long l = QueryParams.optionalLong("limit", limit);
        if (l != null && (l < 1 || l > AuditLog.MAX_PAGE)) {
            throw ApiException.invalidParameter("limit must be between 1 and " + AuditLog.MAX_PAGE);
        }
        return audit.find(new AuditLog.Filter(QueryParams.optionalLong("tenant_id", tenantId), model, actor, action,
                QueryParams.optionalLong("before_id", beforeId), l == null ? null : l.intValue()));
    }

}
