package io.creditproxy.sandbox;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the simulator received at one submit, for tests of the proxy (was the tenant's key stripped, did the
 * operator key, the X-Fal-* headers and fal_webhook arrive?).
 *
 * @param requestId the id given to it, or null when the submit was refused (401, 422, a submit-* fault)
 * @param path      the raw path, e.g. {@code /fal-ai/flux-1/dev}
 * @param query     the raw query string without '?', or null
 * @param headers   header names in lower case, each with its values in order
 * @param body      the raw body as UTF-8 text
 * @param status    the HTTP status answered, or 0 when none was (hang, reset)
 */
public record ReceivedSubmit(String requestId, String method, String path, String query,
                             Map<String, List<String>> headers, String body, int status, Instant receivedAt) {

    /** The first value of a header, by case-insensitive name. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
}
