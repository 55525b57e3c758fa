package io.creditproxy.tenant;

import io.creditproxy.common.ApiException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Authenticates every {@link TenantKey} resource (the {@code /v1} API) before the resource runs, on its worker
 * thread: an API key through {@link TenantAuthenticator} (as the passthrough checks it), or a tenant user's token
 * from {@code POST /v1/login} (checked like every JWT, then its role must be {@code tenant}: an admin's token is not a
 * tenant's credential, 401 here). A refusal is the one error shape (401, 429 with Retry-After).
 */
@Provider
@TenantKey
@Priority(Priorities.AUTHENTICATION)
public class TenantKeyFilter implements ContainerRequestFilter {

    private final TenantAuthenticator authenticator;
    private final CurrentCaller current;
    private final CurrentIdentityAssociation identities;

    public TenantKeyFilter(TenantAuthenticator authenticator, CurrentCaller current, CurrentIdentityAssociation identities) {
        this.authenticator = authenticator;
        this.current = current;
        this.identities = identities;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (TenantUserToken.isJwt(authorization)) {
            // invalid, expired or revoked tokens fail here (AuthenticationFailedException: 401)
            SecurityIdentity identity = identities.getDeferredIdentity().await().indefinitely();
            if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken token)) {
                throw ApiException.unauthorized("Invalid token.");
            }
            Long tenantId = TenantUserToken.tenantIdOf(token.getClaim(TenantUserToken.TENANT_ID));
            if (!identity.hasRole(TenantUserToken.ROLE) || tenantId == null) {
                throw ApiException.unauthorized("This route takes an API key or a tenant user's token, not an admin's.");
            }
            current.set(new Caller(tenantId, 0), null);
            return;
        }
        TenantAuthenticator.ApiCaller caller = authenticator.controlsForApi(authorization);
        current.set(caller.caller(), caller.controls());
    }
}
