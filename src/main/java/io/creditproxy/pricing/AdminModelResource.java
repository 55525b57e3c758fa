package io.creditproxy.pricing;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** Admins' view of the price table. Model ids contain slashes, hence the {@code .+} path parameter. */
@Path("/admin/models")
@Produces(MediaType.APPLICATION_JSON)
public class AdminModelResource {

    private final PriceListService pricing;

    public AdminModelResource(PriceListService pricing) {
        this.pricing = pricing;
    }

    @GET
    @RolesAllowed({"admin", "finance"})
    public List<PriceListEntry> list() {
        return pricing.listModels();
    }

    @GET
    @Path("{modelId: .+}")
    @RolesAllowed({"admin", "finance"})
    public PriceListEntry get(@PathParam("modelId") String modelId) {
        return pricing.model(modelId);
    }

    /** Changes (or adds) a model; fields left out keep their value. */
    @PUT
    @Path("{modelId: .+}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed("admin")
    public PriceListEntry update(@PathParam("modelId") String modelId, PriceListEntry update) {
        return pricing.updateModel(modelId, update);
    }
}
