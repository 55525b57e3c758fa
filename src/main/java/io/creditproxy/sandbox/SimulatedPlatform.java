package io.creditproxy.sandbox;

import static io.creditproxy.sandbox.SimulatorHttp.detail;
import static io.creditproxy.sandbox.SimulatorHttp.json;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * fal's Platform API ({@code https://api.fal.ai/v1}) as the simulator serves it under {@code /v1}, from its own
 * requests and prices: {@code GET /v1/models/pricing} (prices per endpoint), {@code GET /v1/models/billing-events}
 * (one event per request it ran, paged with a cursor) and {@code GET /v1/account/billing} (the credit balance: a
 * starting amount minus everything billed). Prices start as the shipped price list ({@code pricing/models.csv}) and
 * can be changed at runtime ({@link #setPrice}), as fal changes its own: a request is billed at the price in force
 * when it completed. What is billed: a completed run with output, {@code X-Fal-Billable-Units} units of it (never an
 * error or a request cancelled while queued).
 */
final class SimulatedPlatform {

    static final String PREFIX = "/v1/";
    static final BigDecimal DEFAULT_BALANCE = new BigDecimal("1000");
    private static final int MAX_PAGE = 10_000;
    private static final int DEFAULT_PAGE = 50;

    /** A price: USD per unit (the unit as the table names it: image, second, clip, ...). */
    record Price(String unit, BigDecimal unitPrice) {
    }

    /** What fal billed for one request, fixed once billed. */
    record Billed(String requestId, String endpointId, Instant at, BigDecimal units, BigDecimal unitPrice, String ownerKey) {
        BigDecimal costUsd() {
            return units.multiply(unitPrice);
        }
    }

    private final Supplier<Iterable<SimulatedRequest>> requests;
    private final Map<String, Price> startingPrices;
    private final Map<String, Price> prices = new ConcurrentHashMap<>();
    private final Map<String, Billed> billed = new ConcurrentHashMap<>();
    private volatile BigDecimal startingBalance = DEFAULT_BALANCE;

    private final SimulatedAccounts accounts;

    SimulatedPlatform(Supplier<Iterable<SimulatedRequest>> requests, SimulatedAccounts accounts) {
        this.accounts = accounts;
        this.requests = requests;
        this.startingPrices = Map.copyOf(shippedPrices());
        prices.putAll(startingPrices);
    }

    // ---- hooks for tests ---------------------------------------------------------------------------------------

    /** fal changes a price (null: fal stops pricing, and billing, the endpoint); requests completed until now keep the old one. */
    synchronized void setPrice(String endpointId, String unit, BigDecimal unitPrice) {
        billCompleted();
        if (unitPrice == null) {
            prices.remove(endpointId);
        } else {
            prices.put(endpointId, new Price(unit, unitPrice));
        }
    }

    Map<String, Price> prices() {
        return Map.copyOf(prices);
    }

    /** The credit the account started with (the balance is this minus everything billed). */
    void setStartingBalance(BigDecimal balance) {
        startingBalance = balance;
    }

    synchronized BigDecimal balance() {
        billCompleted();
        BigDecimal spent = billed.values().stream().map(Billed::costUsd).reduce(BigDecimal.ZERO, BigDecimal::add);
        return startingBalance.subtract(spent);
    }

    /** The billing events so far (what fal billed), every request that completed with output. */
    synchronized List<Billed> billed() {
        billCompleted();
        return List.copyOf(billed.values());
    }

    void reset() {
        billed.clear();
        prices.clear();
        prices.putAll(startingPrices);
        startingBalance = DEFAULT_BALANCE;
    }

    // ---- HTTP --------------------------------------------------------------------------------------------------

    /** Serves a path under {@code /v1/}; the key was checked by the caller. */
    void handle(HttpServerRequest req, String path, String key) {
        if (req.method() != HttpMethod.GET) {
            detail(req.response(), 405, "Method Not Allowed");
            return;
        }
        switch (path) {
            case "/v1/models/pricing" -> pricing(req);
            case "/v1/models/billing-events" -> billingEvents(req, key);
            case "/v1/account/billing" -> account(req, key);
            default -> detail(req.response(), 404, "Not Found");
        }
    }

    private void pricing(HttpServerRequest req) {
        Set<String> ids = listParam(req, "endpoint_id");
        if (ids.isEmpty() || ids.size() > 50) {
            invalid(req, "endpoint_id", "Provide 1-50 endpoint ids");
            return;
        }
        JsonArray out = new JsonArray();
        for (String id : ids) {
            Price p = prices.get(id);
            if (p != null) {
                out.add(new JsonObject().put("endpoint_id", id).put("unit_price", p.unitPrice()).put("unit", p.unit())
                        .put("currency", "USD"));
            }
        }
        json(req.response(), 200, new JsonObject().put("prices", out).put("next_cursor", (String) null)
                .put("has_more", false).encode());
    }

    /** An account sees its own requests' events; the plain account those of every key that is not an account. */
    private boolean visibleTo(Billed b, String key) {
        return accounts.sees(key, b.ownerKey());
    }

    private void billingEvents(HttpServerRequest req, String key) {
        Instant now = Instant.now();
        Instant start;
        Instant end;
        int limit;
        int offset;
        try {
            start = instant(req.getParam("start"), now.minusSeconds(24 * 3600));
            end = instant(req.getParam("end"), now);
        } catch (DateTimeParseException e) {
            invalid(req, "start", "Dates must be ISO 8601");
            return;
        }
        try {
            limit = req.getParam("limit") == null ? DEFAULT_PAGE : Integer.parseInt(req.getParam("limit"));
            String cursor = req.getParam("cursor");
            offset = cursor == null ? 0
                    : Integer.parseInt(new String(Base64.getDecoder().decode(cursor), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            invalid(req, "limit", "limit and cursor must be valid");
            return;
        }
        if (limit < 1 || offset < 0) {
            invalid(req, "limit", "limit must be at least 1");
            return;
        }
        limit = Math.min(limit, MAX_PAGE);
        Set<String> endpoints = listParam(req, "endpoint_id");
        Set<String> requestIds = listParam(req, "request_id");
        List<Billed> events = new ArrayList<>();
        for (Billed b : billed()) {
            if (!b.at().isBefore(start) && b.at().isBefore(end)
                    && (endpoints.isEmpty() || endpoints.contains(b.endpointId()))
                    && (requestIds.isEmpty() || requestIds.contains(b.requestId())) && visibleTo(b, key)) {
                events.add(b);
            }
        }
        // newest first, as fal lists them
        events.sort(Comparator.comparing(Billed::at).reversed().thenComparing(Billed::requestId));
        JsonArray page = new JsonArray();
        for (int i = offset; i < Math.min(events.size(), offset + limit); i++) {
            Billed b = events.get(i);
            page.add(new JsonObject()
                    .put("request_id", b.requestId())
                    .put("endpoint_id", b.endpointId())
                    .put("timestamp", OffsetDateTime.ofInstant(b.at(), ZoneOffset.UTC).toString())
                    .put("output_units", b.units())
                    .put("unit_price", b.unitPrice())
                    .put("percent_discount", (Object) null)
                    .put("cost_estimate_nano_usd", b.costUsd().movePointRight(9).toBigInteger()));
        }
        boolean more = offset + limit < events.size();
        String next = more ? Base64.getEncoder().encodeToString(Integer.toString(offset + limit).getBytes(StandardCharsets.UTF_8)) : null;
        json(req.response(), 200, new JsonObject().put("billing_events", page).put("next_cursor", next)
                .put("has_more", more).encode());
    }

    private void account(HttpServerRequest req, String key) {
        boolean account = accounts.registered(key);
        JsonObject body = new JsonObject().put("username", account ? "sandbox-account-" + Integer.toHexString(key.hashCode())
                : "sandbox-user");
        if (listParam(req, "expand").contains("credits")) {
            BigDecimal balance = account ? accounts.balance(key).orElse(BigDecimal.ZERO) : balance();
            body.put("credits", new JsonObject().put("current_balance", balance).put("currency", "USD"));
        }
        json(req.response(), 200, body.encode());
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /** Bills every request that has completed with output and is not billed yet, at the price in force now. */
    private void billCompleted() {
        long now = System.currentTimeMillis();
        for (SimulatedRequest r : requests.get()) {
            if (billed.containsKey(r.id) || r.phase(now) != SimulatedRequest.Phase.COMPLETED) {
                continue;
            }
            ModelOutputs.Outcome outcome = r.finalOutcome();
            Price price = prices.get(r.modelId);
            if (!outcome.ok() || outcome.billableUnits() <= 0 || price == null) {
                continue;
            }
            billed.put(r.id, new Billed(r.id, r.modelId, Instant.ofEpochMilli(r.endsAt()),
                    BigDecimal.valueOf(outcome.billableUnits()), price.unitPrice(), r.ownerKey));
        }
    }

    /** A parameter given as a comma list and/or repeated. */
    private static Set<String> listParam(HttpServerRequest req, String name) {
        Set<String> out = new LinkedHashSet<>();
        for (String v : req.params().getAll(name)) {
            for (String part : v.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
        }
        return out;
    }

    private static Instant instant(String value, Instant otherwise) {
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        return value.length() == 10 ? java.time.LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
                : OffsetDateTime.parse(value).toInstant();
    }

    private static void invalid(HttpServerRequest req, String field, String message) {
        json(req.response(), 422, new JsonObject().put("detail", new JsonArray()
                .add(ModelOutputs.detail("query", field, message, "value_error", null))).encode());
    }

    /** id, unit and usd_price of the price list shipped with the application (empty when it is not on the classpath). */
    private static Map<String, Price> shippedPrices() {
        Map<String, Price> out = new ConcurrentHashMap<>();
        try (InputStream in = SimulatedPlatform.class.getClassLoader().getResourceAsStream("pricing/models.csv")) {
            if (in == null) {
                return out;
            }
            Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8);
            for (CSVRecord r : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader)) {
                String price = r.isMapped("usd_price") ? r.get("usd_price").trim() : "";
                if (!price.isEmpty()) {
                    out.put(r.get("id").trim(), new Price(r.get("unit").trim(), new BigDecimal(price)));
                }
            }
        } catch (IOException | RuntimeException e) {
            System.getLogger(SimulatedPlatform.class.getName()).log(System.Logger.Level.WARNING,
                    "sandbox: the shipped price list could not be read; the Platform API starts with no prices", e);
        }
        return out;
    }
}
