package io.creditproxy.pricing;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * fal's image sizes, for models priced per megapixel: the preset names of fal's {@code image_size} enum with their
 * pixel sizes, and fal's rounding (each image is billed by its megapixels, 10^6 pixels, rounded up: 1024x768 is
 * 0.79 MP, billed as 1; 4096x4096 is 16.8 MP, billed as 17).
 */
public final class ImageSizes {

    /** fal's largest width or height of a custom {@code {width, height}}; larger sides are refused, never guessed. */
    public static final int MAX_SIDE = 14_142;
    private static final long PIXELS_PER_MEGAPIXEL = 1_000_000L;

    /** A width and height in pixels. */
    public record Size(int width, int height) {
        /** The megapixels fal bills for one image of this size: rounded up. */
        public long megapixels() {
            return Math.floorDiv((long) width * height + PIXELS_PER_MEGAPIXEL - 1, PIXELS_PER_MEGAPIXEL);
        }

        @Override
        public String toString() {
            return width + "x" + height;
        }
    }

    private static final Map<String, Size> PRESETS;

    static {
        Map<String, Size> m = new LinkedHashMap<>();
        m.put("square_hd", new Size(1024, 1024));
        m.put("square", new Size(512, 512));
        m.put("portrait_4_3", new Size(768, 1024));
        m.put("portrait_16_9", new Size(576, 1024));
        m.put("landscape_4_3", new Size(1024, 768));
        m.put("landscape_16_9", new Size(1024, 576));
        PRESETS = java.util.Collections.unmodifiableMap(m);
    }

    private ImageSizes() {
    }

    /** The preset of that exact name, or null. */
    public static Size preset(String name) {
        return name == null ? null : PRESETS.get(name);
    }

    public static Iterable<String> presetNames() {
        return PRESETS.keySet();
    }
}
