package io.creditproxy.limits;

import io.creditproxy.common.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.UUID;

/**
 * A tenant's concurrent open jobs, counted in Redis so that every instance sees the same number. A job takes a slot
 * before its price is reserved and gives it back when it is refused or refunded at submit, or when it is settled.
 * Both calls are idempotent. When Redis is down nothing is counted (fail open).
 */
@ApplicationScoped
public class JobSlots {

    private final RedisLimits redis;
    private final ControlsCache controls;
    private final LimitsConfig config;

    public JobSlots(RedisLimits redis, ControlsCache controls, LimitsConfig config) {
        this.redis = redis;
        this.controls = controls;
        this.config = config;
    }

    /** A slot taken by {@link #acquire}: giving it back needs no lookup, so it is safe on an event loop. */
    public record Slot(String key, String member) {
    }

    /**
     * Takes a slot for the job (again: no-op). Every job is counted, limited or not, so that a limit set later
     * sees the jobs already open.
     *
     * @throws ApiException 429 too_many_open_jobs (with retry_after) when the tenant's max_concurrent_jobs are open
     */
    public Slot acquire(long tenantId, UUID jobId) {
        ControlsCache.TenantControls t = controls.tenant(tenantId);
        Integer max = t == null ? null : t.maxConcurrentJobs();
        Slot slot = new Slot(key(tenantId, t), jobId.toString());
        long[] r = redis.eval(RedisLimits.ACQUIRE_SLOT, slot.key(), slot.member(),
                Integer.toString(max == null ? -1 : max), Long.toString(config.slotMaxAge().toMillis()));
        if (r != null && r[0] == 0) {
            long retryAfter = Math.max(1, config.concurrencyRetryAfter().toSeconds());
            throw new ApiException(429, "too_many_open_jobs",
                    "This account may have at most " + max + " jobs open at once; retry when one has finished.",
                    Map.of("limit", max, "open", r[1], "retry_after", retryAfter));
        }
        return slot;
    }

    /** Gives back a slot taken by {@link #acquire}; never blocks and never reads PostgreSQL (event loop safe). */
    public void release(Slot slot) {
        redis.remove(slot.key(), slot.member());
    }

    /**
     * Gives the job's slot back; releasing a slot that is not held does nothing. Does not wait for Redis (the
     * removal is sent and the call returns), so it is safe anywhere, e.g. inside a settlement's transaction.
     */
    public void release(long tenantId, UUID jobId) {
        redis.remove(key(tenantId, controls.tenant(tenantId)), jobId.toString());
    }

    private static String key(long tenantId, ControlsCache.TenantControls t) {
        return "cp:slots:tenant:" + (t == null ? Long.toString(tenantId) : t.redisScope());
    }
}
