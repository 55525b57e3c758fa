package io.creditproxy.fal;

import java.util.Arrays;

/** fal's queue paths: a request lives under its app, {@code {base}/{app}/requests/{request id}}. */
public final class FalPaths {

    private FalPaths() {
    }

    /** The owner/app part of a model id: two segments, three for {@code workflows/} and {@code comfy/}. */
    public static String appOf(String modelId) {
        String[] segments = modelId.split("/");
        int keep = segments[0].equals("workflows") || segments[0].equals("comfy") ? 3 : 2;
        return String.join("/", Arrays.copyOf(segments, Math.min(keep, segments.length)));
    }

    /** The result URL of a request (its status URL adds {@code /status}, its cancel URL {@code /cancel}). */
    public static String requestUrl(String baseUrl, String modelId, String requestId) {
        return baseUrl + "/" + appOf(modelId) + "/requests/" + requestId;
    }
}
