package io.creditproxy.proxy;

import io.creditproxy.common.ApiException;
import java.util.regex.Pattern;

/**
 * Reads the fal paths a tenant may call, from the raw (undecoded) request path, and refuses path tricks:
 * dot segments, encoded characters, empty segments, absolute URLs or hosts smuggled into the path.
 * Only plain segments of letters, digits and {@code . _ -} are forwarded, so nothing can steer the
 * forwarded request anywhere but fal's own paths.
 */
public final class PathGuard {

    /** A clean segment; {@link #cleanSegment} is this, without a regular expression (it ran on every request). */
    static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final int MAX_SEGMENTS = 12;

    private PathGuard() {
    }

    /** A tenant call on an existing request: {@code /{app...}/requests/{id}[/status|/status/stream|/cancel]}. */
    public record RequestPath(String requestId, Action action) {
    }

    public enum Action { STATUS, STREAM, RESULT, CANCEL }

    /** @return the segments of a clean path, or throws 400 for a path trick */
    public static String[] segments(String rawPath) {
        if (rawPath == null || rawPath.length() < 2 || rawPath.charAt(0) != '/' || rawPath.length() > 1024) {
            throw badPath();
        }
        String[] parts = rawPath.substring(1).split("/", -1);
        if (parts.length > MAX_SEGMENTS) {
            throw badPath();
        }
        for (String part : parts) {
            // rejects "", ".", "..", "%2F", "%2e", "\\", "http:", "@host" and every other oddity at once
            if (!cleanSegment(part) || part.contains("..")) {
                throw badPath();
            }
        }
        return parts;
    }

    /** {@link #SEGMENT}'s match: a letter or digit, then up to 127 letters, digits, dots, underscores and dashes. */
    static boolean cleanSegment(String part) {
        int n = part.length();
        if (n == 0 || n > 128 || !letterOrDigit(part.charAt(0))) {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = part.charAt(i);
            if (!letterOrDigit(c) && c != '.' && c != '_' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean letterOrDigit(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    /** The model id of a submit (the whole path), e.g. {@code fal-ai/flux-1/dev}. */
    public static String modelId(String rawPath) {
        String[] parts = segments(rawPath);
        if (parts.length < 2) {
            throw ApiException.notFound("unknown_model", "A model id looks like 'owner/app[/path]', e.g. 'fal-ai/flux-1/dev'.");
        }
        return String.join("/", parts);
    }

    /**
     * The model id of a synchronous run ({@code https://fal.run/{model id}}, or {@code /run/{model id}} on the proxy).
     * fal's streaming run ({@code fal.stream}: {@code .../stream}) is refused with 400 {@code streaming_not_supported},
     * before anything is charged: it has no queue job to bill and settle.
     */
    public static String runModelId(String rawPath) {
        String modelId = modelId(rawPath);
        if (modelId.endsWith("/stream")) {
            throw new ApiException(400, "streaming_not_supported", "Streaming runs (fal.stream, .../stream) are not "
                    + "supported by the proxy; use fal.run, fal.subscribe or fal.queue.submit. Nothing was charged.");
        }
        return modelId;
    }

    /** Parses a poll/result/cancel path, or returns null when the path is not one. */
    public static RequestPath requestPath(String rawPath) {
        String[] parts = segments(rawPath);
        int n = parts.length;
        // .../requests/{id}
        if (n >= 3 && parts[n - 2].equals("requests")) {
            return new RequestPath(parts[n - 1], Action.RESULT);
        }
        // .../requests/{id}/status | cancel
        if (n >= 4 && parts[n - 3].equals("requests")) {
            return switch (parts[n - 1]) {
                case "status" -> new RequestPath(parts[n - 2], Action.STATUS);
                case "cancel" -> new RequestPath(parts[n - 2], Action.CANCEL);
                default -> null;
            };
        }
        // .../requests/{id}/status/stream
        if (n >= 5 && parts[n - 4].equals("requests") && parts[n - 2].equals("status") && parts[n - 1].equals("stream")) {
            return new RequestPath(parts[n - 3], Action.STREAM);
        }
        return null;
    }

    public static ApiException badPath() {
        return new ApiException(400, "bad_path", "The request path is not a valid fal path.");
    }
}
