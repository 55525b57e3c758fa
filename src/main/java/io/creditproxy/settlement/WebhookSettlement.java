package io.creditproxy.settlement;

import com.fasterxml.jackson.databind.JsonNode;
import io.creditproxy.common.ApiException;
import io.creditproxy.proxy.Job;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.UUID;

/** Turns a verified fal webhook into a settlement of its job. */
@ApplicationScoped
public class WebhookSettlement {

    private final EntityManager em;
    private final SettlementService settlements;

    public WebhookSettlement(EntityManager em, SettlementService settlements) {
        this.em = em;
        this.settlements = settlements;
    }

    /**
     * @return true when this webhook settled the job, false when it was settled already (a replay changes nothing)
     * @throws ApiException 404 for an unknown job or one whose fal request id differs; 409 while the submit
     *                      is still being recorded (fal retries later)
     */
    @Transactional
    public boolean settle(UUID jobId, JsonNode webhook) {
        Job job = em.find(Job.class, jobId);
        String requestId = webhook.path("request_id").asText(null);
        if (job == null) {
            throw ApiException.notFound("unknown_job", "No such job.");
        }
        if (job.requestId == null) {
            if (Job.RESERVED.equals(job.status)) {
                throw ApiException.conflict("not_ready", "The job's submit is still being recorded; retry.");
            }
            throw ApiException.notFound("unknown_job", "No such job.");
        }
        if (!job.requestId.equals(requestId)) {
            throw ApiException.notFound("unknown_job", "No such job.");
        }
        JsonNode payload = webhook.get("payload");
        Outcome outcome;
        if ("OK".equals(webhook.path("status").asText())) {
            outcome = OutcomeRules.fromResult(job.unit, payload);
        } else {
            JsonNode error = webhook.get("error");
            String text = error == null || error.isNull() ? null : error.isTextual() ? error.asText() : error.toString();
            String errorType = payload != null && payload.hasNonNull("error_type") ? payload.get("error_type").asText() : null;
            outcome = OutcomeRules.fromError(text, errorType, payload);
        }
        return settlements.settle(jobId, outcome, "webhook");
    }
}
