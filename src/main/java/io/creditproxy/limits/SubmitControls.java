package io.creditproxy.limits;

import io.creditproxy.common.ApiException;
import io.creditproxy.tenant.Caller;
import io.creditproxy.tenant.ModelPatterns;
import io.creditproxy.tenant.TenantAuthenticator;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.Map;

/**
 * The checks between authentication and pricing, all before any credit moves: the key is still valid (not revoked,
 * not expired), may use this model, and is within its requests per minute. The answer carries the tenant's price
 * multiplier for the quote.
 */
@ApplicationScoped
public class SubmitControls {

    /** @param priceMultiplier the tenant's, to price this submit with */
    public record Admission(BigDecimal priceMultiplier) {
    }

    private final ControlsCache controls;
    private final RateLimiter rateLimiter;

    public SubmitControls(ControlsCache controls, RateLimiter rateLimiter) {
        this.controls = controls;
        this.rateLimiter = rateLimiter;
    }

    /**
     * @throws ApiException 401 unauthorized (revoked) or key_expired, 403 model_not_allowed, 429 rate_limited
     */
    public Admission admit(Caller caller, String modelId) {
        KeyControls c = requireUsable(caller);
        if (!ModelPatterns.allows(c.allowedModels(), modelId)) {
            throw new ApiException(403, "model_not_allowed", "This API key may not use model '" + shorten(modelId) + "'.",
                    Map.of("allowed_models", c.allowedModels()));
        }
        if (c.rateLimitRpm() != null) {
            rateLimiter.check(c.redisScope(), c.rateLimitRpm());
        }
        return new Admission(c.priceMultiplier());
    }

    /**
     * For every tenant request (polls too): the key still works. Complements the key cache, which may hold a key
     * for a few seconds after it was revoked on another instance or passed its expiry.
     *
     * @throws ApiException 401 for a revoked, expired or vanished key
     */
    public KeyControls requireUsable(Caller caller) {
        return usable(controls.key(caller.keyId()));
    }

    /**
     * {@link #requireUsable} from this process' memory only (for the event loop): null when the controls are not
     * held fresh here and must be loaded.
     */
    public KeyControls requireUsableIfCached(Caller caller) {
        KeyControls c = controls.peekKey(caller.keyId());
        return c == null ? null : usable(c);
    }

    private static KeyControls usable(KeyControls c) {
        if (c == null || c.revoked()) {
            throw ApiException.unauthorized("Invalid or revoked API key.");
        }
        if (c.expiredAt(OffsetDateTime.now())) {
            throw TenantAuthenticator.expired();
        }
        return c;
    }

    private static String shorten(String s) {
        return s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
