package io.creditproxy.settlement;

import com.fasterxml.jackson.databind.JsonNode;
import io.creditproxy.pricing.Fraction;
import io.creditproxy.pricing.PriceCalculator;
import io.creditproxy.proxy.Job;

/**
 * The outcome rules, per price unit, in one place. fal charges only successful outputs, so the proxy does
 * the same: a failed or cancelled job costs nothing; a job that delivered fewer images than were paid for
 * costs only the delivered ones; a video either came back (the whole price) or did not (nothing).
 */
public final class OutcomeRules {

    private OutcomeRules() {
    }

    /** A successful result from fal (webhook payload or result body). */
    public static Outcome fromResult(String unit, JsonNode result) {
        int delivered = deliveredUnits(unit, result);
        if (delivered == 0) {
            return Outcome.voided(Job.FAILED, "fal returned no output", result);
        }
        return new Outcome(Outcome.Kind.POSTED, Job.COMPLETED, delivered, null, result, null);
    }

    /** fal reported the run as failed (status error, webhook ERROR, a model error as result). */
    public static Outcome fromError(String error, String errorType, JsonNode payload) {
        boolean cancelled = "client_cancelled".equals(errorType);
        String text = error != null ? error : errorType != null ? errorType : "failed";
        return Outcome.voided(cancelled ? Job.CANCELLED : Job.FAILED, text, payload);
    }

    /** Outputs delivered: the number of images, or 1 when a video (or another single output) came back. */
    static int deliveredUnits(String unit, JsonNode result) {
        if (result == null || !result.isObject()) {
            return 0;
        }
        if (unit.equals("image")) {
            JsonNode images = result.get("images");
            if (images != null && images.isArray()) {
                return images.size();
            }
            JsonNode image = result.get("image");
            return image != null && image.isObject() ? 1 : 0;
        }
        JsonNode video = result.get("video");
        return video != null && video.hasNonNull("url") ? 1 : 0;
    }

    /** Credits a posted job costs: the delivered share of what was reserved, never more than the reservation. */
    public static long charged(Job job, Outcome outcome) {
        return switch (outcome.kind()) {
            case VOIDED -> 0;
            case KEPT_FOR_REVIEW -> job.priceCredits;
            case POSTED -> {
                if (!job.unit.equals("image") || outcome.deliveredUnits() == null || outcome.deliveredUnits() >= job.quantity) {
                    yield job.priceCredits;
                }
                // at the tenant's multiplier frozen on the job, like the reservation
                long partial = PriceCalculator.credits(job.usdUnitPrice, outcome.deliveredUnits(),
                        Fraction.parse(job.priceFactor), job.exchangeRate, job.creditsPerCny,
                        job.priceMultiplier == null ? java.math.BigDecimal.ONE : job.priceMultiplier);
                yield Math.min(partial, job.priceCredits);
            }
        };
    }
}
