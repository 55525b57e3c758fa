package io.creditproxy.pricing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random submit bodies as an attacker would write them: every field that changes fal's bill for some model
 * (num_images, image_size, duration, resolution, generate_audio, max_images), whether or not the model's price
 * names it, with valid values, values out of range, numbers written as strings, floats and booleans, and keys
 * repeated with different values (fal and the proxy both keep the last one). Bodies are raw JSON text.
 */
final class FalInputGenerator {

    private static final String[] PRESETS = {"square_hd", "square", "portrait_4_3", "portrait_16_9", "landscape_4_3",
            "landscape_16_9", "Square_HD", "auto", "landscape"};
    private static final String[] RESOLUTIONS = {"360p", "540p", "720p", "1080p", "4k", "512P", "768P", "1080P", "1K",
            "2K", "720P"};
    private static final String[] DURATIONS = {"4s", "6s", "8s", "5", "10", "6", "8", "4", "3s", "10s", "5s"};

    private final Random random;

    FalInputGenerator(Random random) {
        this.random = random;
    }

    String body(PriceRule rule) {
        List<String> fields = new ArrayList<>();
        fields.add("\"prompt\":\"a fox\"");
        maybe(fields, "num_images", this::count);
        maybe(fields, "max_images", this::count);
        maybe(fields, "image_size", this::imageSize);
        maybe(fields, "duration", this::duration);
        maybe(fields, "resolution", this::resolution);
        maybe(fields, "generate_audio", this::bool);
        // the model's own fields more often, so that its priced paths are well covered
        for (String param : new String[] {rule.quantityParam(), rule.resolutionParam(), rule.sizeParam(), rule.multiplierParam()}) {
            if (param != null && random.nextInt(3) > 0) {
                fields.add(quote(param) + ":" + valueFor(param));
            }
        }
        java.util.Collections.shuffle(fields, random);
        return "{" + String.join(",", fields) + "}";
    }

    private void maybe(List<String> fields, String name, java.util.function.Supplier<String> value) {
        int n = random.nextInt(6);
        // absent half the time, sometimes twice (a repeated key)
        for (int i = 0; i < (n < 3 ? 0 : n < 5 ? 1 : 2); i++) {
            fields.add(quote(name) + ":" + value.get());
        }
    }

    private String valueFor(String param) {
        return switch (param) {
            case "image_size" -> imageSize();
            case "duration" -> duration();
            case "resolution" -> resolution();
            case "generate_audio" -> bool();
            default -> count();
        };
    }

    /** An integer as fal's pydantic might read it, or something it refuses. */
    String count() {
        int n = random.nextInt(10) - 1;
        return switch (random.nextInt(12)) {
            case 0 -> "\"" + n + "\"";
            case 1 -> " \" " + n + " \"";
            case 2 -> n + ".0";
            case 3 -> n + ".5";
            case 4 -> random.nextBoolean() ? "true" : "false";
            case 5 -> "\"" + n + ".00\"";
            case 6 -> "null";
            case 7 -> "\"four\"";
            case 8 -> Integer.toString(random.nextInt(1_000_000));
            default -> Integer.toString(n);
        };
    }

    String imageSize() {
        return switch (random.nextInt(5)) {
            case 0, 1 -> "\"" + PRESETS[random.nextInt(PRESETS.length)] + "\"";
            case 2 -> "null";
            default -> {
                List<String> wh = new ArrayList<>();
                if (random.nextInt(8) > 0) {
                    wh.add("\"width\":" + side());
                }
                if (random.nextInt(8) > 0) {
                    wh.add("\"height\":" + side());
                }
                if (random.nextInt(5) == 0) {
                    wh.add("\"width\":" + side());
                }
                yield "{" + String.join(",", wh) + "}";
            }
        };
    }

    private String side() {
        int s = switch (random.nextInt(6)) {
            case 0 -> random.nextInt(20_000);
            case 1 -> 4096;
            case 2 -> 14_142;
            case 3 -> 1 + random.nextInt(600);
            default -> 256 + random.nextInt(3000);
        };
        return switch (random.nextInt(6)) {
            case 0 -> "\"" + s + "\"";
            case 1 -> s + ".0";
            case 2 -> random.nextInt(20) == 0 ? "-" + s : s + ".25";
            default -> Integer.toString(s);
        };
    }

    String duration() {
        String d = DURATIONS[random.nextInt(DURATIONS.length)];
        return switch (random.nextInt(5)) {
            case 0 -> d.endsWith("s") ? "\"" + d + "\"" : d;
            case 1 -> "null";
            case 2 -> d.endsWith("s") ? d.substring(0, d.length() - 1) + ".0" : d + ".0";
            default -> "\"" + d + "\"";
        };
    }

    String resolution() {
        return random.nextInt(8) == 0 ? "null" : "\"" + RESOLUTIONS[random.nextInt(RESOLUTIONS.length)] + "\"";
    }

    String bool() {
        String[] values = {"true", "false", "\"true\"", "\"false\"", "\"yes\"", "\"off\"", "0", "1", "\"TRUE\"", "null", "2"};
        return values[random.nextInt(values.length)];
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }
}
