package io.creditproxy.webhook;

/**
 * What one delivery attempt came to. {@code httpStatus} is null when no answer came; {@code error} never holds the
 * URL's path or query (they may carry the tenant's tokens). {@code permanent}: trying again cannot help.
 */
record AttemptOutcome(Integer httpStatus, String error, boolean permanent) {

    static AttemptOutcome answered(int httpStatus) {
        if (httpStatus >= 200 && httpStatus < 300) {
            return new AttemptOutcome(httpStatus, null, false);
        }
        String error = httpStatus >= 300 && httpStatus < 400
                ? "HTTP " + httpStatus + " (redirects are not followed)"
                : "HTTP " + httpStatus;
        return new AttemptOutcome(httpStatus, error, false);
    }

    static AttemptOutcome noAnswer(String error) {
        return new AttemptOutcome(null, error, false);
    }

    static AttemptOutcome refused(String error, boolean permanent) {
        return new AttemptOutcome(null, error, permanent);
    }

    boolean delivered() {
        return httpStatus != null && httpStatus >= 200 && httpStatus < 300;
    }
}
