package io.creditproxy.fal;

import io.creditproxy.common.ApiException;

/** fal could not be reached (502) or did not answer in time (504). */
public class UpstreamException extends ApiException {

    public UpstreamException(int status, String code, String message) {
        super(status, code, message);
    }

    public static UpstreamException unreachable() {
        return new UpstreamException(502, "upstream_unreachable", "The upstream (fal) could not be reached.");
    }

    public static UpstreamException timeout() {
        return new UpstreamException(504, "upstream_timeout", "The upstream (fal) did not answer in time.");
    }

    public static UpstreamException badAnswer() {
        return new UpstreamException(502, "upstream_bad_answer", "The upstream (fal) gave an answer the proxy could not read.");
    }
}
