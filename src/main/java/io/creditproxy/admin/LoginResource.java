package io.creditproxy.admin;

import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("/admin/login")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class LoginResource {

    public record LoginRequest(String username, String password) {
    }

    public record TokenResponse(String token) {
    }

    private final AuthService auth;

    public LoginResource(AuthService auth) {
        this.auth = auth;
    }

    @POST
    @PermitAll
    public TokenResponse login(LoginRequest request, HttpServerRequest http) {
        LoginRequest r = request == null ? new LoginRequest(null, null) : request;
        return new TokenResponse(auth.login(r.username(), r.password(), clientAddress(http)));
    }

    /**
     * The client's address for the login throttle: the connection's peer, or, when Quarkus is told to trust a reverse
     * proxy ({@code quarkus.http.proxy.*}), the address that proxy forwarded.
     */
    static String clientAddress(HttpServerRequest request) {
        return request == null || request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    }
}
