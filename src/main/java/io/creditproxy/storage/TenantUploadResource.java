package io.creditproxy.storage;

import io.creditproxy.common.QueryParams;
import io.creditproxy.tenant.CurrentCaller;
import io.creditproxy.tenant.TenantKey;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** The tenant's own file uploads, newest first (its API key, {@code Bearer} or fal's {@code Key} scheme). */
@Path("/v1/uploads")
@Produces(MediaType.APPLICATION_JSON)
@TenantKey
public class TenantUploadResource {

    private final CurrentCaller caller;
    private final UploadService uploads;

    public TenantUploadResource(CurrentCaller caller, UploadService uploads) {
        this.caller = caller;
        this.uploads = uploads;
    }

    @GET
    public List<UploadView> list(@QueryParam("limit") String limit, @QueryParam("before_id") String beforeId) {
        Integer n = QueryParams.optionalInt("limit", limit);
        return uploads.list(caller.get().tenantId(), n == null ? 50 : n, QueryParams.optionalLong("before_id", beforeId));
    }
}
