package io.creditproxy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.creditproxy.tenant.JsonFields;
import io.creditproxy.tenant.KeyService;
import io.creditproxy.tenant.KeyView;
import io.creditproxy.tenant.RotatedKey;
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
import org.jboss.resteasy.reactive.ResponseStatus;

@Path("/admin/keys")
@Produces(MediaType.APPLICATION_JSON)
public class AdminKeyResource {

    private final KeyService keys;

    public AdminKeyResource(KeyService keys) {
        this.keys = keys;
    }

    @GET
    @Path("{id}")
    @RolesAllowed({Roles.ADMIN, Roles.FINANCE})
    public KeyView get(@PathParam("id") long id) {
        return keys.get(id);
    }

    /** Changes name, allowed_models, expires_at, rate_limit_rpm (left out = unchanged, null = cleared). */
    @PATCH
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    public KeyView update(@PathParam("id") long id, JsonNode body) {
        return keys.update(id, body);
    }

    /** {"grace_seconds": n} (optional): issues the replacement; the old key works until the grace period ends. */
    @POST
    @Path("{id}/rotate")
    @RolesAllowed(Roles.ADMIN)
    @ResponseStatus(201)
    public RotatedKey rotate(@PathParam("id") long id, JsonNode body) {
        JsonNode b = JsonFields.object(body);
        return keys.rotate(id, JsonFields.integer(b, "grace_seconds"));
    }

    /** 204; the key stops working at once on every instance. */
    @DELETE
    @Path("{id}")
    @RolesAllowed(Roles.ADMIN)
    public void revoke(@PathParam("id") long id) {
        keys.revoke(id);
    }
}
