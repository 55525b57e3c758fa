package io.creditproxy.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import io.creditproxy.common.ApiException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The pure arithmetic of a price: no database, no clock, so plain unit tests pin every figure.
 * credits = ceil(usd_price x quantity x factor x exchange_rate x credits_per_cny), computed exactly.
 */
public final class PriceCalculator {

    private PriceCalculator() {
    }

    /**
     * Exact: the whole product is formed in BigDecimal, and the factor's denominator is divided last with
     * rounding up, so e.g. 4/3 never turns into 1.3333 and no fraction of a credit is given away.
     */
    public static long credits(BigDecimal usdPrice, long quantity, Fraction factor, BigDecimal exchangeRate,
                               BigDecimal creditsPerCny) {
        return credits(usdPrice, quantity, factor, exchangeRate, creditsPerCny, BigDecimal.ONE);
    }

    /**
     * The multiplier a price is computed with: the tenant's times its key's group's (null = 1). Exact: both have at
     * most 4 decimals, so the product has at most 8, and it is applied inside the one product before the ceiling.
     */
    public static BigDecimal combined(BigDecimal tenantMultiplier, BigDecimal groupMultiplier) {
        return (tenantMultiplier == null ? BigDecimal.ONE : tenantMultiplier)
                .multiply(groupMultiplier == null ? BigDecimal.ONE : groupMultiplier);
    }

    /** The same with a tenant's price multiplier (0.9 = 10 % off), inside the one exact product before the ceiling. */
    public static long credits(BigDecimal usdPrice, long quantity, Fraction factor, BigDecimal exchangeRate,
                               BigDecimal creditsPerCny, BigDecimal multiplier) {
        BigDecimal numerator = usdPrice
                .multiply(BigDecimal.valueOf(quantity))
                .multiply(new BigDecimal(factor.numerator()))
                .multiply(exchangeRate)
                .multiply(creditsPerCny)
                .multiply(multiplier);
        return numerator.divide(new BigDecimal(factor.denominator()), 0, RoundingMode.CEILING).longValueExact();
    }

    /**
     * Prices a submit body against a model's rule: reads the quantity (and resolution) fal would use,
     * with fal's defaults when absent.
     *
     * @throws ApiException 422 invalid_parameter for a value fal would not accept
     */
    public static Quote quote(PriceRule rule, JsonNode body, BigDecimal exchangeRate, BigDecimal creditsPerCny) {
        return quote(rule, body, exchangeRate, creditsPerCny, BigDecimal.ONE);
    }

    /** {@link #quote(PriceRule, JsonNode, BigDecimal, BigDecimal)} at a tenant's price multiplier. */
    public static Quote quote(PriceRule rule, JsonNode body, BigDecimal exchangeRate, BigDecimal creditsPerCny,
                              BigDecimal multiplier) {
        if (body != null && !body.isNull() && !body.isMissingNode() && !body.isObject()) {
            throw invalid("body", "The request body must be a JSON object.");
        }
        return quoteUnits(rule, billedUnits(rule, body), requestedFactor(rule, body), exchangeRate, creditsPerCny,
                multiplier);
    }

    /**
     * The units fal bills for a submit body, read as fal reads it: images, seconds or clips of the quantity field,
     * times the megapixels of each image (unit megapixel), times the multiplier field (seedream's max_images).
     *
     * @throws ApiException 422 invalid_parameter naming the field, for a value the table cannot price
     */
    public static int billedUnits(PriceRule rule, JsonNode body) {
        int requested = requestedQuantity(rule, field(body, rule.quantityParam()));
        if (rule.resolutionParam() != null) {
            PriceRule.Resolution res = requestedResolution(rule, field(body, rule.resolutionParam()));
            if (res.onlyQuantities() != null && !res.onlyQuantities().contains(requested)) {
                throw invalid(rule.quantityParam(), rule.quantityParam() + " " + requested + " is not available at "
                        + rule.resolutionParam() + " " + res.name() + " (allowed there: " + join(res.onlyQuantities()) + ").");
            }
        }
        long units = billedUnits(rule, requested);
        try {
            if (rule.unit() == PriceUnit.megapixel) {
                units = Math.multiplyExact(units, requestedSize(rule, field(body, rule.sizeParam())).megapixels());
            }
            if (rule.multiplierParam() != null) {
                units = Math.multiplyExact(units, requestedMultiplier(rule, field(body, rule.multiplierParam())));
            }
            return Math.toIntExact(units);
        } catch (ArithmeticException e) {
            throw invalid(rule.quantityParam(), "The request asks for more than this proxy can price in one submit.");
        }
    }

    /** The resolution (or option) factor of a submit body: 1 when the model has none. */
    static Fraction requestedFactor(PriceRule rule, JsonNode body) {
        return rule.resolutionParam() == null ? Fraction.ONE
                : requestedResolution(rule, field(body, rule.resolutionParam())).factor();
    }

    private static JsonNode field(JsonNode body, String name) {
        return body == null || name == null ? null : body.get(name);
    }

    /** The price of a number of billed units (images, seconds, clips) at a factor. */
    public static Quote quoteUnits(PriceRule rule, int units, Fraction factor, BigDecimal exchangeRate,
                                   BigDecimal creditsPerCny) {
        return quoteUnits(rule, units, factor, exchangeRate, creditsPerCny, BigDecimal.ONE);
    }

    public static Quote quoteUnits(PriceRule rule, int units, Fraction factor, BigDecimal exchangeRate,
                                   BigDecimal creditsPerCny, BigDecimal multiplier) {
        long credits = credits(rule.usdPrice(), units, factor, exchangeRate, creditsPerCny, multiplier);
        return new Quote(rule.id(), rule.unit().name(), units, rule.usdPrice(), factor.toString(), exchangeRate,
                creditsPerCny, credits, null, null, multiplier, null, BigDecimal.ONE);
    }

    /** The units a requested quantity is billed as: a clip model counts started clips (8 s = 2 clips of 5 s). */
    public static int billedUnits(PriceRule rule, int requested) {
        if (rule.unit() == PriceUnit.clip) {
            return Math.floorDiv(requested + rule.clipSeconds() - 1, rule.clipSeconds());
        }
        return requested;
    }

    /** The factor of the model's default resolution (1 when it has none). */
    public static Fraction defaultFactor(PriceRule rule) {
        return rule.resolutionParam() == null ? Fraction.ONE : rule.resolutions().get(rule.defaultResolution()).factor();
    }

    /**
     * fal documents enumerated parameters (duration) as strings ("5", veo3's "8s") and counts (num_images) as integers.
     * An enumerated one is accepted as that exact string or as a JSON integer of the same value; a count as fal's
     * pydantic reads an integer ({@link FalInputs#laxInt}: 4, 4.0, "4", true). Absent or null means fal's default.
     */
    static int requestedQuantity(PriceRule rule, JsonNode value) {
        String param = rule.quantityParam();
        if (value == null || value.isNull() || value.isMissingNode()) {
            return rule.defaultQuantity();
        }
        Integer q = null;
        if (rule.allowedQuantities() == null) {
            q = FalInputs.laxInt(value);
        } else if (value.isIntegralNumber() && value.canConvertToInt()) {
            q = value.intValue();
        } else if (value.isTextual()) {
            for (int allowed : rule.allowedQuantities()) {
                if (rule.spelled(allowed).equals(value.textValue())) {
                    q = allowed;
                }
            }
        }
        boolean ok = q != null && (rule.allowedQuantities() != null
                ? rule.allowedQuantities().contains(q)
                : q >= rule.minQuantity() && (rule.maxQuantity() == null || q <= rule.maxQuantity()));
        if (!ok) {
            String expected = rule.allowedQuantities() != null
                    ? "one of " + rule.allowedQuantities().stream().map(v -> "\"" + rule.spelled(v) + "\"").collect(Collectors.joining(", "))
                    : rule.maxQuantity() != null
                    ? "an integer from " + rule.minQuantity() + " to " + rule.maxQuantity()
                    : "an integer of at least " + rule.minQuantity();
            throw invalid(param, param + " must be " + expected + " (got " + shown(value) + ").");
        }
        return q;
    }

    static PriceRule.Resolution requestedResolution(PriceRule rule, JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return rule.resolutions().get(rule.defaultResolution());
        }
        // a boolean option (veo3's generate_audio) is named true/false in the table, and read only from a JSON boolean
        // or that exact text: "yes", 1 and the like, which fal also reads as booleans, are refused, never guessed
        PriceRule.Resolution res = value.isTextual() ? rule.resolutions().get(value.textValue())
                : value.isBoolean() ? rule.resolutions().get(Boolean.toString(value.booleanValue())) : null;
        if (res == null) {
            throw invalid(rule.resolutionParam(), rule.resolutionParam() + " must be one of "
                    + String.join(", ", rule.resolutions().keySet()) + " (got " + shown(value) + ").");
        }
        return res;
    }

    /**
     * The image size fal will make: a preset name, or {@code {width, height}} (integers as fal reads them, each 1 to
     * {@link ImageSizes#MAX_SIDE}; both required, the proxy never assumes fal's defaults for a half-given size).
     * Absent or null: the model's default size, or a 422 when fal would size the output from an input image.
     */
    static ImageSizes.Size requestedSize(PriceRule rule, JsonNode value) {
        String param = rule.sizeParam();
        if (value == null || value.isNull() || value.isMissingNode()) {
            if (rule.defaultSize() == null) {
                throw invalid(param, param + " is required for this model: without it fal sizes the output from the "
                        + "input image, which the proxy cannot price before the job runs.");
            }
            return rule.defaultSize();
        }
        if (value.isTextual()) {
            ImageSizes.Size preset = ImageSizes.preset(value.textValue());
            if (preset != null) {
                return preset;
            }
        } else if (value.isObject()) {
            Integer w = FalInputs.laxInt(value.get("width"));
            Integer h = FalInputs.laxInt(value.get("height"));
            if (w != null && h != null && w >= 1 && h >= 1 && w <= ImageSizes.MAX_SIDE && h <= ImageSizes.MAX_SIDE) {
                return new ImageSizes.Size(w, h);
            }
            throw invalid(param, param + " must have a width and a height, each an integer from 1 to "
                    + ImageSizes.MAX_SIDE + " (got " + shown(value) + ").");
        }
        throw invalid(param, param + " must be one of " + String.join(", ", ImageSizes.presetNames())
                + " or {\"width\": w, \"height\": h} (got " + shown(value) + ").");
    }

    static int requestedMultiplier(PriceRule rule, JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return 1;
        }
        Integer m = FalInputs.laxInt(value);
        if (m == null || m < 1 || m > rule.maxMultiplier()) {
            throw invalid(rule.multiplierParam(), rule.multiplierParam() + " must be an integer from 1 to "
                    + rule.maxMultiplier() + " (got " + shown(value) + ").");
        }
        return m;
    }

    private static String shown(JsonNode value) {
        String s = value.toString();
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    private static String join(Iterable<Integer> values) {
        StringBuilder sb = new StringBuilder();
        for (int v : values) {
            sb.append(sb.isEmpty() ? "" : ", ").append(v);
        }
        return sb.toString();
    }

    private static ApiException invalid(String param, String message) {
        return new ApiException(422, "invalid_parameter", message, Map.of("param", param));
    }
}
