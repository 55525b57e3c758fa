package io.creditproxy.admin;

import io.creditproxy.common.QueryParams;

import com.fasterxml.jackson.databind.JsonNode;
import io.creditproxy.ledger.LedgerEntryView;
import io.creditproxy.tenant.IssuedKey;
import io.creditproxy.tenant.KeyService;
import io.creditproxy.tenant.KeyView;
import io.creditproxy.tenant.TenantService;
import io.creditproxy.tenant.TenantView;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.ResponseStatus;

/** Admin API for tenants, their credits, ledger and keys. Writes need role admin; reads admin or finance. */
@Path("/admin/tenants")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class AdminTenantResource {

    /** amount stays raw JSON so that 1.5 or "100" are refused rather than coerced */
    public record CreditRequest(JsonNode amount, String reason) {
    }

    private final TenantService tenants;
    private final CreditService credits;
    private final KeyService keys;
    private final SecurityIdentity identity;

    public AdminTenantResource(TenantService tenants, CreditService credits, KeyService keys, SecurityIdentity identity) {
        this.tenants = tenants;
        this.credits = credits;
        this.keys = keys;
        this.identity = identity;
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @ResponseStatus(201)
    public TenantView create(JsonNode body) {
        // raw JSON, read field by field as PATCH does: a typed record would coerce 1.9 or "77" into a credit limit
        return tenants.create(body);
    }

    /** Changes name, credit_limit, price_multiplier, max_concurrent_jobs; fields left out keep their value. */
    @PATCH
    @Path("{id}")
    @RolesAllowed(Roles.ADMIN)
    public TenantView update(@PathParam("id") long id, JsonNode body) {
        return tenants.update(id, body);
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.FINANCE})
    public List<TenantView> list(@QueryParam("q") String q, @QueryParam("limit") String limit,
                                 @QueryParam("after_id") String afterId) {
        return tenants.list(q, QueryParams.optionalInt("limit", limit), QueryParams.optionalLong("after_id", afterId));
    }

    @GET
    @Path("{id}")
    @RolesAllowed({Roles.ADMIN, Roles.FINANCE})
    public TenantView get(@PathParam("id") long id) {
        return tenants.get(id);
    }

    /** 201 with the ledger entry; a replay of an Idempotency-Key answers the same, with {@code Idempotent-Replayed: true}. */
    @POST
    @Path("{id}/credits")
    @RolesAllowed(Roles.ADMIN)
    public Response credit(@PathParam("id") long id, @HeaderParam("Idempotency-Key") String idempotencyKey,
                           CreditRequest body) {
        CreditRequest b = body == null ? new CreditRequest(null, null) : body;
        CreditService.CreditResult result = credits.credit(id, b.amount(), b.reason(), idempotencyKey,
                identity.getPrincipal().getName());
        Response.ResponseBuilder answer = Response.status(201).entity(result.entry());
        if (result.replayed()) {
            answer.header("Idempotent-Replayed", "true");
        }
        return answer.build();
    }

    @GET
    @Path("{id}/ledger")
    @RolesAllowed({Roles.ADMIN, Roles.FINANCE})
    public List<LedgerEntryView> ledger(@PathParam("id") long id, @QueryParam("limit") String limit,
                                        @QueryParam("before_id") String beforeId) {
        return credits.ledger(id, QueryParams.optionalInt("limit", limit), QueryParams.optionalLong("before_id", beforeId));
    }

    @POST
    @Path("{id}/keys")
    @RolesAllowed(Roles.ADMIN)
    @ResponseStatus(201)
    public IssuedKey issueKey(@PathParam("id") long id, JsonNode body) {
        // {"name", "allowed_models", "expires_at", "rate_limit_rpm"}
        return keys.issue(id, body);
    }

    @GET
    @Path("{id}/keys")
    @RolesAllowed({Roles.ADMIN, Roles.FINANCE})
    public List<KeyView> listKeys(@PathParam("id") long id) {
        return keys.list(id);
    }
}
