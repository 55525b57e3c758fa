package io.creditproxy.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.regex.Pattern;

/**
 * How fal reads a number from a request body: fal's apps are Python with pydantic in lax mode, so an integer field
 * takes 4, 4.0, "4", " 4 ", "4.00" and true (as 1) alike. The proxy must price what fal will read, so it reads the
 * same way; whatever it cannot read as fal would, it refuses (never prices as something smaller).
 */
final class FalInputs {

    // pydantic-core's str -> int: surrounding whitespace, an optional sign, digits, and an optional ".000"
    private static final Pattern INT_TEXT = Pattern.compile("[+-]?[0-9]+(\\.0*)?");
    private static final BigDecimal MAX = BigDecimal.valueOf(Integer.MAX_VALUE);
    private static final BigDecimal MIN = BigDecimal.valueOf(Integer.MIN_VALUE);

    private FalInputs() {
    }

    /** The integer fal reads from this value, or null when fal would not read one (or it does not fit an int). */
    static Integer laxInt(JsonNode value) {
        if (value == null) {
            return null;
        }
        BigDecimal n;
        if (value.isBoolean()) {
            return value.booleanValue() ? 1 : 0;
        } else if (value.isNumber()) {
            if (value.isDouble() || value.isFloat()) {
                double d = value.doubleValue();
                if (!Double.isFinite(d)) {
                    return null;
                }
            }
            n = value.decimalValue();
        } else if (value.isTextual()) {
            String t = value.textValue().strip();
            if (!INT_TEXT.matcher(t).matches()) {
                return null;
            }
            n = new BigDecimal(t);
        } else {
            return null;
        }
        if (n.signum() != 0 && n.stripTrailingZeros().scale() > 0) {
            // 4.5: fal refuses a fraction
            return null;
        }
        if (n.compareTo(MAX) > 0 || n.compareTo(MIN) < 0) {
            return null;
        }
        return n.intValueExact();
    }
}
