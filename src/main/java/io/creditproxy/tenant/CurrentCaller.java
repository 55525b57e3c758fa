package io.creditproxy.tenant;

import jakarta.enterprise.context.RequestScoped;

/** The tenant and key of the current {@link TenantKey} request, set by {@link TenantKeyFilter}. */
@RequestScoped
public class CurrentCaller {

    private Caller caller;

    void set(Caller caller) {
        this.caller = caller;
    }

    /** @throws IllegalStateException outside a {@link TenantKey} resource (a wiring mistake, never the tenant's) */
    public Caller get() {
        if (caller == null) {
            throw new IllegalStateException("no tenant key checked for this request: is the resource annotated @TenantKey?");
        }
        return caller;
    }
}
