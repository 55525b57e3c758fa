package io.creditproxy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.creditproxy.common.ApiException;
import io.creditproxy.fal.UpstreamAccounts;
import io.creditproxy.fal.UpstreamRecovery;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * The upstream pool's fal accounts: {@code POST /admin/upstreams} (201; the key is never shown again),
 * {@code GET /admin/upstreams}, {@code GET|PATCH|DELETE /admin/upstreams/{id}} (DELETE: 409 while an open job uses
 * it), {@code POST /admin/upstreams/{id}/check} (read its fal balance now and re-enable it if the proxy disabled it
 * and it is healthy).
 */
@Path("/admin/upstreams")
@Produces(MediaType.APPLICATION_JSON)
public class AdminUpstreamResource {

    private final AdminUpstreamService service;
    private final UpstreamAccounts accounts;
    private final UpstreamRecovery recovery;

    public AdminUpstreamResource(AdminUpstreamService service, UpstreamAccounts accounts, UpstreamRecovery recovery) {
        this.service = service;
        this.accounts = accounts;
        this.recovery = recovery;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.FINANCE})
    public List<UpstreamView> list() {
        accounts.refresh();
        return service.list();
    }

    @GET
    @Path("{id}")
    @RolesAllowed({Roles.ADMIN, Roles.FINANCE})
    public UpstreamView get(@PathParam("id") long id) {
        accounts.refresh();
        return one(id);
    }

    /** {"name", "key", "weight" (0-1000, default 1), "enabled" (default true), "groups": [price group names]}. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    public Response create(JsonNode body) {
        long id = service.create(body);
        accounts.refresh();
        return Response.status(201).entity(one(id)).build();
    }

    @PATCH
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    public UpstreamView update(@PathParam("id") long id, JsonNode body) {
        service.update(id, body);
        accounts.refresh();
        return one(id);
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(Roles.ADMIN)
    public Response delete(@PathParam("id") long id) {
        service.delete(id);
        accounts.refresh();
        return Response.noContent().build();
    }

    @POST
    @Path("{id}/check")
    @RolesAllowed(Roles.ADMIN)
    public UpstreamView check(@PathParam("id") long id) {
        accounts.refresh();
        recovery.check(id);
        return one(id);
    }

    private UpstreamView one(long id) {
        return service.list().stream().filter(v -> v.id() == id).findFirst()
                .orElseThrow(() -> ApiException.notFound("upstream_not_found", "No upstream account with id " + id + "."));
    }
}
