package io.creditproxy.fal;

import io.creditproxy.config.FalConfig;
import io.creditproxy.config.SettlementConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.Optional;

/**
 * Where fal is: its queue API and the JWKS of its webhook keys. From configuration ({@code fal.queue-url},
 * {@code settlement.fal-jwks-url}), or, with {@code fal.upstream=sandbox}, from the simulator running in this
 * process ({@link LocalFal}).
 */
@ApplicationScoped
public class FalUpstream {

    private final FalConfig config;
    private final SettlementConfig settlement;
    private final Instance<LocalFal> local;

    public FalUpstream(FalConfig config, SettlementConfig settlement, Instance<LocalFal> local) {
        this.config = config;
        this.settlement = settlement;
        this.local = local;
    }

    public boolean simulated() {
        return config.upstream() == FalConfig.Upstream.sandbox;
    }

    public String queueUrl() {
        return simulated() ? local().baseUrl() : config.queueUrl();
    }

    /** fal's Platform API base URL ({@code fal-platform.url}), or the simulator's. */
    public String platformUrl(FalPlatformConfig platform) {
        return simulated() ? local().platformUrl() : platform.url();
    }

    /** fal's storage REST API ({@code fal-storage.url}, FAL_REST_URL), or the simulator's (same host as its queue). */
    public String storageUrl(FalStorageConfig storage) {
        return simulated() ? local().baseUrl() : storage.url();
    }

    public String jwksUrl() {
        return simulated() ? local().jwksUrl() : settlement.falJwksUrl();
    }

    /** The key the local simulator demands, if any (fal's own keys are configuration: FAL_KEY). */
    public Optional<String> requiredKey() {
        return simulated() ? local().requiredKey() : Optional.empty();
    }

    private LocalFal local() {
        if (!local.isResolvable()) {
            throw new IllegalStateException("fal.upstream=sandbox, but no simulator is part of this application");
        }
        return local.get();
    }
}
