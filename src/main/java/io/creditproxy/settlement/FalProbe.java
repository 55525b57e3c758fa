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
 * The proxy's own, clean question to fal about a job: its status and, when finished without a failure, its result
 * (to count what was delivered). The only thing an outcome is decided from besides fal's signed webhook: the
 * requests carry the operator's key and nothing of a tenant's (no query string, no {@code X-Fal-*}, no
 * {@code Accept}), so a tenant cannot shape the answer. Used by the reconciler, after a tenant's poll hinted that a
 * job finished, and when a webhook decided nothing.
 */
@ApplicationScoped
public class FalProbe {

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

    private final FalClient fal;
    private final ObjectMapper json;

    public FalProbe(FalClient fal, ObjectMapper json) {
        this.fal = fal;
        this.json = json;
    }

    public Future<Answer> check(OpenJob job) {
        // no tenant headers (null), and fal's URLs from its submit answer without any query string
        return fal.send(HttpMethod.GET, withoutQuery(job.statusUrl()), null, null)
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
        return fal.send(HttpMethod.GET, withoutQuery(job.responseUrl()), null, null)
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
            return Answer.undecided(decision.undecided(), new Outcome(Outcome.Kind.KEPT_FOR_REVIEW, Job.COMPLETED, null,
                    billable, body, "fal reported success but the proxy could not read what was delivered ("
                    + decision.undecided() + "); charge kept for review"));
        }
        String errorType = result.headers().get("X-Fal-Error-Type");
        if (errorType == null && body != null && body.hasNonNull("error_type")) {
            errorType = body.get("error_type").asText();
        }
        if (result.status() == 499 || "client_cancelled".equals(errorType)) {
            return Answer.settled(Outcome.voided(Job.CANCELLED, "cancelled", body));
        }
        // 400 = not finished yet, 404 = unknown, 5xx = maybe transient, a model error: the status decides later
        return Answer.UNCLEAR;
    }

    static String withoutQuery(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }

    private static JsonNode parse(ObjectMapper json, UpstreamResponse response) {
        try {
            return json.readTree(response.bodyText());
        } catch (Exception e) {
            return null;
        }
    }
}
