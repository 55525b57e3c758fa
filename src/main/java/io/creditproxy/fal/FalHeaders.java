package io.creditproxy.fal;

import io.creditproxy.common.QueryParams;
import io.vertx.core.MultiMap;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What of a tenant's request reaches fal, and what of fal's answer reaches the tenant. Allow-lists only, names compared
 * case-insensitively: a header or query parameter fal does not document for the queue API never goes to fal (it could
 * change how fal runs or bills the operator's account), and a header of fal's answer that is not listed never reaches
 * the tenant (cookies, anything naming the operator's account or fal's infrastructure). Source: fal's "Platform
 * Headers" page (documentation/model-apis/common-parameters) and its clients (fal-js {@code headers.ts}, {@code queue.ts}).
 */
public final class FalHeaders {

    /**
     * fal's platform request headers a tenant may set on a submit. Left out on purpose: {@code X-Fal-Retry-Config}
     * (only honoured on the operator's own apps, where it would let a tenant buy more attempts than it paid for), and
     * every undocumented {@code X-Fal-*}. Status, result, cancel and stream requests carry none of the tenant's headers.
     */
    static final Set<String> SUBMIT_HEADERS = Set.of(
            "x-fal-request-timeout",             // time-to-start deadline, seconds
            "x-fal-runner-hint",                 // routing hint (session affinity)
            "x-fal-queue-priority",              // normal | low
            "x-fal-no-retry",                    // 1 | true | yes: no automatic retries
            "x-fal-store-io",                    // 0: fal keeps no copy of the payloads
            "x-fal-object-lifecycle-preference", // {"expiration_duration_seconds": n}: how long fal's CDN keeps the media
            "x-app-fal-disable-fallback");       // no rerouting to an equivalent endpoint

    /** Headers of fal's answer relayed as they are (fal's documented response headers and plain content metadata). */
    static final Set<String> ANSWER_HEADERS = Set.of(
            "content-type", "content-language", "cache-control", "retry-after",
            "x-fal-request-id", "x-fal-billable-units", "x-fal-error-type", "x-fal-request-timeout-type",
            "x-fal-retryable", "x-fal-runner-hints");

    /** fal's answer header naming the request; also on the proxy's relayed status stream. */
    public static final String REQUEST_ID = "x-fal-request-id";

    /** Headers of fal's answer that carry a URL: relayed with fal's queue URLs rewritten to the proxy, like bodies. */
    static final Set<String> ANSWER_URL_HEADERS = Set.of("location", "content-location", "link");

    /** The proxy's own query parameter: fal calls the proxy, the proxy calls the tenant. Never taken from the tenant. */
    public static final String WEBHOOK_PARAM = "fal_webhook";
    /** Submit only: fal answers 429 instead of queueing when the endpoint's queue is longer (fal's docs). */
    static final String MAX_QUEUE_LENGTH_PARAM = "fal_max_queue_length";
    /** Status and status stream only: include the run's logs. */
    static final String LOGS_PARAM = "logs";

    private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]{1,9}");
    private static final Set<String> LOGS_VALUES = Set.of("0", "1", "true", "false");

    private FalHeaders() {
    }

    /** Copies the tenant's allowed submit headers; nothing for any other request. */
    static void copyRequestHeaders(boolean submit, MultiMap from, MultiMap to) {
        if (!submit || from == null) {
            return;
        }
        for (Map.Entry<String, String> entry : from) {
            if (SUBMIT_HEADERS.contains(entry.getKey().toLowerCase(Locale.ROOT))) {
                to.add(entry.getKey(), entry.getValue());
            }
        }
    }

    /** Copies the allowed headers of fal's answer, URLs rewritten to the proxy's public base. */
    public static void copyAnswerHeaders(MultiMap from, MultiMap to, UrlRewriter rewriter, String publicBase) {
        for (Map.Entry<String, String> entry : from) {
            String name = entry.getKey().toLowerCase(Locale.ROOT);
            if (ANSWER_HEADERS.contains(name)) {
                to.add(entry.getKey(), entry.getValue());
            } else if (ANSWER_URL_HEADERS.contains(name)) {
                to.add(entry.getKey(), rewriter.rewrite(entry.getValue(), publicBase));
            }
        }
    }

    /**
     * The tenant's webhook from the query: {@code fal_webhook} in any letter case (a second spelling must never reach
     * fal as a second webhook). More than one is refused.
     *
     * @return the URL, or null when none was given
     */
    public static String tenantWebhook(MultiMap params) {
        String found = null;
        for (Map.Entry<String, String> p : params) {
            if (p.getKey().equalsIgnoreCase(WEBHOOK_PARAM)) {
                if (found != null) {
                    throw QueryParams.invalid(WEBHOOK_PARAM, "Give at most one fal_webhook.");
                }
                found = p.getValue();
            }
        }
        return found;
    }

    /** Checks the submit's query before anything is charged (a bad value is a 422 that moves no credit). */
    public static void checkSubmitQuery(MultiMap params) {
        submitQuery(params, null);
    }

    /**
     * The query of a submit to fal: {@code fal_max_queue_length} if the tenant gave it, and the proxy's own webhook.
     * Every other parameter of the tenant is dropped.
     */
    public static String submitQuery(MultiMap params, String proxyWebhook) {
        StringBuilder query = new StringBuilder();
        String maxQueue = single(params, MAX_QUEUE_LENGTH_PARAM);
        if (maxQueue != null) {
            if (!WHOLE_NUMBER.matcher(maxQueue).matches()) {
                throw QueryParams.invalid(MAX_QUEUE_LENGTH_PARAM, "fal_max_queue_length must be a whole number.");
            }
            append(query, MAX_QUEUE_LENGTH_PARAM, maxQueue);
        }
        if (proxyWebhook != null) {
            append(query, WEBHOOK_PARAM, proxyWebhook);
        }
        return query.toString();
    }

    /** The query of a status or stream request to fal: {@code logs} only. Result and cancel requests carry none. */
    public static String pollQuery(boolean logsAllowed, MultiMap params) {
        if (!logsAllowed) {
            return "";
        }
        String logs = single(params, LOGS_PARAM);
        if (logs == null) {
            return "";
        }
        String value = logs.toLowerCase(Locale.ROOT);
        if (!LOGS_VALUES.contains(value)) {
            throw QueryParams.invalid(LOGS_PARAM, "logs must be 0, 1, true or false.");
        }
        StringBuilder query = new StringBuilder();
        append(query, LOGS_PARAM, value);
        return query.toString();
    }

    /** The one value of a parameter, by case-insensitive name; null when absent; 422 when given twice. */
    private static String single(MultiMap params, String name) {
        String found = null;
        for (Map.Entry<String, String> p : params) {
            if (p.getKey().equalsIgnoreCase(name)) {
                if (found != null) {
                    throw QueryParams.invalid(name, "Give " + name + " at most once.");
                }
                found = p.getValue();
            }
        }
        return found;
    }

    private static void append(StringBuilder query, String name, String value) {
        query.append(query.length() == 0 ? '?' : '&')
                .append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                .append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
}
