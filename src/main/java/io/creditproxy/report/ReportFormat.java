package io.creditproxy.report;

import io.creditproxy.common.QueryParams;
import java.util.Locale;

/** {@code format}: json (the default) or csv. */
public enum ReportFormat {
    json, csv;

    /** @throws io.creditproxy.common.ApiException 422 for anything else */
    public static ReportFormat parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "json" -> json;
            case "csv" -> csv;
            default -> throw QueryParams.invalid("format", "format must be json or csv");
        };
    }

    /** null (absent) is json */
    static boolean isCsv(ReportFormat format) {
        return format == csv;
    }
}
