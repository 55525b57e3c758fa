package io.creditproxy.tenant;

import com.fasterxml.jackson.databind.JsonNode;
import io.creditproxy.common.ApiException;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reading admin PATCH bodies: a field that is absent keeps its value, a field that is JSON null clears it. Values of
 * the wrong type are 422, never coerced (1.5 is not an integer, "5" is not a number).
 */
public final class JsonFields {

    private JsonFields() {
    }

    public static JsonNode object(JsonNode body) {
        if (body == null || body.isNull() || body.isMissingNode()) {
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        if (!body.isObject()) {
            throw ApiException.invalidParameter("The body must be a JSON object.");
        }
        return body;
    }

    public static boolean present(JsonNode body, String field) {
        return body != null && body.has(field);
    }

    public static boolean isNull(JsonNode body, String field) {
        return body.get(field) == null || body.get(field).isNull();
    }

    public static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.invalidParameter(field + " must be a string");
        }
        return v.textValue();
    }

    public static Long integer(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ApiException.invalidParameter(field + " must be an integer");
        }
        return v.longValue();
    }

    /** A JSON number or a decimal string ("0.9"), exact. */
    public static BigDecimal decimal(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        try {
            if (v.isTextual()) {
                return new BigDecimal(v.textValue().trim());
            }
            if (v.isNumber()) {
                // a double's shortest spelling ("0.9"), not its binary expansion
                return v.isBigDecimal() || v.isIntegralNumber() ? v.decimalValue() : new BigDecimal(v.asText());
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw ApiException.invalidParameter(field + " must be a decimal number such as 0.9");
    }

    /** An ISO-8601 time with offset, e.g. 2026-12-31T23:59:59Z. */
    public static OffsetDateTime time(JsonNode body, String field) {
        String t = text(body, field);
        if (t == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(t.trim());
        } catch (DateTimeParseException e) {
            throw ApiException.invalidParameter(field + " must be an ISO-8601 time with offset, e.g. 2026-12-31T23:59:59Z");
        }
    }

    public static List<String> strings(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray()) {
            throw ApiException.invalidParameter(field + " must be a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isTextual()) {
                throw ApiException.invalidParameter(field + " must be a list of strings");
            }
            out.add(item.textValue());
        }
        return out;
    }
}
