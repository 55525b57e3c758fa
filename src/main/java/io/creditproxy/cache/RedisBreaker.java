package io.creditproxy.cache;

import io.creditproxy.common.OutsideTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The one circuit breaker in front of Redis, shared by the limits and the caches: Redis is never the truth, so when
 * it fails the caller does without it (limits fail open, caches fall back to PostgreSQL). One failure opens the
 * breaker: Redis is then left alone for {@code cache.redis-backoff}, after which commands are tried again and the
 * first success closes it. One warning per outage, one line when it is over.
 *
 * <p>Deliberately a volatile timestamp rather than SmallRye Fault Tolerance's {@code Guard}: every Redis command of
 * the hot path passes here (the rate limit, the job slot, cache fills), and the Guard's per-call context and
 * synchronized rolling window cost a measured ~30 % of submits per second on one hot tenant (issue 12's
 * bench, before and after). The policy is the same: open on one failure, closed on the first success after the back-off.
 */
@ApplicationScoped
public class RedisBreaker {

    private static final Logger LOG = Logger.getLogger(RedisBreaker.class);

    private final long backoffMs;
    /** Until when (epoch ms) Redis is left alone; 0 when the breaker is closed. */
    private final AtomicLong openUntil = new AtomicLong();
    private final AtomicBoolean down = new AtomicBoolean();

    public RedisBreaker(CacheConfig config) {
        this.backoffMs = config.redisBackoff().toMillis();
    }

    /** The command's answer; null when it failed or Redis is being left alone (the caller then does without). */
    public <T> T call(Supplier<T> command) {
        if (leftAlone()) {
            return null;
        }
        try {
            T answer = command.get();
            succeeded();
            return answer;
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
        if (leftAlone()) {
            return;
        }
        try {
            OutsideTransaction.start(() -> ((Uni<Object>) command.get()).subscribe().with(ignored -> succeeded(), this::failed));
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    /** Whether Redis is being left alone after a failure (the back-off has not run out). */
    private boolean leftAlone() {
        long until = openUntil.get();
        return until != 0 && System.currentTimeMillis() < until;
    }

    private void succeeded() {
        if (openUntil.get() != 0) {
            openUntil.set(0);
        }
        if (down.get() && down.compareAndSet(true, false)) {
            LOG.info("Redis is back: rate and concurrency limits are enforced again, caches use it again");
        }
    }

    /** Opens the breaker for the back-off; logs a failure of Redis once per outage. */
    void failed(Throwable e) {
        openUntil.set(System.currentTimeMillis() + backoffMs);
        if (down.compareAndSet(false, true)) {
            LOG.warnf("Redis unavailable (%s): rate and concurrency limits are NOT enforced and caches use PostgreSQL "
                    + "until it is back (fail open; retried every %d ms)", e.getClass().getSimpleName(), backoffMs);
        }
    }
}
