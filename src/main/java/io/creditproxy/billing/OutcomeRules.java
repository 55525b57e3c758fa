package io.creditproxy.billing;

import com.fasterxml.jackson.databind.JsonNode;
import io.creditproxy.pricing.Fraction;
import io.creditproxy.pricing.ImageSizes;
import io.creditproxy.pricing.PriceCalculator;
import io.creditproxy.pricing.PriceUnit;

/**
 * The outcome rules, per price unit, in one place. fal charges only successful outputs, so the proxy does
 * the same: a failed or cancelled job costs nothing; a job that delivered fewer images than were paid for
 * costs only the delivered ones; a video either came back (the whole price) or did not (nothing).
 *
 * <p>Only a definite failure voids a job: fal's webhook status {@code ERROR}, a COMPLETED status carrying an
 * {@code error}, or a cancel fal accepted while the job was queued ({@code client_cancelled}). Anything else that
 * is not a recognised success (a success without a readable payload, an unknown status word, an output shape the
 * rules do not know, a success with no outputs) decides nothing: the proxy then asks fal itself, and while it
 * still cannot decide, the job stays held (never refunded by default; see settlement/Reconciler).
 */
public final class OutcomeRules {

    private OutcomeRules() {
    }

    /**
     * What an answer from fal decides: an outcome, or nothing yet ({@code undecided} says why).
     *
     * @param outcome   the outcome, or null when undecided
     * @param undecided why the answer decides nothing, or null when decided
     */
    public record Decision(Outcome outcome, String undecided) {

        public static Decision of(Outcome outcome) {
            return new Decision(outcome, null);
        }

        public static Decision undecidedBecause(String why) {
            return new Decision(null, why);
        }

        public boolean decided() {
            return outcome != null;
        }
    }

    /**
     * What fal's status answer says, before any result is read.
     *
     * @param falStatus fal's status word
     * @param running   still IN_QUEUE or IN_PROGRESS
     * @param failure   the outcome of a definite failure (COMPLETED with an error), else null
     */
    public record StatusReading(String falStatus, boolean running, Outcome failure) {

        /** Finished (or an unknown word) without a failure: only the result can tell what was delivered. */
        public boolean readResult() {
            return !running && failure == null;
        }
    }

    /** A successful result from fal (webhook payload or result body): posted for what was delivered, or undecided. */
    public static Decision fromResult(String unit, JsonNode result) {
        int delivered = deliveredUnits(unit, result);
        if (delivered == 0) {
            return Decision.undecidedBecause(result == null || !result.isObject()
                    ? "fal's result is not a JSON object"
                    : "fal's result has no " + (isImageUnit(unit) ? "images" : "video") + " the rules recognise");
        }
        return Decision.of(new Outcome(Outcome.Kind.POSTED, JobStatus.COMPLETED, delivered, null, result, null));
    }

    /** fal reported the run as failed (status error, webhook ERROR, a model error as result). */
    public static Outcome fromError(String error, String errorType, JsonNode payload) {
        boolean cancelled = "client_cancelled".equals(errorType);
        String text = error != null ? error : errorType != null ? errorType : "failed";
        return Outcome.voided(cancelled ? JobStatus.CANCELLED : JobStatus.FAILED, text, payload);
    }

    /**
     * fal's webhook body: {@code ERROR} is a definite failure; {@code OK} with a recognised payload a success;
     * {@code OK} without a readable payload ({@code "payload": null, "payload_error": ...}), an unrecognised
     * payload or any other status word decides nothing.
     */
    public static Decision fromWebhook(String unit, JsonNode webhook) {
        JsonNode statusNode = webhook == null ? null : webhook.get("status");
        String status = statusNode != null && statusNode.isTextual() ? statusNode.asText() : null;
        JsonNode payload = webhook == null ? null : webhook.get("payload");
        if ("ERROR".equals(status)) {
            String errorType = payload != null && payload.hasNonNull("error_type") ? payload.get("error_type").asText() : null;
            return Decision.of(fromError(text(webhook.get("error")), errorType, payload));
        }
        if (!"OK".equals(status)) {
            return Decision.undecidedBecause("fal's webhook has an unknown status " + (status == null ? "(none)" : "'" + clip(status) + "'"));
        }
        if (payload == null || !payload.isObject()) {
            return Decision.undecidedBecause("fal reported success without a readable payload"
                    + (webhook.hasNonNull("payload_error") ? " (payload_error: " + clip(text(webhook.get("payload_error"))) + ")" : ""));
        }
        return fromResult(unit, payload);
    }

    /** fal's status body: still running, a definite failure (COMPLETED with an error), or the result must be read. */
    public static StatusReading fromStatus(JsonNode status) {
        String word = status == null ? "" : status.path("status").asText("");
        if (word.equals("IN_QUEUE") || word.equals("IN_PROGRESS")) {
            return new StatusReading(word, true, null);
        }
        JsonNode error = status == null ? null : status.get("error");
        if (word.equals("COMPLETED") && error != null && !error.isNull()) {
            String errorType = status.hasNonNull("error_type") ? status.get("error_type").asText() : null;
            return new StatusReading(word, false, fromError(text(error), errorType, null));
        }
        return new StatusReading(word, false, null);
    }

    /** Outputs delivered: the number of images, or 1 when a video (or another single output) came back. */
    static int deliveredUnits(String unit, JsonNode result) {
        if (result == null || !result.isObject()) {
            return 0;
        }
        if (isImageUnit(unit)) {
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

    /** Units whose outputs are images: per image, and per megapixel of each image. */
    static boolean isImageUnit(String unit) {
        return unit.equals(PriceUnit.image.name()) || unit.equals(PriceUnit.megapixel.name());
    }

    /**
     * The megapixels fal bills for the images of a result (each image's pixels / 10^6, rounded up), or null when an
     * image does not say its width and height.
     */
    static Long deliveredMegapixels(JsonNode result) {
        JsonNode images = result == null ? null : result.get("images");
        if (images == null || !images.isArray()) {
            return null;
        }
        long total = 0;
        for (JsonNode image : images) {
            JsonNode w = image.get("width");
            JsonNode h = image.get("height");
            if (w == null || h == null || !w.canConvertToInt() || !h.canConvertToInt() || w.intValue() <= 0 || h.intValue() <= 0) {
                return null;
            }
            total += new ImageSizes.Size(w.intValue(), h.intValue()).megapixels();
        }
        return total;
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.isTextual() ? node.asText() : node.toString();
    }

    private static String clip(String s) {
        return s == null || s.length() <= 200 ? s : s.substring(0, 200);
    }

    /** Credits a posted job costs: the delivered share of what was reserved, never more than the reservation. */
    public static long charged(Job job, Outcome outcome) {
        return switch (outcome.kind()) {
            case VOIDED -> 0;
            case KEPT_FOR_REVIEW -> job.priceCredits;
            case POSTED -> {
                if (job.unit.equals(PriceUnit.megapixel.name())) {
                    // fal bills the megapixels of what it delivered; an image of unknown size keeps the whole charge
                    Long megapixels = outcome.deliveredUnits() == null ? null : deliveredMegapixels(outcome.payload());
                    if (megapixels == null || megapixels >= job.quantity) {
                        yield job.priceCredits;
                    }
                    yield Math.min(job.priceCredits, PriceCalculator.credits(job.usdUnitPrice, megapixels,
                            Fraction.parse(job.priceFactor), job.exchangeRate, job.creditsPerCny,
                            job.priceMultiplier == null ? java.math.BigDecimal.ONE : job.priceMultiplier));
                }
                if (!job.unit.equals("image") || outcome.deliveredUnits() == null || outcome.deliveredUnits() >= job.quantity) {
                    yield job.priceCredits;
                }
                // at the tenant's and the group's multipliers frozen on the job, like the reservation
                long partial = PriceCalculator.credits(job.usdUnitPrice, outcome.deliveredUnits(),
                        Fraction.parse(job.priceFactor), job.exchangeRate, job.creditsPerCny,
                        PriceCalculator.combined(job.priceMultiplier, job.groupMultiplier));
                yield Math.min(partial, job.priceCredits);
            }
        };
    }
}
