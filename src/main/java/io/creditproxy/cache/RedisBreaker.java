package io.creditproxy.cache;

import io.creditproxy.common.OutsideTransaction;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

/**
 * The one circuit breaker in front of Redis (SmallRye Fault Tolerance), shared by the limits and the caches: Redis is
 * never the truth, so when it fails the caller does without it (limits fail open, caches fall back to PostgreSQL).
 * One failure opens the breaker; Redis is then left alone for {@code cache.redis-backoff}, after which one trial
 * command decides whether it is back. One warning per outage, one line when it is over.
 */
@ApplicationScoped
public class RedisBreaker {

    private static final Logger LOG = Logger.getLogger(RedisBreaker.class);
    private static final TypeLiteral<Uni<Object>> UNI = new TypeLiteral<>() {
    };

    private final Guard guard;
    private final long backoffMs;
    private final AtomicBoolean down = new AtomicBoolean();

    public RedisBreaker(CacheConfig config) {
        this.backoffMs = config.redisBackoff().toMillis();
        this.guard = Guard.create()
                .withDescription("Redis")
                .withCircuitBreaker()
                .requestVolumeThreshold(1)
                .failureRatio(1.0)
                .successThreshold(1)
                .delay(backoffMs, ChronoUnit.MILLIS)
                .onStateChange(state -> {
                    if (state == CircuitBreakerState.CLOSED && down.compareAndSet(true, false)) {
                        LOG.info("Redis is back: rate and concurrency limits are enforced again, caches use it again");
                    }
                })
                .done()
                .withThreadOffload(false)
                .build();
    }

    /** The command's answer; null when it failed or Redis is being left alone (the caller then does without). */
    @SuppressWarnings("unchecked")
    public <T> T call(Supplier<T> command) {
        try {
            return guard.get(command, (Class<T>) (Class<?>) Object.class);
        } catch (CircuitBreakerOpenException e) {
            return null;
        } catch (RuntimeException e) {
            failed(e);
            return null;
        }
    }

    /**
     * Sends a command without waiting for its answer (nobody on the hot path waits for a cache fill or a slot
     * release), outside the caller's transaction; a failure only counts against Redis.
     */
    @SuppressWarnings("unchecked")
    public void send(Supplier<Uni<?>> command) {
        try {
            OutsideTransaction.start(() -> guard.get(() -> (Uni<Object>) command.get(), UNI).subscribe().with(ignored -> {
            }, failure -> {
                if (!(failure instanceof CircuitBreakerOpenException)) {
                    failed(failure);
                }
            }));
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    /** Logs a failure of Redis once per outage (also for commands sent past the breaker). */
    void failed(Throwable e) {
        if (down.compareAndSet(false, true)) {
            LOG.warnf("Redis unavailable (%s): rate and concurrency limits are NOT enforced and caches use PostgreSQL "
                    + "until it is back (fail open; retried every %d ms)", e.getClass().getSimpleName(), backoffMs);
        }
    }
}
