package io.creditproxy.admin;

import io.creditproxy.billing.FalBillingReconciliation;
import io.creditproxy.common.QueryParams;
import io.creditproxy.fal.FalBalanceMonitor;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The operator's fal account: its credit balance, and a pull of fal's billing events on demand. */
@Path("/admin/fal")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin: fal account")
public class AdminFalResource {

    private final FalBalanceMonitor balance;
    private final FalBillingReconciliation reconciliation;

    public AdminFalResource(FalBalanceMonitor balance, FalBillingReconciliation reconciliation) {
        this.balance = balance;
        this.reconciliation = reconciliation;
    }

    @GET
    @Path("balance")
    @RolesAllowed({Roles.ADMIN, Roles.FINANCE})
    @Operation(summary = "The operator's fal credit balance (as last read; ?refresh=true reads fal now) and whether it is low")
    public FalBalanceMonitor.Reading balance(@QueryParam("refresh") String refresh) {
        return QueryParams.flag("refresh", refresh) ? balance.refresh() : balance.current();
    }

    @POST
    @Path("billing-events/pull")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Reads fal's billing events since the last pull now (the scheduled reconciliation does the same)")
    public FalBillingReconciliation.PullResult pull() {
        return reconciliation.pull();
    }
}
