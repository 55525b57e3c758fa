package io.creditproxy.pricing;

import java.util.Arrays;
import java.util.stream.Collectors;

/** What one USD price of the price table buys. Lower-case names are the database and API values. */
public enum PriceUnit {
    /** per image: x num_images */
    image,
    /** per second of video: x duration */
    second,
    /** per clip of clip_seconds: x ceil(duration / clip_seconds) x resolution factor */
    clip,
    /** per megapixel of output, as fal bills FLUX: x num_images x ceil(width x height / 10^6) of size_param */
    megapixel;

    public static PriceUnit parse(String text) {
        for (PriceUnit u : values()) {
            if (u.name().equals(text)) {
                return u;
            }
        }
        throw new IllegalArgumentException("unit must be one of "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")) + " (got '" + text + "')");
    }
}
