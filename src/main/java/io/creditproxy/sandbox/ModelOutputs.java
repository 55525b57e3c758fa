package io.creditproxy.sandbox;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** What a simulated model answers: fal's output shapes for image and video models, and fal's error bodies. */
final class ModelOutputs {

    static final String CDN = "https://v3.fal.media/files/sandbox/";

    /**
     * The model's answer to the result call.
     *
     * @param status        HTTP status of the result call
     * @param body          the result body (output, or fal's error body)
     * @param billableUnits sent as X-Fal-Billable-Units, in fal's unit for the model ({@link FalBilling}: megapixels
     *                      for FLUX, images, seconds of video); 0 for errors
     * @param error         for the status body and webhook when failed, else null
     * @param errorType     fal's machine-readable error type when failed, else null
     */
    record Outcome(int status, JsonObject body, long billableUnits, String error, String errorType) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private ModelOutputs() {
    }

    static boolean isVideoModel(String modelId) {
        return modelId.toLowerCase(Locale.ROOT).contains("video");
    }

    static Outcome outcomeOf(String requestId, String modelId, JsonObject input, Set<SandboxMarkers> markers,
                             long runMillis) {
        if (markers.contains(SandboxMarkers.FAIL_422)) {
            return modelError(422, detail("body", "prompt",
                    "The content could not be processed because it contained material flagged by a content checker.",
                    "content_policy_violation", input.getValue("prompt")));
        }
        if (markers.contains(SandboxMarkers.FAIL)) {
            return modelError(500, detail("body", null, "Internal server error", "internal_server_error", input));
        }
        FalBilling.Bill bill;
        try {
            bill = FalBilling.billOf(modelId, input);
        } catch (PydanticLax.Invalid e) {
            // fal validates the input when the model runs, so a bad value fails the run, not the submit
            return modelError(422, detail("body", e.field, e.getMessage(), e.type, e.value));
        }
        if (bill == null) {
            return isVideoModel(modelId)
                    ? video(requestId, input)
                    : images(requestId, input, markers.contains(SandboxMarkers.FEWER_IMAGES), runMillis);
        }
        if (bill.video()) {
            return videoOf(requestId, bill.videoSeconds(), bill.units());
        }
        int asked = bill.imageSizes().size();
        FalBilling.Bill delivered = FalBilling.delivered(bill,
                markers.contains(SandboxMarkers.FEWER_IMAGES) ? Math.max(0, asked - 1) : asked);
        return imagesOf(requestId, input, delivered.imageSizes(), delivered.units(), runMillis);
    }

    /** How fal reports a request removed from the queue by a cancel (a request error, not a model error). */
    static Outcome cancelled() {
        String message = "Request cancelled by client";
        return new Outcome(499, new JsonObject().put("detail", message).put("error_type", "client_cancelled"),
                0, message, "client_cancelled");
    }

    private static Outcome images(String requestId, JsonObject input, boolean fewer, long runMillis) {
        Object requested = input.getValue("num_images");
        long asked;
        try {
            asked = PydanticLax.integer("num_images", requested, 1, 1, Long.MAX_VALUE);
        } catch (PydanticLax.Invalid e) {
            // fal validates the input when the model runs, so a bad value fails the run, not the submit
            return modelError(422, detail("body", "num_images", e.getMessage(), e.type, requested));
        }
        long delivered = fewer ? Math.max(0, asked - 1) : asked;
        int[] size = imageSize(input.getValue("image_size"));
        java.util.List<int[]> sizes = new java.util.ArrayList<>();
        for (int i = 0; i < delivered; i++) {
            sizes.add(size);
        }
        return imagesOf(requestId, input, sizes, delivered, runMillis);
    }

    private static Outcome imagesOf(String requestId, JsonObject input, java.util.List<int[]> sizes, long billableUnits,
                                    long runMillis) {
        String format = "png".equals(input.getValue("output_format")) ? "png" : "jpeg";
        JsonArray images = new JsonArray();
        JsonArray nsfw = new JsonArray();
        for (int i = 0; i < sizes.size(); i++) {
            images.add(new JsonObject()
                    .put("url", CDN + requestId + "/image-" + i + "." + format)
                    .put("width", sizes.get(i)[0])
                    .put("height", sizes.get(i)[1])
                    .put("content_type", "image/" + format));
            nsfw.add(false);
        }
        Object seed = input.getValue("seed");
        JsonObject body = new JsonObject()
                .put("images", images)
                .put("timings", new JsonObject().put("inference", seconds(runMillis)))
                .put("seed", seed instanceof Number ? seed : ThreadLocalRandom.current().nextLong(0, 1L << 32))
                .put("has_nsfw_concepts", nsfw)
                .put("prompt", input.getValue("prompt", ""));
        return new Outcome(200, body, billableUnits, null, null);
    }

    private static Outcome video(String requestId, JsonObject input) {
        long seconds = 5;
        Object duration = input.getValue("duration");
        if (duration != null) {
            try {
                seconds = Math.max(1, new BigDecimal(duration.toString().trim().replaceAll("s$", "")).longValue());
            } catch (NumberFormatException e) {
                return modelError(422, detail("body", "duration", "Input should be a valid duration", "one_of", duration));
            }
        }
        return videoOf(requestId, seconds, seconds);
    }

    private static Outcome videoOf(String requestId, long seconds, long billableUnits) {
        JsonObject body = new JsonObject().put("video", new JsonObject()
                .put("url", CDN + requestId + "/output.mp4")
                .put("content_type", "video/mp4")
                .put("file_name", "output.mp4")
                .put("file_size", seconds * 412_345L));
        return new Outcome(200, body, billableUnits, null, null);
    }

    private static Outcome modelError(int status, JsonObject detailEntry) {
        JsonObject body = new JsonObject().put("detail", new JsonArray().add(detailEntry));
        return new Outcome(status, body, 0, detailEntry.getString("msg"), detailEntry.getString("type"));
    }

    /** One entry of fal's {@code detail} list: {@code {loc, msg, type, url, input}}. */
    static JsonObject detail(String where, String field, String msg, String type, Object input) {
        JsonArray loc = new JsonArray().add(where);
        if (field != null) {
            loc.add(field);
        }
        JsonObject entry = new JsonObject().put("loc", loc).put("msg", msg).put("type", type)
                .put("url", "https://docs.fal.ai/errors/#" + type);
        if (input != null) {
            entry.put("input", input);
        }
        return entry;
    }

    static BigDecimal seconds(long millis) {
        return BigDecimal.valueOf(millis, 3);
    }

    /** fal's named sizes, or an explicit {@code {width, height}}; landscape_4_3 (flux's default) otherwise. */
    private static int[] imageSize(Object value) {
        try {
            return FalBilling.imageSize(value, "landscape_4_3");
        } catch (PydanticLax.Invalid e) {
            return FalBilling.imageSize(null, "landscape_4_3");
        }
    }
}
