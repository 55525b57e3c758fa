package io.creditproxy.sandbox;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fault injection: markers written anywhere in the input's {@code prompt} string (case-insensitive), e.g.
 * {@code "a cat [sandbox:fail]"}. Several may be combined. Unknown markers are ignored.
 *
 * <table>
 * <tr><td>{@code [sandbox:fail]}</td><td>the run fails: COMPLETED with error, result 500 (fal's internal_server_error), webhook ERROR</td></tr>
 * <tr><td>{@code [sandbox:fail-422]}</td><td>the run fails with the model's 422 validation error (content_policy_violation)</td></tr>
 * <tr><td>{@code [sandbox:slow]}</td><td>both IN_QUEUE and IN_PROGRESS last {@code sandbox.slow-delay}</td></tr>
 * <tr><td>{@code [sandbox:slow-queue]}</td><td>only IN_QUEUE lasts {@code sandbox.slow-delay} (to cancel while queued)</td></tr>
 * <tr><td>{@code [sandbox:slow-run]}</td><td>only IN_PROGRESS lasts {@code sandbox.slow-delay} (to cancel while running)</td></tr>
 * <tr><td>{@code [sandbox:submit-500]}</td><td>submit answers 500 {@code {"detail":"Internal Server Error"}}; nothing is queued</td></tr>
 * <tr><td>{@code [sandbox:submit-422]}</td><td>submit answers fal's 422 {@code {"detail":[{loc,msg,type}]}}; nothing is queued</td></tr>
 * <tr><td>{@code [sandbox:submit-hang]}</td><td>submit never answers (the caller's timeout must fire); nothing is queued</td></tr>
 * <tr><td>{@code [sandbox:submit-reset]}</td><td>the connection is dropped (closed) instead of answering the submit</td></tr>
 * <tr><td>{@code [sandbox:submit-late]}</td><td>the request IS queued (and runs, and sends its webhook), but the submit's answer
 * comes only after {@code sandbox.submit-late-delay}, past the caller's timeout; the request stays IN_QUEUE until then</td></tr>
 * <tr><td>{@code [sandbox:fewer-images]}</td><td>one image fewer than {@code num_images} is delivered (and billed in X-Fal-Billable-Units)</td></tr>
 * <tr><td>{@code [sandbox:no-webhook]}</td><td>the webhook is never sent</td></tr>
 * <tr><td>{@code [sandbox:webhook-fails-once]}</td><td>the first webhook delivery carries a wrong signature; a receiver that
 * rejects it (non-2xx) gets the correctly signed retry</td></tr>
 * <tr><td>{@code [sandbox:webhook-duplicate]}</td><td>the (correctly signed) webhook is delivered twice</td></tr>
 * <tr><td>{@code [sandbox:webhook-payload-error]}</td><td>the run succeeds (status and result as usual), but the webhook is
 * fal's shape for an output it could not serialize: {@code {"status":"OK","payload":null,"payload_error":"..."}}</td></tr>
 * </table>
 */
public enum SandboxMarkers {
    FAIL("fail"),
    FAIL_422("fail-422"),
    SLOW("slow"),
    SLOW_QUEUE("slow-queue"),
    SLOW_RUN("slow-run"),
    SUBMIT_500("submit-500"),
    SUBMIT_422("submit-422"),
    SUBMIT_HANG("submit-hang"),
    SUBMIT_RESET("submit-reset"),
    SUBMIT_LATE("submit-late"),
    FEWER_IMAGES("fewer-images"),
    NO_WEBHOOK("no-webhook"),
    WEBHOOK_FAILS_ONCE("webhook-fails-once"),
    WEBHOOK_DUPLICATE("webhook-duplicate"),
    WEBHOOK_PAYLOAD_ERROR("webhook-payload-error");

    private static final Pattern MARKER = Pattern.compile("\\[sandbox:([a-z0-9-]+)]", Pattern.CASE_INSENSITIVE);

    private final String name;

    SandboxMarkers(String name) {
        this.name = name;
    }

    /** The marker as written in a prompt, e.g. {@code [sandbox:fail]}. */
    public String marker() {
        return "[sandbox:" + name + "]";
    }

    @Override
    public String toString() {
        return marker();
    }

    /** The markers present in a prompt (empty for null). */
    public static Set<SandboxMarkers> parse(String prompt) {
        Set<SandboxMarkers> found = EnumSet.noneOf(SandboxMarkers.class);
        if (prompt == null || prompt.indexOf('[') < 0) {
            return found;
        }
        Matcher m = MARKER.matcher(prompt);
        while (m.find()) {
            String name = m.group(1).toLowerCase(Locale.ROOT);
            for (SandboxMarkers marker : values()) {
                if (marker.name.equals(name)) {
                    found.add(marker);
                }
            }
        }
        return found;
    }
}
