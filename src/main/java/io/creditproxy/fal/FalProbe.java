package io.creditproxy.fal;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The proxy's own, clean requests to fal about a request it submitted: status and result, with the key of the job's account ({@code upstreamId}, null: FAL_KEY) and
 * nothing of a tenant's (no query string, no {@code X-Fal-*}, no {@code Accept}), so a tenant cannot shape the answer.
 * Besides fal's signed webhook, the only answers an outcome is decided from (what they decide: billing/OutcomeCheck).
 */
@ApplicationScoped
public class FalProbe {

    private final FalClient fal;

    public FalProbe(FalClient fal) {
        this.fal = fal;
    }

    /** fal's status of the request, from the status URL of fal's submit answer without its query string. */
    public Future<UpstreamResponse> status(Long upstreamId, String statusUrl) {
        return fal.send(upstreamId, HttpMethod.GET, FalClient.withoutQuery(statusUrl), null, null); // null: no tenant headers
    }

    /** fal's result of the request, from the response URL of fal's submit answer without its query string. */
    public Future<UpstreamResponse> result(Long upstreamId, String responseUrl) {
        return fal.send(upstreamId, HttpMethod.GET, FalClient.withoutQuery(responseUrl), null, null);
    }
}
