package io.creditproxy.billing;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What became of a job, as learnt from fal, and what it means for its reservation.
 *
 * @param kind           post (charge what was delivered), void (give everything back), or keep for review
 * @param jobStatus      the job's final state (COMPLETED, FAILED, CANCELLED, EXPIRED, REJECTED)
 * @param deliveredUnits outputs fal delivered (images; 1 for a video), null when unknown
 * @param billableUnits  fal's X-Fal-Billable-Units header, where the proxy saw it
 * @param payload        fal's output (for the tenant's webhook), or null
 * @param error          fal's error, or null
 */
public record Outcome(Kind kind, JobStatus jobStatus, Integer deliveredUnits, String billableUnits, JsonNode payload,
                      String error) {

    public enum Kind {
        POSTED("posted"), VOIDED("voided"), KEPT_FOR_REVIEW("kept_for_review");

        public final String dbName;

        Kind(String dbName) {
            this.dbName = dbName;
        }
    }

    public static Outcome voided(JobStatus jobStatus, String error, JsonNode payload) {
        return new Outcome(Kind.VOIDED, jobStatus, 0, null, payload, error);
    }

    public Outcome withBillableUnits(String units) {
        return new Outcome(kind, jobStatus, deliveredUnits, units, payload, error);
    }

    /** fal's webhook status word for this outcome (a run fal completed and the tenant pays for is OK). */
    public String falWebhookStatus() {
        return kind == Kind.POSTED || (kind == Kind.KEPT_FOR_REVIEW && jobStatus == JobStatus.COMPLETED) ? "OK" : "ERROR";
    }
}
