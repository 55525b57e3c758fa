package io.creditproxy.webhook;

import io.creditproxy.common.ApiException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.UUID;

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
        long max = number(limit, "limit") == null ? 100 : number(limit, "limit");
        // out-of-int values must not wrap into the accepted range; find() refuses anything above its maximum
        int clamped = (int) Math.max(0, Math.min(max, TenantWebhookOutbox.MAX_LIST + 1L));
        return outbox.find(uuid(jobId), number(tenantId, "tenant_id"), blankToNull(status), clamped);
    }

    private static UUID uuid(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(value.trim());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidParameter("job_id must be a UUID.");
        }
    }

    private static Long number(String value, String name) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw ApiException.invalidParameter(name + " must be a whole number.");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
