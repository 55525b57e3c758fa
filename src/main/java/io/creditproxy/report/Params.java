package io.creditproxy.report;

import io.creditproxy.common.ApiException;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** Query parameters arrive as text, so that a malformed value is a 422 in the API's error shape. */
final class Params {

    private Params() {
    }

    static Long optionalLong(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw invalid(name, name + " must be an integer");
        }
    }

    static UUID optionalUuid(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(value.trim());
        } catch (IllegalArgumentException e) {
            throw invalid(name, name + " must be a job id (UUID)");
        }
    }

    static String optionalText(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    static int pageSize(String value, ReportConfig config) {
        Long limit = optionalLong("limit", value);
        if (limit == null) {
            return config.defaultPageSize();
        }
        if (limit < 1 || limit > config.maxPageSize()) {
            throw invalid("limit", "limit must be between 1 and " + config.maxPageSize());
        }
        return limit.intValue();
    }

    /** json (default) or csv. */
    static boolean csv(String format) {
        if (format == null || format.isBlank() || format.trim().equalsIgnoreCase("json")) {
            return false;
        }
        if (format.trim().equalsIgnoreCase("csv")) {
            return true;
        }
        throw invalid("format", "format must be json or csv");
    }

    static String upper(String value) {
        return value == null ? null : value.trim().toUpperCase(Locale.ROOT);
    }

    static ApiException invalid(String param, String message) {
        return new ApiException(422, "invalid_parameter", message, Map.of("param", param));
    }
}
