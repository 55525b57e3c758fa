package io.creditproxy.admin;

import io.creditproxy.admin.LoginResource.LoginRequest;
import io.creditproxy.admin.LoginResource.TokenResponse;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** A tenant user's login: {@code {"username","password"}} → {@code {"token"}}, a JWT with role {@code tenant}. */
@Path("/v1/login")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class TenantLoginResource {

    private final AuthService auth;

    public TenantLoginResource(AuthService auth) {
        this.auth = auth;
    }

    @POST
    @PermitAll
    public TokenResponse login(LoginRequest request, HttpServerRequest http) {
        LoginRequest r = request == null ? new LoginRequest(null, null) : request;
        return new TokenResponse(auth.tenantLogin(r.username(), r.password(), LoginResource.clientAddress(http)));
    }
}
