package io.creditproxy.cache;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * One instance's subscription to the invalidation channel, on a dedicated Redis connection (pub/sub cannot share
 * the pooled ones). A closed or failed connection is noticed and re-opened every {@code reconnectInterval}; every
 * (re)subscription first calls {@code onResync}, because messages published while it was away are lost.
 * A plain class rather than a bean, so that a test can run a second one as "another instance".
 */
public class InvalidationSubscriber {

    private static final Logger LOG = Logger.getLogger(InvalidationSubscriber.class);

    private final Vertx vertx;
    private final RedisOptions options;
    private final String channel;
    private final Consumer<Invalidation> onMessage;
    private final Runnable onResync;
    private final long intervalMs;
    private Redis client;
    private volatile RedisConnection connection;
    private volatile boolean connecting;
    private volatile boolean stopped;
    private volatile boolean warned;
    private long timerId = -1;

    public InvalidationSubscriber(Vertx vertx, String redisUrl, String channel, Duration reconnectInterval,
                                  Consumer<Invalidation> onMessage, Runnable onResync) {
        this.vertx = vertx;
        this.options = new RedisOptions().setConnectionString(redisUrl);
        this.channel = channel;
        this.onMessage = onMessage;
        this.onResync = onResync;
        this.intervalMs = Math.max(50, reconnectInterval.toMillis());
    }

    public synchronized void start() {
        stopped = false;
        client = Redis.createClient(vertx, options);
        connect();
        timerId = vertx.setPeriodic(intervalMs, id -> {
            if (connection == null && !connecting && !stopped) {
                connect();
            }
        });
    }

    public synchronized void stop() {
        stopped = true;
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
        }
        RedisConnection c = connection;
        connection = null;
        if (c != null) {
            c.close();
        }
        if (client != null) {
            client.close();
        }
    }

    /** true while subscribed */
    public boolean isSubscribed() {
        return connection != null;
    }

    private void connect() {
        connecting = true;
        client.connect()
                .compose(c -> {
                    c.handler(this::onResponse);
                    c.exceptionHandler(t -> lost(c, t));
                    c.endHandler(v -> lost(c, null));
                    return c.send(Request.cmd(Command.SUBSCRIBE).arg(channel)).map(r -> c);
                })
                .onSuccess(c -> {
                    connecting = false;
                    if (stopped) {
                        c.close();
                        return;
                    }
                    connection = c;
                    if (warned) {
                        LOG.infof("cache invalidation: subscribed to %s again", channel);
                    }
                    warned = false;
                    // whatever was published while we were not listening is lost: start over
                    onResync.run();
                })
                .onFailure(t -> {
                    connecting = false;
                    if (!warned) {
                        LOG.warnf("cache invalidation: cannot subscribe to Redis (%s); caches rely on their TTL until it is back",
                                t.getClass().getSimpleName());
                        warned = true;
                    }
                });
    }

    private void lost(RedisConnection c, Throwable t) {
        if (connection == c) {
            connection = null;
            if (!stopped && !warned) {
                LOG.warnf("cache invalidation: subscription lost (%s); reconnecting", t == null ? "closed" : t.getClass().getSimpleName());
                warned = true;
            }
        }
    }

    private void onResponse(Response r) {
        if (stopped) {
            // closing the connection is asynchronous: a message Redis sent before it saw the close is not ours anymore
            return;
        }
        // ["message", channel, payload]: RESP2 arrays and RESP3 pushes look the same here
        if (r == null || r.size() < 3 || !"message".equalsIgnoreCase(String.valueOf(r.get(0)))) {
            return;
        }
        Invalidation message = Invalidation.decode(String.valueOf(r.get(2)));
        try {
            onMessage.accept(message == null ? Invalidation.all() : message);
        } catch (RuntimeException e) {
            LOG.warn("cache invalidation: a cache failed to handle a message", e);
        }
    }
}
