package io.creditproxy.tenant;

import jakarta.ws.rs.NameBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a JAX-RS resource (or method): callers must present a tenant key, checked by {@link TenantKeyFilter} exactly as
 * the fal passthrough checks it; the resource reads who called from {@link CurrentCaller}.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface TenantKey {
}
