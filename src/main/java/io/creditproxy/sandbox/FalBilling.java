package io.creditproxy.sandbox;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What fal bills for a request, computed as fal's model pages word it ("$0.025 per megapixel, rounded up",
 * "$0.20 per second, $0.40 with audio", "$0.35 for 5 s and $0.07 per extra second"), from the input as fal's pydantic
 * reads it ({@link PydanticLax}). It is the simulator's own price book and arithmetic, written apart from the proxy's
 * {@code pricing} package: tests compare the two, so an input the proxy under-prices shows up as a difference.
 * The simulator sends {@link Bill#units} as {@code X-Fal-Billable-Units}, in fal's unit for the model.
 */
public final class FalBilling {

    /**
     * fal's bill for one successful run.
     *
     * @param unit         fal's billing unit: megapixels, images, seconds or videos
     * @param units        how many of them (X-Fal-Billable-Units)
     * @param usd          what fal charges the operator for them
     * @param imageSizes   the images the run makes (width, height), or null for a video
     * @param videoSeconds the video's length, for a video
     */
    public record Bill(String unit, long units, BigDecimal usd, List<int[]> imageSizes, long videoSeconds) {
        boolean video() {
            return imageSizes == null;
        }
    }

    private interface Pricing {
        Bill bill(JsonObject in);
    }

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
    private static final Map<String, int[]> SIZES = Map.of(
            "square_hd", new int[] {1024, 1024}, "square", new int[] {512, 512},
            "portrait_4_3", new int[] {768, 1024}, "portrait_16_9", new int[] {576, 1024},
            "landscape_4_3", new int[] {1024, 768}, "landscape_16_9", new int[] {1024, 576});
    /** What the simulator takes an input image to be, for a model that sizes its output from it. */
    private static final int[] INPUT_IMAGE = {1536, 1536};
    private static final Map<String, Pricing> BOOK = new LinkedHashMap<>();

    static {
        megapixels("fal-ai/flux-1/dev", "0.025", "landscape_4_3");
        megapixels("fal-ai/flux-1/dev/redux", "0.025", "landscape_4_3");
        megapixels("fal-ai/flux-1/dev/image-to-image", "0.025", null);
        megapixels("fal-ai/flux-1/schnell", "0.003", "landscape_4_3");
        megapixels("fal-ai/flux-1/schnell/redux", "0.003", "landscape_4_3");
        megapixels("fal-ai/flux-lora", "0.035", "landscape_4_3");
        megapixels("fal-ai/qwen-image-edit-plus", "0.03", null);
        for (String id : List.of("fal-ai/flux-pro/kontext", "fal-ai/flux-pro/kontext/multi", "fal-ai/flux-pro/kontext/text-to-image")) {
            images(id, "0.04", "num_images", 4, null, 0);
        }
        for (String id : List.of("fal-ai/flux-pro/kontext/max", "fal-ai/flux-pro/kontext/max/multi",
                "fal-ai/flux-pro/kontext/max/text-to-image")) {
            images(id, "0.08", "num_images", 4, null, 0);
        }
        images("fal-ai/nano-banana", "0.039", "num_images", 4, null, 0);
        images("fal-ai/nano-banana/edit", "0.039", "num_images", 4, null, 0);
        images("fal-ai/bytedance/seedream/v4/text-to-image", "0.03", "num_images", 6, "max_images", 6);
        images("fal-ai/bytedance/seedream/v4/edit", "0.03", "num_images", 6, "max_images", 6);
        // vidu's reference-to-image has no count: one image whatever the body says
        images("fal-ai/vidu/reference-to-image", "0.1", null, 1, null, 0);
        images("fal-ai/imagen4/preview", "0.05", "num_images", 4, null, 0);
        veo("fal-ai/veo3", "0.20", "0.40");
        veo("fal-ai/veo3/fast", "0.10", "0.15");
        veo("fal-ai/veo3/image-to-video", "0.20", "0.40");
        kling("fal-ai/kling-video/v1.6/standard/image-to-video", "0.225", "0.045");
        kling("fal-ai/kling-video/v1.6/standard/elements", "0.225", "0.045");
        kling("fal-ai/kling-video/v1.6/standard/text-to-video", "0.225", "0.045");
        kling("fal-ai/kling-video/v1.6/pro/image-to-video", "0.475", "0.095");
        kling("fal-ai/kling-video/v1.6/pro/elements", "0.475", "0.095");
        kling("fal-ai/kling-video/v1.6/pro/text-to-video", "0.475", "0.095");
        kling("fal-ai/kling-video/v2.1/master/image-to-video", "1.40", "0.28");
        kling("fal-ai/kling-video/v2.1/master/text-to-video", "1.40", "0.28");
        kling("fal-ai/kling-video/v2.1/pro/image-to-video", "0.45", "0.09");
        kling("fal-ai/kling-video/v2.1/standard/image-to-video", "0.25", "0.05");
        kling("fal-ai/kling-video/v2.5-turbo/pro/text-to-video", "0.35", "0.07");
        kling("fal-ai/kling-video/v2.5-turbo/pro/image-to-video", "0.35", "0.07");
        hailuo("fal-ai/minimax/hailuo-02/pro/text-to-video", Map.of("1080P", "0.08"), "1080P");
        hailuo("fal-ai/minimax/hailuo-02/pro/image-to-video", Map.of("1080P", "0.08"), "1080P");
        hailuo("fal-ai/minimax/hailuo-02/standard/text-to-video", Map.of("768P", "0.045", "512P", "0.017"), "768P");
        hailuo("fal-ai/minimax/hailuo-02/standard/image-to-video", Map.of("768P", "0.045", "512P", "0.017"), "768P");
        for (String id : List.of("fal-ai/pixverse/v4.5/effects", "fal-ai/pixverse/v4.5/image-to-video",
                "fal-ai/pixverse/v4.5/text-to-video", "fal-ai/pixverse/v4.5/transition")) {
            pixverse(id, "0.30", "0.40", "0.80");
        }
        for (String id : List.of("fal-ai/pixverse/v4.5/image-to-video/fast", "fal-ai/pixverse/v4.5/text-to-video/fast")) {
            pixverse(id, "0.60", "0.80", "1.60");
        }
    }

    private FalBilling() {
    }

    /** Whether the simulator knows fal's price of this model. */
    public static boolean knows(String modelId) {
        return BOOK.containsKey(modelId);
    }

    /** The model ids of the price book. */
    public static Set<String> models() {
        return Collections.unmodifiableSet(BOOK.keySet());
    }

    /**
     * fal's bill for a submit body (the raw JSON, read like fal: the last of repeated keys wins), or empty when fal
     * would refuse the input (its run fails with a 422 and is not billed).
     *
     * @throws IllegalArgumentException for a model the simulator has no price for
     */
    public static Optional<Bill> bill(String modelId, String rawJson) {
        if (!knows(modelId)) {
            throw new IllegalArgumentException("the simulator has no fal price for " + modelId);
        }
        Object parsed;
        try {
            parsed = Json.decodeValue(rawJson);
        } catch (DecodeException e) {
            return Optional.empty();
        }
        if (!(parsed instanceof JsonObject input)) {
            return Optional.empty();
        }
        try {
            return Optional.of(BOOK.get(modelId).bill(input));
        } catch (PydanticLax.Invalid e) {
            return Optional.empty();
        }
    }

    /** fal's bill for a parsed input; null for a model not in the book. @throws PydanticLax.Invalid */
    static Bill billOf(String modelId, JsonObject input) {
        Pricing p = BOOK.get(modelId);
        return p == null ? null : p.bill(input);
    }

    /** The bill of the first {@code delivered} images of an image bill (fal bills what it delivered). */
    static Bill delivered(Bill bill, int delivered) {
        if (bill.video() || delivered >= bill.imageSizes().size()) {
            return bill;
        }
        List<int[]> kept = bill.imageSizes().subList(0, delivered);
        BigDecimal unitPrice = bill.units() == 0 ? BigDecimal.ZERO
                : bill.usd().divide(BigDecimal.valueOf(bill.units()), 10, java.math.RoundingMode.UNNECESSARY);
        long units = bill.unit().equals("megapixels") ? kept.stream().mapToLong(FalBilling::megapixels).sum() : kept.size();
        return new Bill(bill.unit(), units, unitPrice.multiply(BigDecimal.valueOf(units)).stripTrailingZeros(),
                List.copyOf(kept), 0);
    }

    // ---- fal's pricing kinds -------------------------------------------------------------------------------------

    /** "$p per megapixel; images are billed by rounding up to the nearest megapixel", each image on its own. */
    private static void megapixels(String id, String usdPerMegapixel, String defaultSize) {
        BigDecimal price = new BigDecimal(usdPerMegapixel);
        BOOK.put(id, in -> {
            long count = PydanticLax.integer("num_images", in.getValue("num_images"), 1, 1, 4);
            int[] size = imageSize(in.getValue("image_size"), defaultSize);
            List<int[]> images = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                images.add(size);
            }
            long mp = images.stream().mapToLong(FalBilling::megapixels).sum();
            return new Bill("megapixels", mp, price.multiply(BigDecimal.valueOf(mp)), images, 0);
        });
    }

    /** "$p per image": count images, times the images each generation may return (seedream's max_images). */
    private static void images(String id, String usdPerImage, String countField, int maxCount, String perGeneration,
                               int maxPerGeneration) {
        BigDecimal price = new BigDecimal(usdPerImage);
        BOOK.put(id, in -> {
            long count = countField == null ? 1 : PydanticLax.integer(countField, in.getValue(countField), 1, 1, maxCount);
            long each = perGeneration == null ? 1
                    : PydanticLax.integer(perGeneration, in.getValue(perGeneration), 1, 1, maxPerGeneration);
            List<int[]> images = new ArrayList<>();
            for (long i = 0; i < count * each; i++) {
                images.add(new int[] {1024, 1024});
            }
            return new Bill("images", images.size(), price.multiply(BigDecimal.valueOf(images.size())), images, 0);
        });
    }

    /** veo3: "for every second of video, $p (audio off) or $q (audio on)"; duration "4s", "6s", "8s" (default). */
    private static void veo(String id, String usdPerSecond, String usdPerSecondWithAudio) {
        BigDecimal silent = new BigDecimal(usdPerSecond);
        BigDecimal withAudio = new BigDecimal(usdPerSecondWithAudio);
        Set<String> durations = new LinkedHashSet<>(List.of("4s", "6s", "8s"));
        BOOK.put(id, in -> {
            String d = PydanticLax.choice("duration", in.getValue("duration"), "8s", durations);
            long seconds = Long.parseLong(d.substring(0, d.length() - 1));
            boolean audio = PydanticLax.bool("generate_audio", in.getValue("generate_audio"), true);
            return new Bill("seconds", seconds, (audio ? withAudio : silent).multiply(BigDecimal.valueOf(seconds)), null, seconds);
        });
    }

    /** Kling: "for 5 s video your request will cost $a; for every additional second $b"; duration "5" or "10". */
    private static void kling(String id, String usdFirstFiveSeconds, String usdPerExtraSecond) {
        BigDecimal base = new BigDecimal(usdFirstFiveSeconds);
        BigDecimal extra = new BigDecimal(usdPerExtraSecond);
        BOOK.put(id, in -> {
            long seconds = Long.parseLong(PydanticLax.choice("duration", in.getValue("duration"), "5", Set.of("5", "10")));
            return new Bill("seconds", seconds, base.add(extra.multiply(BigDecimal.valueOf(seconds - 5))), null, seconds);
        });
    }

    /** Hailuo-02: per second of video at the resolution asked for; duration "6" or "10". */
    private static void hailuo(String id, Map<String, String> usdPerSecondByResolution, String defaultResolution) {
        BOOK.put(id, in -> {
            long seconds = Long.parseLong(PydanticLax.choice("duration", in.getValue("duration"), "6", Set.of("6", "10")));
            String res = PydanticLax.choice("resolution", in.getValue("resolution"), defaultResolution,
                    usdPerSecondByResolution.keySet());
            BigDecimal perSecond = new BigDecimal(usdPerSecondByResolution.get(res));
            return new Bill("seconds", seconds, perSecond.multiply(BigDecimal.valueOf(seconds)), null, seconds);
        });
    }

    /**
     * PixVerse v4.5: one video; "$a for a 5 s video at 360p or 540p, $b at 720p, $c at 1080p; 8 s videos cost
     * double; 1080p only in 5 s".
     */
    private static void pixverse(String id, String usdLow, String usd720, String usd1080) {
        Map<String, BigDecimal> byResolution = Map.of("360p", new BigDecimal(usdLow), "540p", new BigDecimal(usdLow),
                "720p", new BigDecimal(usd720), "1080p", new BigDecimal(usd1080));
        BOOK.put(id, in -> {
            String res = PydanticLax.choice("resolution", in.getValue("resolution"), "720p", byResolution.keySet());
            long seconds = Long.parseLong(PydanticLax.choice("duration", in.getValue("duration"), "5", Set.of("5", "8")));
            if (seconds == 8 && res.equals("1080p")) {
                throw new PydanticLax.Invalid("duration", "1080p videos are 5 seconds long", "value_error", in.getValue("duration"));
            }
            BigDecimal usd = byResolution.get(res).multiply(BigDecimal.valueOf(seconds == 8 ? 2 : 1));
            return new Bill("videos", 1, usd, null, seconds);
        });
    }

    /** fal's image_size: a preset, or {width, height} (each defaults to 512 when left out). */
    static int[] imageSize(Object value, String defaultSize) {
        if (value == null) {
            return defaultSize == null ? INPUT_IMAGE : SIZES.get(defaultSize);
        }
        if (value instanceof String name && SIZES.containsKey(name)) {
            return SIZES.get(name);
        }
        if (value instanceof JsonObject o) {
            long w = PydanticLax.integer("width", o.getValue("width"), 512, 1, 100_000);
            long h = PydanticLax.integer("height", o.getValue("height"), 512, 1, 100_000);
            return new int[] {(int) w, (int) h};
        }
        throw new PydanticLax.Invalid("image_size", "Input should be a valid ImageSize or one of " + SIZES.keySet(),
                "union_tag_invalid", value);
    }

    /** One image's megapixels as fal bills them: pixels / 10^6, rounded up. */
    static long megapixels(int[] size) {
        return new BigDecimal((long) size[0] * size[1]).divide(MILLION, 0, java.math.RoundingMode.CEILING).longValueExact();
    }
}
