package io.creditproxy.limits;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * What the submit path checks for one key and its tenant, as cached in process.
 *
 * @param allowedModels     patterns, null = every model
 * @param rateLimitRpm      requests per minute (submits and /v1 calls, each counted apart), null = no limit
 * @param priceMultiplier   the tenant's, 1 = list price
 * @param maxConcurrentJobs the tenant's, null = no limit
 * @param redisScope        names the key's Redis counters (id and creation time, never reused)
 * @param group             the key's price group
 */
public record KeyControls(long keyId, long tenantId, boolean revoked, OffsetDateTime expiresAt,
                          List<String> allowedModels, Integer rateLimitRpm, BigDecimal priceMultiplier,
                          Integer maxConcurrentJobs, String redisScope, Group group) {

    /** A price group as the submit path needs it: id, name, multiplier, whether it is enabled. */
    public record Group(long id, String name, BigDecimal priceMultiplier, boolean enabled) {
    }

    public boolean expiredAt(OffsetDateTime now) {
        return expiresAt != null && !expiresAt.isAfter(now);
    }
}
