package io.creditproxy.sandbox;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** How the simulator answers, in fal's shapes. */
final class SimulatorHttp {

    private SimulatorHttp() {
    }

    /** fal's error shape: {@code {"detail": "..."}}. */
    static void detail(HttpServerResponse resp, int status, String message) {
        json(resp, status, new JsonObject().put("detail", message).encode());
    }

    static void json(HttpServerResponse resp, int status, String body) {
        resp.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
    }

    /** The key of {@code Authorization: Key ...}, or null. */
    static String keyOf(HttpServerRequest req) {
        String header = req.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || header.length() <= 4 || !header.regionMatches(true, 0, "Key ", 0, 4)) {
            return null;
        }
        String key = header.substring(4).trim();
        return key.isEmpty() ? null : key;
    }

    static boolean wantsLogs(HttpServerRequest req) {
        String logs = req.getParam("logs");
        return logs != null && ("1".equals(logs) || "true".equalsIgnoreCase(logs));
    }

    static String trimSlashes(String path) {
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(start, end);
    }
}
