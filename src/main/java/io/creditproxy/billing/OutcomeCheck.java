package io.creditproxy.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditproxy.fal.FalProbe;
import io.creditproxy.fal.UpstreamResponse;
import io.vertx.core.Future;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Asks fal about a job with the proxy's own clean requests ({@link FalProbe}): its status and, when finished without
 * a failure, its result (to count what was delivered), read by {@link OutcomeRules}. Used by the reconciler, after a
 * tenant's poll hinted that a job finished, and when a webhook decided nothing.
 */
@ApplicationScoped
public class OutcomeCheck {

    /** What fal said. Which fields are meaningful depends on {@code state}. */
    public record Answer(State state, String falStatus, Outcome outcome, String undecided) {
        static Answer open(String falStatus) {
            return new Answer(State.OPEN, falStatus, null, null);
        }

        static Answer settled(Outcome outcome) {
            return new Answer(State.OUTCOME, "COMPLETED", outcome, null);
        }

        /** {@code keptIfStuck}: the outcome the reconciler settles on if the job stays undecided for too long. */
        static Answer undecided(String why, Outcome keptIfStuck) {
            return new Answer(State.UNDECIDED, "COMPLETED", keptIfStuck, why);
        }

        static final Answer UNKNOWN = new Answer(State.UNKNOWN, null, null, null);
        static final Answer UNCLEAR = new Answer(State.UNCLEAR, null, null, null);
    }

    public enum State {
        /** still queued or running */
        OPEN,
        /** finished: the outcome is known */
        OUTCOME,
        /** finished without a failure, but the result does not say what was delivered: hold the job, ask again later */
        UNDECIDED,
        /** fal does not know the request (404) */
        UNKNOWN,
        /** fal could not be asked, or answered something the proxy cannot act on: ask again later */
        UNCLEAR
    }

    private final FalProbe probe;
    private final ObjectMapper json;

    public OutcomeCheck(FalProbe probe, ObjectMapper json) {
        this.probe = probe;
        this.json = json;
    }

    public Future<Answer> check(OpenJob job) {
        return probe.status(job.upstreamId(), job.statusUrl())
                .compose(status -> fromStatus(job, status), failure -> Future.succeededFuture(Answer.UNCLEAR));
    }

    private Future<Answer> fromStatus(OpenJob job, UpstreamResponse status) {
        if (status.status() == 404) {
            return Future.succeededFuture(Answer.UNKNOWN);
        }
        JsonNode body = parse(json, status);
        if (!status.isSuccess() || body == null) {
            return Future.succeededFuture(Answer.UNCLEAR);
        }
        OutcomeRules.StatusReading reading = OutcomeRules.fromStatus(body);
        if (reading.running()) {
            return Future.succeededFuture(Answer.open(reading.falStatus()));
        }
        if (reading.failure() != null) {
            return Future.succeededFuture(Answer.settled(reading.failure()));
        }
        // COMPLETED, or a status word the rules do not know: the result decides
        return probe.result(job.upstreamId(), job.responseUrl())
                .map(result -> fromResult(job.unit(), result, json))
                .otherwise(Answer.UNCLEAR);
    }

    /** Reads the proxy's own result fetch: the model's output, or the model's error. */
    static Answer fromResult(String unit, UpstreamResponse result, ObjectMapper json) {
        JsonNode body = parse(json, result);
        String billable = result.headers().get("X-Fal-Billable-Units");
        if (result.isSuccess()) {
            OutcomeRules.Decision decision = OutcomeRules.fromResult(unit, body);
            if (decision.decided()) {
                return Answer.settled(decision.outcome().withBillableUnits(billable));
            }
            // fal says it finished and answered 2xx, but what was delivered is not readable: never a refund
            return Answer.undecided(decision.undecided(), new Outcome(Outcome.Kind.KEPT_FOR_REVIEW, JobStatus.COMPLETED, null,
                    billable, body, "fal reported success but the proxy could not read what was delivered ("
                    + decision.undecided() + "); charge kept for review"));
        }
        String errorType = result.headers().get("X-Fal-Error-Type");
        if (errorType == null && body != null && body.hasNonNull("error_type")) {
            errorType = body.get("error_type").asText();
        }
        if (result.status() == 499 || "client_cancelled".equals(errorType)) {
            return Answer.settled(Outcome.voided(JobStatus.CANCELLED, "cancelled", body));
        }
        // 400 = not finished yet, 404 = unknown, 5xx = maybe transient, a model error: the status decides later
        return Answer.UNCLEAR;
    }

    private static JsonNode parse(ObjectMapper json, UpstreamResponse response) {
        try {
            return json.readTree(response.bodyText());
        } catch (Exception e) {
            return null;
        }
    }
}
