package io.creditproxy.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one facade through which the application records Prometheus metrics (names below, without the
 * registry's _total/_seconds suffixes). Other packages call it; none of them needs Micrometer directly.
 * Money counters move only when the transaction that moved the money commits.
 */
@ApplicationScoped
public class Metrics {

    static final String REQUESTS = "creditproxy.requests";
    static final String UPSTREAM = "creditproxy.upstream.latency";
    static final String CREDITS = "creditproxy.credits";
    static final String SETTLEMENTS = "creditproxy.settlements";
    static final String WEBHOOKS = "creditproxy.webhook.deliveries";
    static final String OPEN_JOBS = "creditproxy.jobs.open";
    static final String GHOSTS = "creditproxy.ghost.jobs";
    static final String FAL_BALANCE = "creditproxy.fal.balance.usd";
    static final String KEPT_RESULTS = "creditproxy.results.kept";
    static final String UPSTREAM_STATES = "creditproxy.upstream.state.changes";
    static final String UPSTREAM_FAILOVERS = "creditproxy.upstream.failovers";

    private final MeterRegistry registry;
    private final TransactionSynchronizationRegistry transactions;
    private final int maxModelLabels;
    private final Set<String> modelLabels = ConcurrentHashMap.newKeySet();
    /** Timers by their labels (bounded: routes, statuses and at most max-model-labels models). */
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final AtomicLong openJobs = new AtomicLong();
    /** The operator's fal credit balance as last read (NaN until read). A gauge, not money: never summed. */
    private final AtomicReference<BigDecimal> falBalance =
            new AtomicReference<>();

    public Metrics(MeterRegistry registry, TransactionSynchronizationRegistry transactions, ObservabilityConfig config) {
        this.registry = registry;
        this.transactions = transactions;
        this.maxModelLabels = config.maxModelLabels();
        registry.gauge(OPEN_JOBS, openJobs);
        Gauge.builder(FAL_BALANCE, falBalance, b -> b.get() == null ? Double.NaN : b.get().doubleValue())
                .description("The operator's fal credit balance in USD, as fal's Platform API last reported it")
                .register(registry);
    }

    /** One answered request: route (submit, status, result, cancel, stream, tenant, admin, webhook), model, status. */
    public void request(String route, String model, int status, long nanos) {
        String label = modelLabel(model);
        // one lookup per request: building tags and registering a meter sorts and hashes them every time
        timers.computeIfAbsent(route + '\n' + label + '\n' + status, k -> Timer.builder(REQUESTS)
                        .description("Answered requests by route, model and HTTP status")
                        .tag("route", route).tag("model", label).tag("status", Integer.toString(status))
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** One call to fal (or the sandbox): operation (submit, status, result, cancel) and outcome (HTTP status or error). */
    public void upstream(String operation, String outcome, long nanos) {
        timers.computeIfAbsent(UPSTREAM + '\n' + operation + '\n' + outcome, k -> Timer.builder(UPSTREAM)
                        .description("Latency of calls to the fal upstream")
                        .tag("operation", operation).tag("outcome", outcome)
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * A ledger movement of a job: reserve, refund (a whole hold back) or release (the unused part of a posted hold),
     * counted as positive credits when the caller's transaction commits.
     */
    public void ledgerMovement(String kind, long amount) {
        String flow = switch (kind) {
            case "reserve" -> "reserved";
            case "refund", "release" -> "refunded";
            default -> null;
        };
        if (flow != null) {
            afterCommit(() -> credits(flow, Math.abs(amount)));
        }
    }

    /**
     * A settled hold (for settlement code): outcome posted, voided or kept_for_review; source webhook, poll,
     * reconciler or submit. Charged credits count as "posted". Counted when the settlement commits.
     */
    public void settled(String outcome, String source, long charged) {
        afterCommit(() -> {
            Counter.builder(SETTLEMENTS).description("Settled holds by outcome and source")
                    .tag("outcome", outcome).tag("source", source).register(registry).increment();
            if (charged > 0) {
                credits("posted", charged);
            }
        });
    }

    /**
     * A ghost job recorded (for settlement code): refunded as refused or unreachable, but fal ran it; source webhook
     * or reconciler. Counted when the transaction that recorded it commits.
     */
    public void ghost(String source) {
        afterCommit(() -> Counter.builder(GHOSTS).description("Refunded jobs that fal ran anyway (ghosts), by source")
                .tag("source", source).register(registry).increment());
    }

    /** A tenant webhook attempt (for the outbox): result delivered or attempt_failed; given_up when retries end. */
    public void webhookDelivery(String result) {
        Counter.builder(WEBHOOKS).description("Tenant webhook delivery attempts by result")
                .tag("result", result).register(registry).increment();
    }

    /**
     * A COMPLETED job's final result at settlement (billing/KeptResults): outcome {@code inline}, {@code file},
     * {@code too_large} (not kept), {@code failed} (not kept: the file could not be written). Counted on commit.
     */
    public void resultKept(String outcome) {
        afterCommit(() -> Counter.builder(KEPT_RESULTS).description("Final results kept after fal's retention, by outcome")
                .tag("outcome", outcome).register(registry).increment());
    }

    /** An upstream account changed state (disabled, cooling_down, enabled), by the proxy itself. */
    public void upstreamState(String account, String state) {
        Counter.builder(UPSTREAM_STATES).description("Upstream fal accounts' state changes made by the proxy, by account and new state")
                .tag("account", account).tag("state", state).register(registry).increment();
    }

    /** A submit that fal refused for a reason of the account was tried on another account (or had none left). */
    public void upstreamFailover(String reason, boolean taken) {
        Counter.builder(UPSTREAM_FAILOVERS).description("Submits moved to another fal account after an account refusal")
                .tag("reason", reason).tag("outcome", taken ? "taken" : "no_account_left").register(registry).increment();
    }

    /** The operator's fal credit balance (USD), read from fal's Platform API. */
    public void falBalance(BigDecimal usd) {
        falBalance.set(usd);
    }

    public void openJobs(long count) {
        openJobs.set(count);
    }

    private void credits(String flow, long amount) {
        Counter.builder(CREDITS).description("Credits reserved, posted and refunded").baseUnit("credits")
                .tag("flow", flow).register(registry).increment(amount);
    }

    private String modelLabel(String model) {
        if (model == null || model.isEmpty()) {
            return "none";
        }
        if (modelLabels.contains(model)) {
            return model;
        }
        if (modelLabels.size() < maxModelLabels && model.length() <= 120) {
            modelLabels.add(model);
            return model;
        }
        return "other";
    }

    private void afterCommit(Runnable action) {
        try {
            if (transactions.getTransactionStatus() == Status.STATUS_ACTIVE) {
                transactions.registerInterposedSynchronization(new Synchronization() {
                    @Override
                    public void beforeCompletion() {
                    }

                    @Override
                    public void afterCompletion(int status) {
                        if (status == Status.STATUS_COMMITTED) {
                            action.run();
                        }
                    }
                });
                return;
            }
        } catch (RuntimeException e) {
            // no usable transaction: count at once
        }
        action.run();
    }
}
