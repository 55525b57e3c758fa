package io.creditproxy.observability;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Last line of defence for logs (the code never logs secrets; tests check it): masks tenant keys (cp_...),
 * Authorization values (Bearer/Key ...), JWTs, passwords in JSON, the operator's fal key and the query of a failed
 * request's URI in Quarkus' error lines, should any reach a log message or an exception text. Installed on the
 * console handler ({@code quarkus.log.console.filter}).
 */
@LoggingFilter(name = "secret-redactor")
public final class SecretRedactor implements Filter {

    static final String MASK = "[REDACTED]";

    private static final Pattern SECRETS = Pattern.compile(
            "(?i)(?<=\\b(?:bearer|key)\\s)[^\\s\"',;]+"                       // Authorization values
                    + "|\\bcp_[A-Za-z0-9_-]{8,}"                             // tenant API keys
                    + "|\\beyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*" // JWTs
                    + "|(?<=\"password\"\\s?:\\s?\")[^\"]*");                 // passwords in JSON bodies

    /**
     * The query of a request URI in Quarkus' own lines about a request that failed ("HTTP Request to /x?q failed",
     * "IOError processing HTTP request to /x?q failed"): tenants put tokens in queries (a fal_webhook URL). The access
     * log never has a query in the first place (its pattern uses the path, {@code %R}).
     */
    private static final Pattern REQUEST_QUERY = Pattern.compile("(?i)(request to [^\\s?]*)\\?\\S*");

    private final String operatorKey;

    public SecretRedactor() {
        this.operatorKey = ConfigProvider.getConfig().getOptionalValue("fal.key", String.class)
                .filter(k -> k.length() >= 8).orElse(null);
    }

    /**
     * Words without which none of the patterns above can match (each pattern needs one of them, in any ASCII letter
     * case). Most lines, the access log's above all, hold none, and skip the regular expressions: they were about 6 %
     * of the proxy's CPU under load (bench/RESULTS.md).
     */
    private static final String[] TRIGGERS = {"bearer", "key", "cp_", "eyj", "\"password\"", "request to"};

    /** The masks that need no configuration (everything but the operator's fal key). */
    public static String maskPatterns(String text) {
        return mayHoldSecret(text) ? applyPatterns(text) : text;
    }

    /** The regular expressions alone, without the quick test (the test compares the two). */
    static String applyPatterns(String text) {
        String out = REQUEST_QUERY.matcher(text).replaceAll("$1?" + java.util.regex.Matcher.quoteReplacement(MASK));
        return SECRETS.matcher(out).replaceAll(MASK);
    }

    /**
     * False only when no pattern can match: none of {@link #TRIGGERS} occurs. Lower-casing covers the patterns' ASCII
     * case-insensitivity (a non-ASCII letter that lower-cases to ASCII only makes this say true more often).
     */
    static boolean mayHoldSecret(String text) {
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        for (String trigger : TRIGGERS) {
            if (lower.contains(trigger)) {
                return true;
            }
        }
        return false;
    }

    /** Rewrites the record's message when it holds a secret; never drops a record. */
    @Override
    public boolean isLoggable(LogRecord record) {
        String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        if (message == null) {
            return true;
        }
        String redacted = redact(message);
        if (!redacted.equals(message)) {
            if (record instanceof ExtLogRecord ext) {
                ext.setMessage(redacted, ExtLogRecord.FormatStyle.NO_FORMAT);
            } else {
                record.setMessage(redacted);
            }
            record.setParameters(null);
        }
        return true;
    }

    String redact(String text) {
        String out = maskPatterns(text);
        if (operatorKey != null && out.contains(operatorKey)) {
            out = out.replace(operatorKey, MASK);
        }
        return out;
    }
}
