package io.creditproxy.admin;

import io.creditproxy.tenant.KeyService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("/admin/keys")
@Produces(MediaType.APPLICATION_JSON)
public class AdminKeyResource {

    private final KeyService keys;

    public AdminKeyResource(KeyService keys) {
        this.keys = keys;
    }

    /** 204; the key stops working at once (keys are checked against the database on every request). */
    @DELETE
    @Path("{id}")
    @RolesAllowed(Roles.ADMIN)
    public void revoke(@PathParam("id") long id) {
        keys.revoke(id);
    }
}
