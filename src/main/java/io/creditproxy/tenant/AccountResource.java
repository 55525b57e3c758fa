package io.creditproxy.tenant;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The tenant's own account, authenticated by its API key ({@code Bearer} or fal's {@code Key} scheme). */
@Path("/v1/account")
@Produces(MediaType.APPLICATION_JSON)
@TenantKey
public class AccountResource {

    private final CurrentCaller caller;
    private final TenantService tenants;

    public AccountResource(CurrentCaller caller, TenantService tenants) {
        this.caller = caller;
        this.tenants = tenants;
    }

    @GET
    public AccountView account() {
        return tenants.account(caller.get().tenantId());
    }
}
