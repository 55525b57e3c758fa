package io.creditproxy.billing;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Where a job is in its money lifecycle; stored by name in {@code jobs.status} (text, checked by the schema).
 * RESERVED (price held, not yet accepted by fal) → SUBMITTED (fal has it) → one of the settled states.
 */
public enum JobStatus {
    /** the price is held; fal has not accepted the submit (yet) */
    RESERVED,
    /** fal accepted the submit; the hold waits for the outcome */
    SUBMITTED,
    /** fal refused the submit, could not be reached, or it was never forwarded: voided at once */
    REJECTED,
    /** fal delivered: posted (or kept for review) */
    COMPLETED,
    /** fal's run failed: voided */
    FAILED,
    /** cancelled while queued: voided */
    CANCELLED,
    /** fal no longer knows it: settled by the expired-job policy */
    EXPIRED;

    /** The name as an SQL string literal, for statements that compare the column with a constant. */
    public String sql() {
        return "'" + name() + "'";
    }

    /** Several states as a comma-separated list of SQL literals, for {@code status IN (...)}. */
    public static String sqlList(JobStatus... states) {
        return Arrays.stream(states).map(JobStatus::sql).collect(Collectors.joining(", "));
    }
}
