package io.creditproxy.fal;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.creditproxy.fal.FalPlatformClient.FalBalance;
import io.creditproxy.observability.Metrics;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The operator's fal credit balance: read from fal's Platform API every {@code fal-platform.balance-interval}, exported
 * as the gauge {@code creditproxy_fal_balance_usd}, shown on the console. Below {@code fal-platform.low-balance-usd}
 * it logs a warning, at most once per {@code fal-platform.low-balance-warn-every} while it stays low (fal locks an
 * account whose credit runs out, and then every submit fails).
 */
@ApplicationScoped
public class FalBalanceMonitor {

    private static final Logger LOG = Logger.getLogger(FalBalanceMonitor.class);

    /**
     * The last reading.
     *
     * @param balanceUsd null when fal could not be read (then {@code error} says why)
     * @param low        the balance is below the configured threshold
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Reading(String username, @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal balanceUsd,
                          String currency, Instant readAt,
                          @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal lowBalanceUsd, boolean low, String error) {
    }

    private final FalPlatformClient platform;
    private final FalPlatformConfig config;
    private final Metrics metrics;
    private final Clock clock;
    private final AtomicReference<Reading> last = new AtomicReference<>();
    private volatile Instant lastWarned;

    public FalBalanceMonitor(FalPlatformClient platform, FalPlatformConfig config, Metrics metrics) {
        this.platform = platform;
        this.config = config;
        this.metrics = metrics;
        this.clock = Clock.systemUTC();
    }

    @Scheduled(identity = "fal-balance", every = "${fal-platform.balance-interval}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        refresh();
    }

    /** The last reading; reads fal first when there is none yet. */
    public Reading current() {
        Reading r = last.get();
        return r == null ? refresh() : r;
    }

    /** Reads the balance now. A failure keeps the last balance (and says so); it never throws. */
    public Reading refresh() {
        BigDecimal threshold = config.lowBalanceUsd().orElse(null);
        Instant now = clock.instant();
        Reading reading;
        try {
            FalBalance b = platform.balance();
            boolean low = threshold != null && b.currentBalance().compareTo(threshold) < 0;
            reading = new Reading(b.username(), b.currentBalance(), b.currency(), now, threshold, low, null);
            metrics.falBalance(b.currentBalance());
            warnIfLow(reading, now);
        } catch (RuntimeException e) {
            Reading before = last.get();
            LOG.warnf("fal balance not read: %s", e.getMessage());
            reading = before == null
                    ? new Reading(null, null, null, null, threshold, false, e.getMessage())
                    : new Reading(before.username(), before.balanceUsd(), before.currency(), before.readAt(), threshold,
                    before.low(), e.getMessage());
        }
        last.set(reading);
        return reading;
    }

    private void warnIfLow(Reading r, Instant now) {
        if (!r.low()) {
            lastWarned = null;
            return;
        }
        Instant warned = lastWarned;
        if (warned == null || !now.isBefore(warned.plus(config.lowBalanceWarnEvery()))) {
            lastWarned = now;
            LOG.warnf("fal credit balance is low: %s %s, below the threshold of %s USD (FAL_LOW_BALANCE_USD); "
                    + "top up at fal before fal locks the account", r.balanceUsd().toPlainString(), r.currency(),
                    r.lowBalanceUsd().toPlainString());
        }
    }
}
