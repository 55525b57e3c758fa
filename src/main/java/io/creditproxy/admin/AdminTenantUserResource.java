package io.creditproxy.admin;

import io.creditproxy.admin.TenantUserService.TenantUserView;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.jboss.resteasy.reactive.ResponseStatus;

/** Admins manage a tenant's users (who log in at {@code POST /v1/login}). Writes need role admin. */
@Path("/admin/tenants/{id}/users")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class AdminTenantUserResource {

    public record NewTenantUser(String username, String password) {
    }

    public record PasswordReset(String password) {
    }

    private final TenantUserService users;

    public AdminTenantUserResource(TenantUserService users) {
        this.users = users;
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @ResponseStatus(201)
    public TenantUserView create(@PathParam("id") long tenantId, NewTenantUser body) {
        NewTenantUser b = body == null ? new NewTenantUser(null, null) : body;
        return users.create(tenantId, b.username(), b.password());
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.FINANCE})
    public List<TenantUserView> list(@PathParam("id") long tenantId) {
        return users.list(tenantId);
    }

    @POST
    @Path("{user}/disable")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed(Roles.ADMIN)
    public TenantUserView disable(@PathParam("id") long tenantId, @PathParam("user") long userId) {
        return users.disable(tenantId, userId);
    }

    @POST
    @Path("{user}/enable")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed(Roles.ADMIN)
    public TenantUserView enable(@PathParam("id") long tenantId, @PathParam("user") long userId) {
        return users.enable(tenantId, userId);
    }

    /** {"password"}: a new password; every token the user holds is refused from now on. */
    @PUT
    @Path("{user}/password")
    @RolesAllowed(Roles.ADMIN)
    public TenantUserView resetPassword(@PathParam("id") long tenantId, @PathParam("user") long userId, PasswordReset body) {
        return users.resetPassword(tenantId, userId, body == null ? null : body.password());
    }
}
