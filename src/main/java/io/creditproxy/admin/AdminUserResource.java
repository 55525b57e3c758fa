package io.creditproxy.admin;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.jboss.resteasy.reactive.ResponseStatus;

@Path("/admin/users")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class AdminUserResource {

    public record NewAdminUser(String username, String password, String role) {
    }

    private final AdminUserService users;

    public AdminUserResource(AdminUserService users) {
        this.users = users;
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @ResponseStatus(201)
    public AdminView create(NewAdminUser body) {
        NewAdminUser b = body == null ? new NewAdminUser(null, null, null) : body;
        return users.create(b.username(), b.password(), b.role());
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.FINANCE})
    public List<AdminView> list() {
        return users.list();
    }
}
