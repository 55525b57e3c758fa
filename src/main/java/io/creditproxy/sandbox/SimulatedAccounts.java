package io.creditproxy.sandbox;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Several simulated fal accounts, each a key with a credit balance (USD) that accepted submits consume at fal's price
 * of their input ({@link FalBilling}). An account whose balance is at or below zero is locked, and answers every
 * submit as fal does: {@code 403 {"detail":"User is locked. Reason: Exhausted balance"}}. A key that is not
 * registered here is the simulator's plain account (unlimited, as before accounts existed). The keys that asked about
 * requests are counted, so a test can tell which account polled.
 */
final class SimulatedAccounts {

    /** fal's answer to a submit of a locked account whose credit ran out (fal-queue-api.md, "Auth"). */
    static final String EXHAUSTED = "User is locked. Reason: Exhausted balance";

    private final Map<String, BigDecimal> balances = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> requestCalls = new ConcurrentHashMap<>();

    void add(String key, BigDecimal usd) {
        balances.put(key, usd);
    }

    boolean registered(String key) {
        return key != null && balances.containsKey(key);
    }

    /**
     * Whether a key may see what another key created (a request, a billing event): an account sees only its own; every
     * key that is not an account is the one plain account, as before accounts existed, and sees what such keys created.
     */
    boolean sees(String askingKey, String ownerKey) {
        return registered(askingKey) ? askingKey.equals(ownerKey) : !registered(ownerKey);
    }

    /** False when the key is a registered account with no credit left (locked). */
    boolean unlocked(String key) {
        BigDecimal b = key == null ? null : balances.get(key);
        return b == null || b.signum() > 0;
    }

    /** An accepted submit's price, taken from the account's balance (it may go below zero, as at fal). */
    void consume(String key, BigDecimal usd) {
        if (key != null && usd != null) {
            balances.computeIfPresent(key, (k, b) -> b.subtract(usd));
        }
    }

    void topUp(String key, BigDecimal usd) {
        balances.computeIfPresent(key, (k, b) -> b.add(usd));
    }

    Optional<BigDecimal> balance(String key) {
        return Optional.ofNullable(key == null ? null : balances.get(key));
    }

    /** A status, result, cancel or stream request made with this key. */
    void askedWith(String key) {
        if (key != null) {
            requestCalls.computeIfAbsent(key, k -> new LongAdder()).increment();
        }
    }

    long requestCalls(String key) {
        LongAdder n = requestCalls.get(key);
        return n == null ? 0 : n.sum();
    }

    void reset() {
        balances.clear();
        requestCalls.clear();
    }
}
