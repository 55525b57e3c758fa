package io.creditproxy.common;

import java.util.Map;
import java.util.UUID;

/**
 * Query parameters arrive as text, so that a malformed value is a 422 in the API's error shape (naming the
 * parameter) instead of JAX-RS's bare 404.
 */
public final class QueryParams {

    private QueryParams() {
    }

    public static Long optionalLong(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw invalid(name, name + " must be an integer");
        }
    }

    public static Integer optionalInt(String name, String value) {
        Long v = optionalLong(name, value);
        if (v == null) {
            return null;
        }
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw invalid(name, name + " is out of range");
        }
        return v.intValue();
    }

    public static UUID optionalUuid(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(value.trim());
        } catch (IllegalArgumentException e) {
            throw invalid(name, name + " must be a UUID");
        }
    }

    /** A true/false switch (any case); absent or blank is false. */
    public static boolean flag(String name, String value) {
        if (value == null || value.isBlank() || value.trim().equalsIgnoreCase("false")) {
            return false;
        }
        if (value.trim().equalsIgnoreCase("true")) {
            return true;
        }
        throw invalid(name, name + " must be true or false");
    }

    /** Trimmed, or null when absent or blank. */
    public static String optionalText(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    public static ApiException invalid(String param, String message) {
        return new ApiException(422, "invalid_parameter", message, Map.of("param", param));
    }
}
