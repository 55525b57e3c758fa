package io.creditproxy.settlement;

import io.creditproxy.proxy.Job;
import jakarta.enterprise.context.ApplicationScoped;

/** Queues the tenant's own webhook, in fal's payload shape, in the settlement's transaction. */
@ApplicationScoped
public class TenantNotifier {

    public void notifyTenant(Job job, Outcome outcome) {
        // wired to the webhook outbox once it lands
    }
}
