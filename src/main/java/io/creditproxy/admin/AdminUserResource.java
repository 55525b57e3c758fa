package io.creditproxy.admin;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vertx.core.http.HttpServerRequest;
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
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.ResponseStatus;

@Path("/admin/users")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class AdminUserResource {

    public record NewAdminUser(String username, String password, String role) {
    }

    public record PasswordChange(@JsonProperty("current_password") String currentPassword,
                                 @JsonProperty("new_password") String newPassword) {
    }

    private final AdminUserService users;
    private final AuthService auth;
    private final JsonWebToken token;

    public AdminUserResource(AdminUserService users, AuthService auth, JsonWebToken token) {
        this.users = users;
        this.auth = auth;
        this.token = token;
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

    /** The admin can no longer log in and its tokens are refused at once. No body (any content type). */
    @POST
    @Path("{id}/disable")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed(Roles.ADMIN)
    public AdminView disable(@PathParam("id") long id) {
        return users.disable(id, callerId());
    }

    @POST
    @Path("{id}/enable")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed(Roles.ADMIN)
    public AdminView enable(@PathParam("id") long id) {
        return users.enable(id);
    }

    /** Any admin or finance user changes its own password; 204, and every token issued before is refused. */
    @PUT
    @Path("me/password")
    @RolesAllowed({Roles.ADMIN, Roles.FINANCE})
    @ResponseStatus(204)
    public void changePassword(PasswordChange body, HttpServerRequest request) {
        PasswordChange b = body == null ? new PasswordChange(null, null) : body;
        auth.changePassword(callerId(), b.currentPassword(), b.newPassword(), LoginResource.clientAddress(request));
    }

    /** the admin id the token was issued to ({@link AdminTokenCheck} has checked it is current) */
    private long callerId() {
        return Long.parseLong(token.getSubject());
    }
}
