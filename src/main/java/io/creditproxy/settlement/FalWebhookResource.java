package io.creditproxy.settlement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditproxy.common.ApiException;
import io.creditproxy.fal.FalWebhookVerifier;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import java.util.UUID;

/**
 * The proxy's own fal webhook: every submit asks fal to call {@code /webhooks/fal/{job id}}. The signature (and,
 * when {@code fal.user-id} is set, fal's account) is checked before anything else; then the job is settled (once,
 * whatever else races) and the tenant's own webhook, if it gave one, is queued. A webhook that decides nothing makes
 * the proxy ask fal itself; one for a job refunded at submit records a ghost (billing/GhostJobs).
 */
@Path("/webhooks/fal")
public class FalWebhookResource {

    private final FalWebhookVerifier verifier;
    private final WebhookSettlement settlement;
    private final ObjectMapper json;
    private final PollSettlement checks;

    public FalWebhookResource(FalWebhookVerifier verifier, WebhookSettlement settlement, ObjectMapper json,
                              PollSettlement checks) {
        this.verifier = verifier;
        this.settlement = settlement;
        this.json = json;
        this.checks = checks;
    }

    @POST
    @Path("/{jobId}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> receive(@PathParam("jobId") String jobId,
                                       @HeaderParam("X-Fal-Webhook-Request-Id") String requestId,
                                       @HeaderParam("X-Fal-Webhook-User-Id") String userId,
                                       @HeaderParam("X-Fal-Webhook-Timestamp") String timestamp,
                                       @HeaderParam("X-Fal-Webhook-Signature") String signature,
                                       byte[] body) {
        verifier.verify(new FalWebhookVerifier.Signature(requestId, userId, timestamp, signature),
                body == null ? new byte[0] : body, System.currentTimeMillis() / 1000);
        UUID id;
        try {
            id = UUID.fromString(jobId);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("unknown_job", "No such job.");
        }
        JsonNode payload;
        try {
            payload = json.readTree(body);
        } catch (Exception e) {
            throw new ApiException(400, "malformed_json", "The webhook body is not valid JSON.");
        }
        if (payload == null || !payload.isObject() || !requestIdMatches(payload, requestId)) {
            throw new ApiException(400, "bad_webhook", "The webhook body does not match its signed request id.");
        }
        WebhookSettlement.Result result = settlement.settle(id, payload);
        if (result == WebhookSettlement.Result.CHECK_WITH_FAL) {
            // the webhook decides nothing (e.g. fal's "payload": null): the proxy asks fal itself, in the background
            checks.checkNow(settlement.openJob(id), "webhook");
        }
        return Map.of("received", true, "settled_now", result == WebhookSettlement.Result.SETTLED);
    }

    private static boolean requestIdMatches(JsonNode payload, String signedRequestId) {
        return signedRequestId != null && signedRequestId.equals(payload.path("request_id").asText(null));
    }
}
