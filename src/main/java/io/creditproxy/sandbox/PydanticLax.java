package io.creditproxy.sandbox;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;
import java.util.Set;

/**
 * How fal's Python apps read an input field: pydantic in lax mode. Written for the simulator on its own (not shared
 * with the proxy's pricing) so that tests compare two readings. Where unsure, it reads more than pydantic does, never
 * less: a simulator that bills more inputs makes the proxy's prices prove more.
 */
final class PydanticLax {

    private static final Set<String> TRUE = Set.of("1", "on", "t", "true", "y", "yes");
    private static final Set<String> FALSE = Set.of("0", "off", "f", "false", "n", "no");

    /** Thrown for a value pydantic refuses: fal fails the run with a 422 and bills nothing. */
    static final class Invalid extends RuntimeException {
        final String field;
        final Object value;
        /** pydantic's error type (int_parsing, greater_than_equal, ...) */
        final String type;

        Invalid(String field, String message, String type, Object value) {
            super(message);
            this.field = field;
            this.value = value;
            this.type = type;
        }
    }

    private PydanticLax() {
    }

    /** An int field: 4, 4.0, "4", " 4 ", "4.0", true (1). Null (absent) gives the default. */
    static long integer(String field, Object value, long defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        BigDecimal n = null;
        if (value instanceof Boolean b) {
            return b ? 1 : 0;
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            return ((Number) value).longValue();
        } else if (value instanceof BigInteger bi) {
            n = new BigDecimal(bi);
        } else if (value instanceof Number num) {
            double d = num.doubleValue();
            if (Double.isFinite(d)) {
                n = new BigDecimal(num.toString());
            }
        } else if (value instanceof String s) {
            try {
                n = new BigDecimal(s.strip());
            } catch (NumberFormatException e) {
                n = null;
            }
        }
        if (n == null || n.signum() != 0 && n.stripTrailingZeros().scale() > 0) {
            throw new Invalid(field, "Input should be a valid integer", "int_parsing", value);
        }
        try {
            return n.longValueExact();
        } catch (ArithmeticException e) {
            throw new Invalid(field, "Input should be a valid integer", "int_parsing", value);
        }
    }

    /** An int field within fal's bounds. */
    static long integer(String field, Object value, long defaultValue, long min, long max) {
        long v = integer(field, value, defaultValue);
        if (v < min) {
            throw new Invalid(field, "Input should be greater than or equal to " + min, "greater_than_equal", value);
        }
        if (v > max) {
            throw new Invalid(field, "Input should be less than or equal to " + max, "less_than_equal", value);
        }
        return v;
    }

    /** A bool field: true/false, 0/1, and the words pydantic knows ("yes", "off", ...), in any letter case. */
    static boolean bool(String field, Object value, boolean defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof Number n) {
            double d = n.doubleValue();
            if (d == 0) {
                return false;
            }
            if (d == 1) {
                return true;
            }
        } else if (value instanceof String s) {
            String t = s.strip().toLowerCase(Locale.ROOT);
            if (TRUE.contains(t)) {
                return true;
            }
            if (FALSE.contains(t)) {
                return false;
            }
        }
        throw new Invalid(field, "Input should be a valid boolean", "bool_parsing", value);
    }

    /**
     * One of an enum's values (fal's Literal["5", "10"]): the exact string; read leniently, a number whose text is
     * one of them is taken too.
     */
    static String choice(String field, Object value, String defaultValue, Set<String> allowed) {
        if (value == null) {
            return defaultValue;
        }
        String text = value instanceof String s ? s : value instanceof Number n ? integerText(n) : null;
        if (text == null || !allowed.contains(text)) {
            throw new Invalid(field, "Input should be " + String.join(", ", allowed), "literal_error", value);
        }
        return text;
    }

    private static String integerText(Number n) {
        try {
            return new BigDecimal(n.toString()).stripTrailingZeros().toBigIntegerExact().toString();
        } catch (ArithmeticException | NumberFormatException e) {
            return null;
        }
    }
}
