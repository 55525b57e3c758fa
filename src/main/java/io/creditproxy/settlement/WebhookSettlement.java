package io.creditproxy.settlement;

import com.fasterxml.jackson.databind.JsonNode;
import io.creditproxy.billing.GhostJobs;
import io.creditproxy.billing.Job;
import io.creditproxy.billing.JobRepository;
import io.creditproxy.billing.JobStatus;
import io.creditproxy.billing.OpenJob;
import io.creditproxy.billing.OutcomeRules;
import io.creditproxy.billing.SettlementService;
import io.creditproxy.common.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.UUID;

/** Turns a verified fal webhook into a settlement of its job (or records a ghost: a refunded job fal did run). */
@ApplicationScoped
public class WebhookSettlement {

    /** What a webhook did. */
    public enum Result {
        /** this webhook settled the job */
        SETTLED,
        /** the job was settled already: a replay changes nothing */
        ALREADY_SETTLED,
        /** the webhook decides nothing (no readable payload, unknown status, unrecognised output): ask fal itself */
        CHECK_WITH_FAL,
        /** the job had been refunded as refused or unreachable, but fal ran it: recorded as a ghost (now or before) */
        GHOST
    }

    private final JobRepository jobs;
    private final SettlementService settlements;
    private final GhostJobs ghosts;

    public WebhookSettlement(JobRepository jobs, SettlementService settlements, GhostJobs ghosts) {
        this.jobs = jobs;
        this.settlements = settlements;
        this.ghosts = ghosts;
    }

    /**
     * @throws ApiException 404 for an unknown job or one whose fal request id differs; 409 while the submit
     *                      is still being recorded (fal retries later)
     */
    @Transactional
    public Result settle(UUID jobId, JsonNode webhook) {
        Job job = jobs.find(jobId);
        String requestId = webhook.path("request_id").asText(null);
        if (job == null || requestId == null || requestId.isBlank()) {
            throw ApiException.notFound("unknown_job", "No such job.");
        }
        if (job.status == JobStatus.REJECTED) {
            // refunded because fal did not answer (or was thought unreachable), yet fal ran it: the signed webhook
            // to this job's own URL is the proof. The tenant keeps its refund; the operator's cost is recorded.
            String known = job.ghost ? job.ghostRequestId : job.requestId;
            if (known != null && !known.equals(requestId)) {
                throw ApiException.notFound("unknown_job", "No such job.");
            }
            OutcomeRules.Decision decision = OutcomeRules.fromWebhook(job.unit, webhook);
            if (!ghosts.record(job, requestId, decision, "webhook") && decision.decided()) {
                ghosts.resolve(job.id, decision.outcome()); // a ghost still waiting to learn what fal delivered
            }
            return Result.GHOST;
        }
        if (job.requestId == null) {
            if (job.status == JobStatus.RESERVED) {
                throw ApiException.conflict("not_ready", "The job's submit is still being recorded; retry.");
            }
            throw ApiException.notFound("unknown_job", "No such job.");
        }
        if (!job.requestId.equals(requestId)) {
            throw ApiException.notFound("unknown_job", "No such job.");
        }
        OutcomeRules.Decision decision = OutcomeRules.fromWebhook(job.unit, webhook);
        if (!decision.decided()) {
            return settlements.isSettled(jobId) ? Result.ALREADY_SETTLED : Result.CHECK_WITH_FAL;
        }
        return settlements.settle(jobId, decision.outcome(), "webhook") ? Result.SETTLED : Result.ALREADY_SETTLED;
    }

    /** The job as the proxy's own check needs it. */
    @Transactional
    public OpenJob openJob(UUID jobId) {
        return jobs.openJob(jobId);
    }
}
