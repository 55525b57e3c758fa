package io.creditproxy.report;

import io.creditproxy.common.QueryParams;
import java.util.Locale;

/** The report endpoints' own query parameters (the generic ones are in {@link QueryParams}). */
final class Params {

    private Params() {
    }

    static int pageSize(String value, ReportConfig config) {
        Long limit = QueryParams.optionalLong("limit", value);
        if (limit == null) {
            return config.defaultPageSize();
        }
        if (limit < 1 || limit > config.maxPageSize()) {
            throw QueryParams.invalid("limit", "limit must be between 1 and " + config.maxPageSize());
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
        throw QueryParams.invalid("format", "format must be json or csv");
    }

    static String upper(String value) {
        return value == null ? null : value.trim().toUpperCase(Locale.ROOT);
    }

}
