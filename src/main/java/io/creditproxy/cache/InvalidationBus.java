package io.creditproxy.cache;

import io.creditproxy.common.OutsideTransaction;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Tells every instance that something it caches in process changed. {@link #publish} fires the
 * {@link Invalidation} event here at once and, once the caller's transaction has committed (so that no instance
 * reloads the old row), again here and on every other instance through Redis pub/sub. Caches observe the event
 * and also keep a short TTL, the safety net for a message lost while Redis was away.
 */
@ApplicationScoped
public class InvalidationBus {

    private static final Logger LOG = Logger.getLogger(InvalidationBus.class);

    private final ReactiveRedisDataSource redis;
    private final TransactionSynchronizationRegistry txRegistry;
    private final Event<Invalidation> local;
    private final Vertx vertx;
    private final CacheConfig config;
    private final String redisUrl;
    private final String channel;
    private InvalidationSubscriber subscriber;

    public InvalidationBus(ReactiveRedisDataSource redis, TransactionSynchronizationRegistry txRegistry,
                           Event<Invalidation> local, Vertx vertx, CacheConfig config,
                           @ConfigProperty(name = "quarkus.redis.hosts") String redisHosts) {
        this.redis = redis;
        this.txRegistry = txRegistry;
        this.local = local;
        this.vertx = vertx;
        this.config = config;
        this.redisUrl = redisHosts.split(",")[0].trim();
        this.channel = channelFor(config.channel(), redisUrl);
    }

    void onStart(@Observes StartupEvent event) {
        subscriber = newSubscriber(this::deliverLocally);
        subscriber.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        if (subscriber != null) {
            subscriber.stop();
        }
    }

    /** Invalidates here now, and everywhere after the current transaction commits (at once when there is none). */
    public void publish(Invalidation invalidation) {
        deliverLocally(invalidation);
        if (txRegistry.getTransactionStatus() == Status.STATUS_ACTIVE) {
            txRegistry.registerInterposedSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                }

                @Override
                public void afterCompletion(int status) {
                    if (status == Status.STATUS_COMMITTED) {
                        deliverLocally(invalidation);
                        send(invalidation);
                    }
                }
            });
        } else {
            send(invalidation);
        }
    }

    /**
     * A subscriber to this application's channel that hands messages to {@code handler}: the application's own,
     * or (in tests) one standing for another instance.
     */
    public InvalidationSubscriber newSubscriber(java.util.function.Consumer<Invalidation> handler) {
        return new InvalidationSubscriber(vertx, redisUrl, channel, config.reconnectInterval(), handler,
                () -> handler.accept(Invalidation.all()));
    }

    public String channel() {
        return channel;
    }

    public boolean isSubscribed() {
        return subscriber != null && subscriber.isSubscribed();
    }

    private void deliverLocally(Invalidation invalidation) {
        local.fire(invalidation);
    }

    private void send(Invalidation invalidation) {
        OutsideTransaction.start(() -> redis.pubsub(String.class).publish(channel, invalidation.encode())
                .subscribe().with(ignored -> {
                }, failure -> LOG.warnf("cache invalidation: could not publish %s (%s); other instances catch up within their cache TTL",
                        invalidation.encode(), failure.getClass().getSimpleName())));
    }

    /** "cp:invalidate:1" for redis://host:6379/1 (database 0 when the URL names none). */
    static String channelFor(String prefix, String redisUrl) {
        String db = "0";
        try {
            String path = java.net.URI.create(redisUrl).getPath();
            if (path != null && path.length() > 1) {
                db = path.substring(1);
            }
        } catch (IllegalArgumentException e) {
            // keep database 0
        }
        return prefix + ":" + db;
    }
}
