package io.creditproxy.proxy;

import io.creditproxy.billing.JobRepository;
import io.creditproxy.common.ApiException;
import io.creditproxy.config.ProxyConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.UUID;

/**
 * Which tenant owns a fal request id, and fal's own URLs for it. Cached in Redis (so that polls need no
 * PostgreSQL round trip); PostgreSQL answers when Redis misses or is down.
 */
@ApplicationScoped
public class JobOwnership {

    /** fal's URLs for one request, as fal gave them at submit. */
    public record OwnedJob(long tenantId, UUID jobId, String unit, String statusUrl, String responseUrl, String cancelUrl) {

        String encode() {
            return tenantId + "\n" + jobId + "\n" + unit + "\n" + statusUrl + "\n" + responseUrl + "\n" + cancelUrl;
        }

        static OwnedJob decode(String s) {
            String[] p = s.split("\n", -1);
            return new OwnedJob(Long.parseLong(p[0]), UUID.fromString(p[1]), p[2], p[3], p[4], p[5]);
        }
    }

    private static final String NONE = "-";

    /** Past this many request ids the in-process layer starts afresh. */
    private static final int MAX_LOCAL = 200_000;

    private final RedisCache cache;
    private final JobRepository jobs;
    private final ProxyConfig config;
    // who owns a request id and fal's URLs for it never change once fal accepted the submit: safe to keep in process
    private final java.util.concurrent.ConcurrentHashMap<String, OwnedJob> local = new java.util.concurrent.ConcurrentHashMap<>();

    public JobOwnership(RedisCache cache, JobRepository jobs, ProxyConfig config) {
        this.cache = cache;
        this.jobs = jobs;
        this.config = config;
    }

    /** @throws ApiException 404 when the id is unknown or belongs to another tenant (the same answer for both) */
    public OwnedJob require(long tenantId, String requestId) {
        OwnedJob job = local.get(requestId);
        if (job == null) {
            String value = cache.get(key(requestId), config.jobCacheTtl(), () -> load(requestId));
            if (value == null || value.equals(NONE)) {
                throw notFound();
            }
            job = OwnedJob.decode(value);
            keep(requestId, job);
        }
        return owned(job, tenantId);
    }

    /**
     * From this process' memory only, without blocking (for the event loop): the job, or null when not known here.
     *
     * @throws ApiException 404 when it is known and belongs to another tenant
     */
    public OwnedJob cached(long tenantId, String requestId) {
        OwnedJob job = local.get(requestId);
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
        keep(requestId, job);
        cache.put(key(requestId), job.encode(), config.jobCacheTtl());
    }

    private void keep(String requestId, OwnedJob job) {
        if (local.size() >= MAX_LOCAL) {
            local.clear();
        }
        local.put(requestId, job);
    }

    @Transactional
    String load(String requestId) {
        // unknown ids are not cached: the submit may still be committing
        return jobs.ownerOf(requestId)
                .map(o -> new OwnedJob(o.tenantId(), o.jobId(), o.unit(), o.statusUrl(), o.responseUrl(), o.cancelUrl()).encode())
                .orElse(null);
    }

    public static ApiException notFound() {
        return ApiException.notFound("request_not_found", "No such request.");
    }

    private static String key(String requestId) {
        return "cp:job2:" + requestId;
    }
}
