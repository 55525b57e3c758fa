package io.creditproxy.fal;

import java.util.Optional;

/**
 * A fal queue API served inside this process: the upstream when {@code fal.upstream=sandbox}. Production code knows
 * only this interface; the simulator (sandbox/) implements it, so the dependency points from the sandbox to fal/.
 */
public interface LocalFal {

    /** Base URL of its queue API, e.g. {@code http://127.0.0.1:8089} (started on first use). */
    String baseUrl();

    /** Where it serves the JWKS of the key it signs webhooks with. */
    String jwksUrl();

    /** The one key it accepts, when it demands one (else any key). */
    Optional<String> requiredKey();

    /** Base URL of its Platform API (fal's {@code https://api.fal.ai/v1}): prices, billing events, balance. */
    default String platformUrl() {
        return baseUrl() + "/v1";
    }
}
