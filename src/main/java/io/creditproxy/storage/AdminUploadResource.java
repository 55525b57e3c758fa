package io.creditproxy.storage;

import io.creditproxy.common.QueryParams;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** A tenant's file uploads through the proxy, newest first (roles admin and finance). */
@Path("/admin/tenants/{id}/uploads")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin: uploads")
public class AdminUploadResource {

    private final UploadService uploads;

    public AdminUploadResource(UploadService uploads) {
        this.uploads = uploads;
    }

    @GET
    @RolesAllowed({"admin", "finance"})
    @Operation(summary = "The tenant's uploads: file name, content type, size, file URL, status, credits charged, time")
    public List<UploadView> list(@PathParam("id") long id, @QueryParam("limit") String limit,
                                 @QueryParam("before_id") String beforeId) {
        Integer n = QueryParams.optionalInt("limit", limit);
        return uploads.listForAdmin(id, n == null ? 50 : n, QueryParams.optionalLong("before_id", beforeId));
    }
}
