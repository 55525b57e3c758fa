package io.creditproxy.webhook;

import io.creditproxy.common.QueryParams;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** Admins and finance see where tenants' webhooks stand: pending, delivered or given up, and why. */
@Path("/admin/webhook-deliveries")
@Produces(MediaType.APPLICATION_JSON)
public class AdminWebhookDeliveryResource {

    private final TenantWebhookOutbox outbox;

    public AdminWebhookDeliveryResource(TenantWebhookOutbox outbox) {
        this.outbox = outbox;
    }

    @GET
    @RolesAllowed({"admin", "finance"})
    public List<WebhookDeliveryView> list(@QueryParam("job_id") String jobId, @QueryParam("tenant_id") String tenantId,
            @QueryParam("status") String status, @QueryParam("limit") @DefaultValue("100") String limit) {
        Long requested = QueryParams.optionalLong("limit", limit);
        long max = requested == null ? 100 : requested;
        // out-of-int values must not wrap into the accepted range; find() refuses anything above its maximum
        int clamped = (int) Math.max(0, Math.min(max, TenantWebhookOutbox.MAX_LIST + 1L));
        return outbox.find(QueryParams.optionalUuid("job_id", jobId), QueryParams.optionalLong("tenant_id", tenantId),
                QueryParams.optionalText(status), clamped);
    }
}
