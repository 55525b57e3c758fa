package io.creditproxy.common;

import java.util.Map;

/**
 * A refusal with an HTTP status and the error shape of the API:
 * {@code {"error": {"code": "...", "message": "...", ...details}, "message": "...", "detail": ...}} (common/ErrorBody).
 * Thrown anywhere in a request; mapped once, for JAX-RS resources and for the proxy route alike.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final Map<String, Object> details;

    public ApiException(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    public ApiException(int status, String code, String message, Map<String, Object> details) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.details = details;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }

    public ErrorBody body() {
        return ErrorBody.of(code, getMessage(), details).forStatus(status);
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "bad_request", message);
    }

    public static ApiException unauthorized(String message) {
        return new ApiException(401, "unauthorized", message);
    }

    public static ApiException notFound(String code, String message) {
        return new ApiException(404, code, message);
    }

    public static ApiException invalidParameter(String message) {
        return new ApiException(422, "invalid_parameter", message);
    }

    public static ApiException conflict(String code, String message) {
        return new ApiException(409, code, message);
    }
}
