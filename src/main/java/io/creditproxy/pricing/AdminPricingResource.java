package io.creditproxy.pricing;

import io.creditproxy.common.ApiException;
import io.creditproxy.common.QueryParams;
import io.creditproxy.pricing.PricingViews.ImportResult;
import io.creditproxy.pricing.PricingViews.PriceVersion;
import io.creditproxy.pricing.PricingViews.Rates;
import io.creditproxy.pricing.PricingViews.RatesUpdate;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * The price list as a whole: export and import (pricing/models.csv format, dry run first), the rates and their
 * history, and the history of a model's price. Model ids go in a query parameter here, since they contain slashes.
 */
@Path("/admin/pricing")
@Produces(MediaType.APPLICATION_JSON)
public class AdminPricingResource {

    private final PriceListService pricing;
    private final PriceSyncService sync;

    public AdminPricingResource(PriceListService pricing, PriceSyncService sync) {
        this.pricing = pricing;
        this.sync = sync;
    }

    @GET
    @Path("export")
    @Produces("text/csv")
    @RolesAllowed({"admin", "finance"})
    public Response export() {
        return Response.ok(pricing.exportCsv(), "text/csv; charset=UTF-8")
                .header("Content-Disposition", "attachment; filename=\"models.csv\"")
                .build();
    }

    /** Shows what the file would change; writes it only with {@code ?apply=true}. */
    @POST
    @Path("import")
    @Consumes({"text/csv", MediaType.TEXT_PLAIN})
    @RolesAllowed("admin")
    public ImportResult importCsv(@QueryParam("apply") String apply, String csv) {
        return pricing.importCsv(csv, QueryParams.flag("apply", apply));
    }

    /** fal's current prices against the table (dry run); {@code ?apply=true} writes them as new price versions. */
    @POST
    @Path("sync")
    @RolesAllowed("admin")
    public PriceSyncService.SyncResult sync(@QueryParam("apply") String apply) {
        return sync.sync(QueryParams.flag("apply", apply));
    }

    @GET
    @Path("rates")
    @RolesAllowed({"admin", "finance"})
    public Rates rates() {
        return pricing.rates();
    }

    @PUT
    @Path("rates")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed("admin")
    public Rates updateRates(RatesUpdate update) {
        return pricing.updateRates(update);
    }

    @GET
    @Path("rates/history")
    @RolesAllowed({"admin", "finance"})
    public List<Rates> rateHistory() {
        return pricing.rateHistory(1000);
    }

    /** GET /admin/pricing/history?model=fal-ai/flux-1/dev */
    @GET
    @Path("history")
    @RolesAllowed({"admin", "finance"})
    public List<PriceVersion> priceHistory(@QueryParam("model") String model) {
        if (model == null || model.isBlank()) {
            throw ApiException.invalidParameter("model is required, e.g. ?model=fal-ai/flux-1/dev");
        }
        return pricing.priceHistory(model.trim());
    }
}
