package io.creditproxy.fal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditproxy.common.ApiException;
import io.creditproxy.config.FalConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.jboss.logging.Logger;

/**
 * The one client of fal's Platform API ({@code https://api.fal.ai/v1}, {@code Authorization: Key ...}): model prices,
 * billing events (fal's cost per request id, paged) and the account's credit balance. Blocking (JDK HTTP client):
 * its callers are scheduled jobs and admin requests on worker threads. Numbers are read as exact decimals, never as
 * floating point. Any failure (transport, non-2xx, an answer of the wrong shape) is a 502 {@code fal_platform_error}
 * whose message names the call and fal's status, never the key.
 */
@ApplicationScoped
public class FalPlatformClient {

    private static final Logger LOG = Logger.getLogger(FalPlatformClient.class);
    /** fal accepts 1-50 endpoint ids per pricing call. */
    static final int PRICING_BATCH = 50;
    /** A bound on pages followed in one call, so a cursor that never ends cannot loop forever. */
    private static final int MAX_PAGES = 1000;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    /** A price fal publishes for an endpoint: USD per {@code unit} (image, megapixel, second, video, ...). */
    public record FalPrice(String endpointId, BigDecimal unitPrice, String unit, String currency) {
    }

    /**
     * One billing event: what fal charged for one request.
     *
     * @param costUsd fal's {@code cost_estimate_nano_usd} / 10^9, exact
     */
    public record FalBillingEvent(String requestId, String endpointId, Instant timestamp, BigDecimal outputUnits,
                                  BigDecimal unitPrice, BigDecimal percentDiscount, BigDecimal costUsd) {
    }

    /** The account's credit balance ({@code GET /account/billing?expand=credits}). */
    public record FalBalance(String username, BigDecimal currentBalance, String currency) {
    }

    private final FalPlatformConfig config;
    private final FalConfig fal;
    private final FalUpstream upstream;
    private final HttpClient http;

    public FalPlatformClient(FalPlatformConfig config, FalConfig fal, FalUpstream upstream) {
        this.config = config;
        this.fal = fal;
        this.upstream = upstream;
        this.http = HttpClient.newBuilder().connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** fal's current prices of these endpoints (asked 50 at a time); an endpoint fal does not price is absent. */
    public Map<String, FalPrice> prices(Collection<String> endpointIds) {
        Map<String, FalPrice> out = new LinkedHashMap<>();
        List<String> ids = List.copyOf(endpointIds);
        for (int from = 0; from < ids.size(); from += PRICING_BATCH) {
            StringJoiner batch = new StringJoiner(",");
            ids.subList(from, Math.min(ids.size(), from + PRICING_BATCH)).forEach(batch::add);
            String cursor = null;
            int pages = 0;
            do {
                JsonNode page = get("/models/pricing", query("endpoint_id", batch.toString(), "cursor", cursor));
                for (JsonNode p : array(page, "prices", "/models/pricing")) {
                    FalPrice price = new FalPrice(text(p, "endpoint_id"), decimal(p, "unit_price"), text(p, "unit"),
                            p.path("currency").asText("USD"));
                    if (price.endpointId() != null && price.unitPrice() != null) {
                        out.put(price.endpointId(), price);
                    }
                }
                cursor = nextCursor(page);
            } while (cursor != null && ++pages < MAX_PAGES);
        }
        return out;
    }

    /** Every billing event with a timestamp in [start, end), oldest pages first as fal pages them. */
    public List<FalBillingEvent> billingEvents(Instant start, Instant end) {
        return billingEvents(start, end, key());
    }

    /**
     * The billing events of every fal account of the upstream pool (each read with its own key, see
     * {@link UpstreamAccounts#platformKey}) and of the primary key, once per distinct key. An account whose events
     * cannot be read is skipped with a warning (naming the account, never its key); the primary's failure fails the call.
     */
    public List<FalBillingEvent> billingEventsOfAllAccounts(Instant start, Instant end, UpstreamAccounts accounts) {
        String primary = key();
        List<FalBillingEvent> out = new ArrayList<>(billingEvents(start, end, primary));
        java.util.Set<String> seen = new java.util.HashSet<>(java.util.Set.of(primary));
        for (UpstreamAccounts.Account a : accounts.all()) {
            String key = accounts.platformKey(a.id());
            if (key != null && seen.add(key)) {
                try {
                    out.addAll(billingEvents(start, end, key));
                } catch (ApiException e) {
                    LOG.warnf("fal billing events of upstream account %d (%s) not read: %s", a.id(), a.name(), e.getMessage());
                }
            }
        }
        return out;
    }

    /** The billing events fal lists for the account of {@code key}. */
    public List<FalBillingEvent> billingEvents(Instant start, Instant end, String key) {
        List<FalBillingEvent> out = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = get("/models/billing-events", query("start", start.toString(), "end", end.toString(),
                    "limit", Integer.toString(config.pageSize()), "cursor", cursor), key);
            for (JsonNode e : array(page, "billing_events", "/models/billing-events")) {
                String requestId = text(e, "request_id");
                BigDecimal nano = decimal(e, "cost_estimate_nano_usd");
                Instant at = instant(e, "timestamp");
                if (requestId == null || nano == null || at == null) {
                    throw malformed("/models/billing-events", "an event without request_id, timestamp or cost_estimate_nano_usd");
                }
                BigDecimal units = decimal(e, "output_units");
                out.add(new FalBillingEvent(requestId, text(e, "endpoint_id"), at, units == null ? BigDecimal.ZERO : units,
                        decimal(e, "unit_price"), decimal(e, "percent_discount"), nano.movePointLeft(9)));
            }
            cursor = nextCursor(page);
        } while (cursor != null && ++pages < MAX_PAGES);
        return out;
    }

    /** The operator's fal credit balance. */
    public FalBalance balance() {
        return balance(key());
    }

    /** The credit balance of the fal account of {@code key} (an upstream account's, see {@link UpstreamRecovery}). */
    public FalBalance balance(String key) {
        JsonNode body = get("/account/billing", query("expand", "credits"), key);
        BigDecimal balance = decimal(body.path("credits"), "current_balance");
        if (balance == null) {
            throw malformed("/account/billing", "no credits.current_balance");
        }
        return new FalBalance(text(body, "username"), balance, body.path("credits").path("currency").asText("USD"));
    }

    private JsonNode get(String path, String query) {
        return get(path, query, key());
    }

    private JsonNode get(String path, String query, String key) {
        String base = upstream.platformUrl(config);
        URI uri = URI.create(UrlRewriter.stripSlash(base) + path + query);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(config.timeout())
                .header("Authorization", "Key " + key)
                .header("Accept", "application/json")
                .GET().build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            LOG.warnf("fal Platform API %s: %s", path, e.getClass().getSimpleName());
            throw error(path, "could not be reached (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw error(path, "was interrupted");
        }
        if (response.statusCode() / 100 != 2) {
            throw error(path, "answered HTTP " + response.statusCode());
        }
        try {
            JsonNode body = JSON.readTree(response.body());
            if (body == null || !body.isObject()) {
                throw malformed(path, "not a JSON object");
            }
            return body;
        } catch (IOException e) {
            throw malformed(path, "not JSON");
        }
    }

    private String key() {
        return config.key().filter(k -> !k.isBlank())
                .orElseGet(() -> FalClient.operatorKey(fal.upstream(), fal.key(), upstream.requiredKey()));
    }

    /** "?a=1&b=2" of the pairs whose value is not null ("" when none). */
    static String query(String... pairs) {
        StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                q.add(pairs[i] + "=" + URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
            }
        }
        return q.toString();
    }

    private static Iterable<JsonNode> array(JsonNode page, String field, String path) {
        JsonNode list = page.get(field);
        if (list == null || !list.isArray()) {
            throw malformed(path, "no " + field + " list");
        }
        return list;
    }

    private static String nextCursor(JsonNode page) {
        JsonNode next = page.get("next_cursor");
        boolean more = page.path("has_more").asBoolean(next != null && !next.isNull());
        return more && next != null && next.isTextual() && !next.asText().isEmpty() ? next.asText() : null;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** An exact decimal from a JSON number or a numeric string; null when absent. */
    private static BigDecimal decimal(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isNumber()) {
            return v.decimalValue();
        }
        try {
            return v.isTextual() ? new BigDecimal(v.asText().trim()) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Instant instant(JsonNode node, String field) {
        String v = text(node, field);
        try {
            return v == null ? null : java.time.OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static ApiException error(String path, String what) {
        return new ApiException(502, "fal_platform_error", "fal's Platform API (" + path + ") " + what + ".");
    }

    private static ApiException malformed(String path, String what) {
        return error(path, "answered in an unexpected shape: " + what);
    }
}
