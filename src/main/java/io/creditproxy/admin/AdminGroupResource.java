package io.creditproxy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.creditproxy.tenant.GroupService;
import io.creditproxy.tenant.GroupView;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** Price groups (tiers): {@code PUT /admin/groups/{name}} creates (201) or changes (200) one; {@code GET} lists them. */
@Path("/admin/groups")
@Produces(MediaType.APPLICATION_JSON)
public class AdminGroupResource {

    private final GroupService groups;

    public AdminGroupResource(GroupService groups) {
        this.groups = groups;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.FINANCE})
    public List<GroupView> list() {
        return groups.list();
    }

    /** {"price_multiplier", "description", "enabled"}; fields left out keep their value. */
    @PUT
    @Path("{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    public Response put(@PathParam("name") String name, JsonNode body) {
        GroupService.Upserted result = groups.put(name, body);
        return Response.status(result.created() ? 201 : 200).entity(result.group()).build();
    }
}
