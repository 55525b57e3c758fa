package io.creditproxy.admin;

import io.creditproxy.common.ApiException;

/** Query parameters arrive as text so that a malformed number is a 422 in the API's shape, not a bare 404. */
final class QueryParams {

    private QueryParams() {
    }

    static Long optionalLong(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw ApiException.invalidParameter(name + " must be an integer");
        }
    }

    static Integer optionalInt(String name, String value) {
        Long v = optionalLong(name, value);
        if (v == null) {
            return null;
        }
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw ApiException.invalidParameter(name + " is out of range");
        }
        return v.intValue();
    }
}
