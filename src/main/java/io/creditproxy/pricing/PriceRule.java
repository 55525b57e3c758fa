package io.creditproxy.pricing;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A validated, parsed {@link PriceListEntry}: everything {@link PriceCalculator} needs to price a request.
 * Building one is the single place where a model's definition is checked, for the data file, for admins'
 * edits and for rows read back from the database.
 *
 * @param allowedQuantities fal's enumerated values (e.g. duration "5","10"); null when the parameter is an
 *                          integer between minQuantity and maxQuantity (maxQuantity null = no upper bound)
 * @param resolutions       resolution name to factor, in table order; empty when the model has no resolution
 * @param quantitySuffix    the unit fal spells enumerated quantities with ("s" for veo3's "8s"); "" when none
 * @param sizeParam         for unit megapixel: the body field with the image size (fal's image_size); else null
 * @param defaultSize       fal's size when the field is absent; null when fal sizes the output from an input image,
 *                          which the proxy cannot see, so the field is required
 * @param multiplierParam   a second count fal multiplies its bill by (seedream's max_images), or null
 * @param maxMultiplier     the largest value of multiplierParam fal accepts (null when there is none)
 */
public record PriceRule(String id, PriceUnit unit, BigDecimal usdPrice, String quantityParam, int defaultQuantity,
                        List<Integer> allowedQuantities, int minQuantity, Integer maxQuantity, Integer clipSeconds,
                        String resolutionParam, String defaultResolution, Map<String, Resolution> resolutions,
                        String description, boolean enabled, String quantitySuffix, String sizeParam,
                        ImageSizes.Size defaultSize, String multiplierParam, Integer maxMultiplier) {

    /** A resolution's price factor, and the only quantities fal allows at it (null = all). */
    public record Resolution(String name, Fraction factor, Set<Integer> onlyQuantities) {
    }

    private static final Pattern MODEL_ID = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)+");
    private static final Pattern PARAM = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    // an enumerated quantity as fal spells it: "5", or "8s" (a number and a unit)
    private static final Pattern SPELLED_QUANTITY = Pattern.compile("([0-9]+)([a-z]*)");
    private static final int MAX_ID_LENGTH = 200;
    // numeric(14, 6)
    private static final int PRICE_SCALE = 6;
    private static final int PRICE_INTEGER_DIGITS = 8;

    public static boolean isModelId(String id) {
        return id != null && id.length() <= MAX_ID_LENGTH && MODEL_ID.matcher(id).matches();
    }

    /**
     * Checks an entry that may be unpriced: a model without usd_price may be listed (never served), so its other
     * fields are checked as if it had one, and it must not be enabled.
     *
     * @throws IllegalArgumentException with a message fit for an admin
     */
    public static void validate(PriceListEntry e) {
        if (e.usdPrice() != null) {
            parse(e);
            return;
        }
        if (e.enabled()) {
            throw new IllegalArgumentException(UNPRICED_ENABLED);
        }
        parse(new PriceListEntry(e.id(), e.unit(), BigDecimal.ONE, e.quantityParam(), e.defaultQuantity(),
                e.allowedQuantities(), e.minQuantity(), e.maxQuantity(), e.clipSeconds(), e.resolutionParam(),
                e.defaultResolution(), e.resolutionFactors(), e.description(), false, e.sizeParam(), e.defaultSize(),
                e.multiplierParam(), e.maxMultiplier()));
    }

    static final String UNPRICED_ENABLED = "a model without usd_price cannot be enabled: give it a price first";

    /** @throws IllegalArgumentException with a message fit for an admin when the entry is not a usable price */
    public static PriceRule parse(PriceListEntry e) {
        if (!isModelId(e.id())) {
            throw new IllegalArgumentException("id must be a fal model id such as fal-ai/flux-1/dev (got '" + e.id() + "')");
        }
        PriceUnit unit = PriceUnit.parse(e.unit());
        BigDecimal price = e.usdPrice();
        if (price == null || price.signum() <= 0) {
            throw new IllegalArgumentException("usd_price must be greater than 0");
        }
        if (price.scale() > PRICE_SCALE || price.precision() - price.scale() > PRICE_INTEGER_DIGITS) {
            throw new IllegalArgumentException("usd_price allows at most " + PRICE_INTEGER_DIGITS
                    + " digits before and " + PRICE_SCALE + " after the decimal point (got " + price.toPlainString() + ")");
        }
        if (blank(e.quantityParam()) || !PARAM.matcher(e.quantityParam()).matches()) {
            throw new IllegalArgumentException("quantity_param must be the name of a body field such as num_images or duration");
        }
        int def = e.defaultQuantity();
        if (def <= 0) {
            throw new IllegalArgumentException("default_quantity must be greater than 0");
        }
        List<Integer> allowed = null;
        int min = 1;
        Integer max = null;
        String suffix = "";
        if (!blank(e.allowedQuantities())) {
            suffix = quantitySuffix(e.allowedQuantities());
            String digits = suffix.isEmpty() ? e.allowedQuantities() : e.allowedQuantities().replace(suffix, "");
            allowed = List.copyOf(positiveInts(digits, ",", "allowed_quantities"));
            if (!allowed.contains(def)) {
                throw new IllegalArgumentException("default_quantity " + def + " is not one of allowed_quantities " + e.allowedQuantities());
            }
        } else {
            if (e.minQuantity() != null) {
                if (e.minQuantity() <= 0) {
                    throw new IllegalArgumentException("min_quantity must be greater than 0");
                }
                min = e.minQuantity();
            }
            max = e.maxQuantity();
            if (max != null && max < min) {
                throw new IllegalArgumentException("max_quantity must not be below min_quantity");
            }
            if (def < min || (max != null && def > max)) {
                throw new IllegalArgumentException("default_quantity " + def + " is outside min_quantity..max_quantity");
            }
        }
        Integer clip = null;
        if (unit == PriceUnit.clip) {
            if (e.clipSeconds() == null || e.clipSeconds() <= 0) {
                throw new IllegalArgumentException("a model priced per clip needs clip_seconds greater than 0");
            }
            clip = e.clipSeconds();
        }
        Map<String, Resolution> resolutions = Map.of();
        String resParam = null;
        String resDefault = null;
        boolean anyResolution = !blank(e.resolutionParam()) || !blank(e.defaultResolution()) || !blank(e.resolutionFactors());
        if (anyResolution) {
            if (blank(e.resolutionParam()) || blank(e.defaultResolution()) || blank(e.resolutionFactors())) {
                throw new IllegalArgumentException("resolution_param, default_resolution and resolution_factors go together: give all three or none");
            }
            if (!PARAM.matcher(e.resolutionParam()).matches() || e.resolutionParam().equals(e.quantityParam())) {
                throw new IllegalArgumentException("resolution_param must be the name of a body field other than quantity_param");
            }
            resParam = e.resolutionParam();
            resolutions = parseFactors(e.resolutionFactors(), allowed, min, max);
            resDefault = e.defaultResolution();
            Resolution r = resolutions.get(resDefault);
            if (r == null) {
                throw new IllegalArgumentException("default_resolution '" + resDefault + "' is not in resolution_factors");
            }
            if (r.onlyQuantities() != null && !r.onlyQuantities().contains(def)) {
                throw new IllegalArgumentException("default_quantity " + def + " is not allowed at default_resolution " + resDefault);
            }
        }
        String sizeParam = null;
        ImageSizes.Size defaultSize = null;
        if (unit == PriceUnit.megapixel) {
            if (blank(e.sizeParam()) || !PARAM.matcher(e.sizeParam()).matches()) {
                throw new IllegalArgumentException("a model priced per megapixel needs size_param, the body field with "
                        + "the image size (fal's image_size)");
            }
            sizeParam = e.sizeParam();
            if (!blank(e.defaultSize())) {
                defaultSize = ImageSizes.preset(e.defaultSize());
                if (defaultSize == null) {
                    throw new IllegalArgumentException("default_size must be one of fal's sizes "
                            + String.join(", ", ImageSizes.presetNames()) + " (got '" + e.defaultSize() + "')");
                }
            }
        } else if (!blank(e.sizeParam()) || !blank(e.defaultSize())) {
            throw new IllegalArgumentException("size_param and default_size apply to unit megapixel only");
        }
        String multiplierParam = null;
        Integer maxMultiplier = null;
        if (!blank(e.multiplierParam()) || e.maxMultiplier() != null) {
            if (blank(e.multiplierParam()) || !PARAM.matcher(e.multiplierParam()).matches() || e.maxMultiplier() == null
                    || e.maxMultiplier() <= 0) {
                throw new IllegalArgumentException("multiplier_param (a body field) and max_multiplier (greater than 0) "
                        + "go together: give both or neither");
            }
            multiplierParam = e.multiplierParam();
            maxMultiplier = e.maxMultiplier();
        }
        Set<String> params = new java.util.HashSet<>();
        for (String p : new String[] {e.quantityParam(), resParam, sizeParam, multiplierParam}) {
            if (p != null && !params.add(p)) {
                throw new IllegalArgumentException("quantity_param, resolution_param, size_param and multiplier_param "
                        + "must name different body fields (" + p + " twice)");
            }
        }
        return new PriceRule(e.id(), unit, price, e.quantityParam(), def, allowed, min, max, clip, resParam, resDefault,
                resolutions, blank(e.description()) ? null : e.description(), e.enabled(), suffix, sizeParam, defaultSize,
                multiplierParam, maxMultiplier);
    }

    /** The unit fal spells every enumerated quantity with ("4s,6s,8s" -> "s"), the same for all of them. */
    private static String quantitySuffix(String text) {
        String suffix = null;
        for (String s : text.split(",", -1)) {
            java.util.regex.Matcher m = SPELLED_QUANTITY.matcher(s.trim());
            if (!m.matches() || (suffix != null && !suffix.equals(m.group(2)))) {
                throw new IllegalArgumentException("allowed_quantities must be a list of whole numbers such as 5,10, "
                        + "or with one unit such as 4s,6s,8s (got '" + text + "')");
            }
            suffix = m.group(2);
        }
        return suffix == null ? "" : suffix;
    }

    /** The quantity as fal spells it in its enum ("8s"), or as a number when the model has no enumeration. */
    public String spelled(int quantity) {
        return allowedQuantities == null ? Integer.toString(quantity) : quantity + quantitySuffix;
    }

    /** "360p=1,540p=1,720p=4/3,1080p=8/3@5": name=factor, optionally @ the only quantities allowed there. */
    static Map<String, Resolution> parseFactors(String text, List<Integer> allowed, int min, Integer max) {
        Map<String, Resolution> out = new LinkedHashMap<>();
        for (String part : text.split(",", -1)) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("resolution_factors must read like 360p=1,720p=4/3 (bad entry '" + part.trim() + "')");
            }
            String name = part.substring(0, eq).trim();
            String rest = part.substring(eq + 1);
            Set<Integer> only = null;
            int at = rest.indexOf('@');
            if (at >= 0) {
                only = Collections.unmodifiableSet(positiveInts(rest.substring(at + 1), "\\|", "resolution_factors " + name));
                for (int q : only) {
                    if (allowed != null ? !allowed.contains(q) : (q < min || (max != null && q > max))) {
                        throw new IllegalArgumentException("resolution_factors " + name + " allows " + q + ", which the model never accepts");
                    }
                }
                rest = rest.substring(0, at);
            }
            Fraction factor;
            try {
                factor = Fraction.parse(rest);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("resolution_factors " + name + ": " + ex.getMessage());
            }
            if (name.isEmpty() || out.put(name, new Resolution(name, factor, only)) != null) {
                throw new IllegalArgumentException("resolution_factors names must be present and distinct (got '" + name + "')");
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private static Set<Integer> positiveInts(String text, String separatorRegex, String what) {
        Set<Integer> out = new LinkedHashSet<>();
        for (String s : text.split(separatorRegex, -1)) {
            int v;
            try {
                v = Integer.parseInt(s.trim());
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException(what + " must be a list of whole numbers such as 5,10 (got '" + text + "')");
            }
            if (v <= 0 || !out.add(v)) {
                throw new IllegalArgumentException(what + " must hold distinct numbers greater than 0 (got '" + text + "')");
            }
        }
        return out;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
