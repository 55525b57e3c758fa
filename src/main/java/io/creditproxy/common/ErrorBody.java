package io.creditproxy.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one error shape of the API: {@code {"error": {"code", "message", ...details}, "message", "detail"}}.
 * The top-level {@code message} and {@code detail} repeat the reason the way fal answers its own errors, so fal's
 * official clients show it: {@code @fal-ai/client} takes {@code body.message} for its error's message and, on a 422,
 * reads {@code body.detail} as a list of {@code {loc, msg, type}}; {@code fal_client} shows {@code detail}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorBody(Map<String, Object> error, String message, Object detail) {

    public static ErrorBody of(String code, String message) {
        return of(code, message, Map.of());
    }

    public static ErrorBody of(String code, String message, Map<String, Object> details) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        error.putAll(details);
        return new ErrorBody(error, message, message);
    }

    /** The body of an answer with this HTTP status: a 422's {@code detail} is fal's list of validation errors. */
    public ErrorBody forStatus(int status) {
        if (status != 422 || detail instanceof List) {
            return this;
        }
        Object field = error.get("param") != null ? error.get("param") : error.get("field");
        return withDetail(List.of(validationError(field == null ? null : String.valueOf(field), message)));
    }

    /** This body with fal's validation {@code detail}: one {@code {loc, msg, type}} per problem. */
    public ErrorBody withDetail(List<Map<String, Object>> validationErrors) {
        return new ErrorBody(error, message, validationErrors);
    }

    /** One entry of fal's (FastAPI's) 422 {@code detail}: where ({@code ["body", field]}), what, and its kind. */
    public static Map<String, Object> validationError(String field, String msg) {
        List<String> loc = new ArrayList<>();
        loc.add("body");
        if (field != null && !field.isEmpty()) {
            loc.add(field);
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("loc", loc);
        entry.put("msg", msg);
        entry.put("type", "value_error");
        return entry;
    }
}
