package io.creditproxy.tenant;

import com.fasterxml.jackson.databind.JsonNode;
import io.creditproxy.common.QueryParams;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

/**
 * The System API: a tenant user (JWT from {@code POST /v1/login}) manages its own tenant's keys. Every call is bound to
 * the token's tenant; another tenant's key is 404, exactly like an unknown one. Every change is audited with the user
 * as actor.
 */
@Path("/v1/keys")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(TenantUserToken.ROLE)
@Tag(name = "system")
public class TenantKeysResource {

    /** A page of keys; pass {@code next_before} as {@code before} for the next one (null: no more). */
    public record KeyPage(List<KeyView> keys, @com.fasterxml.jackson.annotation.JsonProperty("next_before") Long nextBefore) {
    }

    private final KeyService keys;
    private final TenantUserToken user;

    public TenantKeysResource(KeyService keys, TenantUserToken user) {
        this.keys = keys;
        this.user = user;
    }

    @GET
    public KeyPage list(@QueryParam("search") String search, @QueryParam("limit") String limit,
                        @QueryParam("before") String before) {
        Integer size = QueryParams.optionalInt("limit", limit);
        List<KeyView> page = keys.page(user.tenantId(), search, size, QueryParams.optionalLong("before", before));
        int wanted = size == null ? TenantService.DEFAULT_PAGE : size;
        return new KeyPage(page, page.size() < wanted ? null : page.get(page.size() - 1).id());
    }

    /** {"name", "group", "credit_quota", "allowed_models", "expires_at", "rate_limit_rpm"} → 201, the key shown once. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @ResponseStatus(201)
    public IssuedKey create(JsonNode body) {
        return keys.issue(user.tenantId(), body);
    }

    @GET
    @Path("{id}")
    public KeyView get(@PathParam("id") long id) {
        return keys.getOwned(user.tenantId(), id);
    }

    /** name, group, credit_quota, allowed_models, expires_at, rate_limit_rpm (left out = unchanged, null = cleared). */
    @PATCH
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    public KeyView update(@PathParam("id") long id, JsonNode body) {
        return keys.updateOwned(user.tenantId(), id, body);
    }

    /** 204; the key stops working at once on every instance. */
    @DELETE
    @Path("{id}")
    public void revoke(@PathParam("id") long id) {
        keys.revokeOwned(user.tenantId(), id);
    }

    /** {"grace_seconds": n} (optional), as for admins; the remaining quota moves to the new key. */
    @POST
    @Path("{id}/rotate")
    @ResponseStatus(201)
    public RotatedKey rotate(@PathParam("id") long id, JsonNode body) {
        JsonNode b = JsonFields.object(body);
        return keys.rotateOwned(user.tenantId(), id, JsonFields.integer(b, "grace_seconds"));
    }
}
