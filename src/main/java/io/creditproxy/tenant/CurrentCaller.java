package io.creditproxy.tenant;

import io.creditproxy.limits.KeyControls;
import jakarta.enterprise.context.RequestScoped;

/**
 * The tenant (and key) of the current {@link TenantKey} request, set by {@link TenantKeyFilter}: a request made with an
 * API key names its key; one made with a tenant user's token ({@code POST /v1/login}) names only the tenant.
 */
@RequestScoped
public class CurrentCaller {

    private Caller caller;
    private KeyControls key;

    void set(Caller caller, KeyControls key) {
        this.caller = caller;
        this.key = key;
    }

    /** @throws IllegalStateException outside a {@link TenantKey} resource (a wiring mistake, never the tenant's) */
    public Caller get() {
        if (caller == null) {
            throw new IllegalStateException("no tenant key checked for this request: is the resource annotated @TenantKey?");
        }
        return caller;
    }

    /** The API key's controls, or null when the caller is a tenant user (a token, no key). */
    public KeyControls key() {
        get();
        return key;
    }
}
