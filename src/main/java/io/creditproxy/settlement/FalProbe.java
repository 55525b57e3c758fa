package io.creditproxy.settlement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditproxy.proxy.FalClient;
import io.creditproxy.proxy.Job;
import io.creditproxy.proxy.UpstreamResponse;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Asks fal what became of a job: its status, and when it is COMPLETED without error, its result (to count
 * what was delivered). Used by the reconciler and after a tenant's status poll.
 */
@ApplicationScoped
public class FalProbe {

    /** What fal said. Exactly one of the fields is meaningful, per {@code state}. */
    public record Answer(State state, String falStatus, Outcome outcome) {
        static Answer open(String falStatus) {
            return new Answer(State.OPEN, falStatus, null);
        }

        static Answer settled(Outcome outcome) {
            return new Answer(State.OUTCOME, "COMPLETED", outcome);
        }

        static final Answer UNKNOWN = new Answer(State.UNKNOWN, null, null);
        static final Answer UNCLEAR = new Answer(State.UNCLEAR, null, null);
    }

    public enum State {
        /** still queued or running */
        OPEN,
        /** finished: the outcome is known */
        OUTCOME,
        /** fal does not know the request (404) */
        UNKNOWN,
        /** fal could not be asked, or answered something the proxy cannot act on: ask again later */
        UNCLEAR
    }

    private final FalClient fal;
    private final ObjectMapper json;

    public FalProbe(FalClient fal, ObjectMapper json) {
        this.fal = fal;
        this.json = json;
    }

    public Future<Answer> check(OpenJob job) {
        return fal.send(HttpMethod.GET, job.statusUrl(), null, null)
                .compose(status -> fromStatus(job, status), failure -> Future.succeededFuture(Answer.UNCLEAR));
    }

    /** Reads a status answer (also used on a tenant's own status poll, to save a request). */
    public Future<Answer> fromStatus(OpenJob job, UpstreamResponse status) {
        if (status.status() == 404) {
            return Future.succeededFuture(Answer.UNKNOWN);
        }
        JsonNode body = parse(status);
        if (!status.isSuccess() || body == null) {
            return Future.succeededFuture(Answer.UNCLEAR);
        }
        String state = body.path("status").asText("");
        if (!state.equals("COMPLETED")) {
            return Future.succeededFuture(Answer.open(state));
        }
        JsonNode error = body.get("error");
        if (error != null && !error.isNull()) {
            String errorType = body.hasNonNull("error_type") ? body.get("error_type").asText() : null;
            return Future.succeededFuture(Answer.settled(OutcomeRules.fromError(text(error), errorType, null)));
        }
        return fal.send(HttpMethod.GET, job.responseUrl(), null, null)
                .map(result -> fromResult(job, result))
                .otherwise(Answer.UNCLEAR);
    }

    /** Reads a result answer: the model's output, or the model's error. */
    public Answer fromResult(OpenJob job, UpstreamResponse result) {
        JsonNode body = parse(result);
        if (result.isSuccess()) {
            return Answer.settled(OutcomeRules.fromResult(job.unit(), body)
                    .withBillableUnits(result.headers().get("X-Fal-Billable-Units")));
        }
        String errorType = result.headers().get("X-Fal-Error-Type");
        if (errorType == null && body != null && body.hasNonNull("error_type")) {
            errorType = body.get("error_type").asText();
        }
        if (result.status() == 499 || "client_cancelled".equals(errorType)) {
            return Answer.settled(Outcome.voided(Job.CANCELLED, "cancelled", body));
        }
        // 400 = not finished yet, 404 = unknown, 5xx = maybe transient: the status endpoint decides later
        return Answer.UNCLEAR;
    }

    private JsonNode parse(UpstreamResponse response) {
        try {
            return json.readTree(response.bodyText());
        } catch (Exception e) {
            return null;
        }
    }

    private static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : node.toString();
    }
}
