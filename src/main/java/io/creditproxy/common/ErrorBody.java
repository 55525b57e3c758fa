package io.creditproxy.common;

import java.util.LinkedHashMap;
import java.util.Map;

/** The one error shape of the API: {@code {"error": {"code", "message", ...details}}}. */
public record ErrorBody(Map<String, Object> error) {

    public static ErrorBody of(String code, String message) {
        return of(code, message, Map.of());
    }

    public static ErrorBody of(String code, String message, Map<String, Object> details) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        error.putAll(details);
        return new ErrorBody(error);
    }
}
