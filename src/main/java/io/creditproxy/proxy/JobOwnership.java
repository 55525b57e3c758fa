package io.creditproxy.proxy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.creditproxy.billing.JobRepository;
import io.creditproxy.cache.Caches;
import io.creditproxy.cache.RedisCache;
import io.creditproxy.common.ApiException;
import io.creditproxy.config.ProxyConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.UUID;

/**
 * Which tenant owns a fal request id, and fal's own URLs for it: in this process (Caffeine, bounded, dropped when
 * not polled for {@code proxy.job-cache-ttl}), then in Redis (so that polls need no PostgreSQL round trip, on any
 * instance); PostgreSQL answers when both miss or Redis is down. Who owns a request id and fal's URLs for it never
 * change once fal accepted the submit, so no copy can be stale.
 */
@ApplicationScoped
public class JobOwnership {

    /** fal's URLs for one request, as fal gave them at submit, and the fal account that took it (null: FAL_KEY). */
    public record OwnedJob(long tenantId, UUID jobId, String unit, String statusUrl, String responseUrl, String cancelUrl,
                           Long upstreamId) {
    }

    private static final int MAX_LOCAL = 200_000;

    private final RedisCache cache;
    private final JobRepository jobs;
    private final ProxyConfig config;
    private final Cache<String, OwnedJob> local;

    public JobOwnership(RedisCache cache, JobRepository jobs, ProxyConfig config) {
        this.cache = cache;
        this.jobs = jobs;
        this.config = config;
        this.local = Caffeine.newBuilder()
                .executor(Caches.UPKEEP)
                .maximumSize(MAX_LOCAL)
                .expireAfterAccess(config.jobCacheTtl())
                .build();
    }

    /** @throws ApiException 404 when the id is unknown or belongs to another tenant (the same answer for both) */
    public OwnedJob require(long tenantId, String requestId) {
        OwnedJob job = local.getIfPresent(requestId);
        if (job == null) {
            job = cache.get(key(requestId), OwnedJob.class, config.jobCacheTtl(), () -> load(requestId));
            if (job == null) {
                throw notFound();
            }
            local.put(requestId, job);
        }
        return owned(job, tenantId);
    }

    /**
     * From this process' memory only, without blocking (for the event loop): the job, or null when not known here.
     *
     * @throws ApiException 404 when it is known and belongs to another tenant
     */
    public OwnedJob cached(long tenantId, String requestId) {
        OwnedJob job = local.getIfPresent(requestId);
        return job == null ? null : owned(job, tenantId);
    }

    private static OwnedJob owned(OwnedJob job, long tenantId) {
        if (job.tenantId() != tenantId) {
            throw notFound();
        }
        return job;
    }

    /** Called once fal accepted a submit, so the first poll is already a cache hit. */
    public void remember(String requestId, OwnedJob job) {
        local.put(requestId, job);
        cache.put(key(requestId), job, config.jobCacheTtl());
    }

    /** null for an unknown id, which is not cached: the submit may still be committing */
    @Transactional
    OwnedJob load(String requestId) {
        return jobs.ownerOf(requestId)
                .map(o -> new OwnedJob(o.tenantId(), o.jobId(), o.unit(), o.statusUrl(), o.responseUrl(), o.cancelUrl(),
                        o.upstreamId()))
                .orElse(null);
    }

    public static ApiException notFound() {
        return ApiException.notFound("request_not_found", "No such request.");
    }

    private static String key(String requestId) {
        return "cp:job4:" + requestId;
    }
}
