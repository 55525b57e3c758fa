package io.creditproxy.tenant;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;

/**
 * Authenticates every {@link TenantKey} resource (the {@code /v1} API) through {@link TenantAuthenticator}, on the
 * resource's worker thread, before the resource runs; a refusal is the one error shape (401, 429 with Retry-After).
 */
@Provider
@TenantKey
@Priority(Priorities.AUTHENTICATION)
public class TenantKeyFilter implements ContainerRequestFilter {

    private final TenantAuthenticator authenticator;
    private final CurrentCaller current;

    public TenantKeyFilter(TenantAuthenticator authenticator, CurrentCaller current) {
        this.authenticator = authenticator;
        this.current = current;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        current.set(authenticator.authenticateApi(request.getHeaderString(HttpHeaders.AUTHORIZATION)));
    }
}
