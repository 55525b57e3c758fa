package io.creditproxy.proxy;

import io.creditproxy.common.ApiException;
import io.creditproxy.config.ProxyConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.List;
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

    private final RedisCache cache;
    private final EntityManager em;
    private final ProxyConfig config;

    public JobOwnership(RedisCache cache, EntityManager em, ProxyConfig config) {
        this.cache = cache;
        this.em = em;
        this.config = config;
    }

    /** @throws ApiException 404 when the id is unknown or belongs to another tenant (the same answer for both) */
    public OwnedJob require(long tenantId, String requestId) {
        String value = cache.get(key(requestId), config.jobCacheTtl(), () -> load(requestId));
        if (value == null || value.equals(NONE)) {
            throw notFound();
        }
        OwnedJob job = OwnedJob.decode(value);
        if (job.tenantId() != tenantId) {
            throw notFound();
        }
        return job;
    }

    /** Called once fal accepted a submit, so the first poll is already a cache hit. */
    public void remember(String requestId, OwnedJob job) {
        cache.put(key(requestId), job.encode(), config.jobCacheTtl());
    }

    @Transactional
    String load(String requestId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                        "SELECT tenant_id, id, unit, status_url, response_url, cancel_url FROM jobs WHERE request_id = ?1")
                .setParameter(1, requestId)
                .getResultList();
        if (rows.isEmpty()) {
            return null; // unknown ids are not cached: the submit may still be committing
        }
        Object[] r = rows.get(0);
        return new OwnedJob(((Number) r[0]).longValue(), (UUID) r[1], (String) r[2], (String) r[3], (String) r[4],
                (String) r[5]).encode();
    }

    public static ApiException notFound() {
        return ApiException.notFound("request_not_found", "No such request.");
    }

    private static String key(String requestId) {
        return "cp:job2:" + requestId;
    }
}
