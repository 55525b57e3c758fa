package io.creditproxy.billing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.creditproxy.webhook.TenantWebhookOutbox;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Queues the tenant's own webhook in the settlement's transaction (so a settlement and its notification commit
 * together, and a restart loses neither), in fal's payload shape: request_id, gateway_request_id, status, payload, error.
 */
@ApplicationScoped
public class TenantNotifier {

    private final TenantWebhookOutbox outbox;
    private final ObjectMapper json;

    public TenantNotifier(TenantWebhookOutbox outbox, ObjectMapper json) {
        this.outbox = outbox;
        this.json = json;
    }

    public void notifyTenant(Job job, Outcome outcome) {
        ObjectNode body = json.createObjectNode();
        body.put("request_id", job.requestId);
        body.put("gateway_request_id", job.requestId);
        body.put("status", outcome.falWebhookStatus());
        body.set("payload", outcome.payload());
        if (outcome.error() == null) {
            body.putNull("error");
        } else {
            body.put("error", outcome.error());
        }
        outbox.enqueue(job.id, job.tenantId, job.tenantWebhook, body.toString());
    }
}
