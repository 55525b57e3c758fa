package io.creditproxy.tenant;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

/** The tenant's own account, authenticated by its API key ({@code Bearer} or fal's {@code Key} scheme). */
@Path("/v1/account")
@Produces(MediaType.APPLICATION_JSON)
public class AccountResource {

    private final TenantAuthenticator authenticator;
    private final TenantService tenants;

    public AccountResource(TenantAuthenticator authenticator, TenantService tenants) {
        this.authenticator = authenticator;
        this.tenants = tenants;
    }

    @GET
    public AccountView account(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        Caller caller = authenticator.authenticate(authorization);
        return tenants.account(caller.tenantId());
    }
}
