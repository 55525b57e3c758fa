package io.creditproxy.admin;

import io.creditproxy.common.ErrorBody;
import io.creditproxy.common.ErrorMappers;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Quarkus answers refused {@code @RolesAllowed} calls with an empty body; these give them the one JSON
 * error shape. They see token failures because authentication is lazy ({@code quarkus.http.auth.proactive=false}).
 */
public class SecurityErrorMappers {

    private static final String CHALLENGE = "Bearer realm=\"credit-proxy admin\"";

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e) {
        return unauthenticated("A valid admin token is required: send 'Authorization: Bearer <token>' from POST /admin/login.");
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e) {
        // expired, tampered, foreign-signed or malformed token; which one is not told
        return unauthenticated("The token is invalid or expired.");
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return ErrorMappers.json(403, ErrorBody.of("forbidden", "Your role may not do this."));
    }

    private static Response unauthenticated(String message) {
        Response r = ErrorMappers.json(401, ErrorBody.of("unauthorized", message));
        return Response.fromResponse(r).header(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE).build();
    }
}
