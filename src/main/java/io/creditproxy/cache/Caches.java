package io.creditproxy.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;

/** How the proxy reads its Caffeine caches: loading on a miss (worker threads) or from memory only (event loop). */
public final class Caches {

    /**
     * Caffeine's upkeep (expiry, eviction) on the thread that used the cache, a few entries at a time: no hand-off to
     * another pool on every write (the default, the common pool, has one thread on two cores). Loads never run here:
     * misses load on the caller's thread ({@link #get}), refreshes on the worker pool ({@link BatchLoader}).
     */
    public static final Executor UPKEEP = Runnable::run;

    private Caches() {
    }

    /**
     * The value when it is loaded in this process, else null; never waits (an entry still loading counts as absent).
     * Also starts a refresh-ahead when the entry is due.
     */
    public static <K, V> V peek(AsyncCache<K, V> cache, K key) {
        CompletableFuture<V> f = cache.getIfPresent(key);
        if (f == null || !f.isDone() || f.isCompletedExceptionally()) {
            return null;
        }
        return f.getNow(null);
    }

    /**
     * The value, loaded on this thread on a miss (never on the cache's executor: a worker waiting there for a load
     * queued behind it could starve the pool). Another thread's load of the same key is waited for, not repeated. A
     * null value is not kept. An invalidation during the load drops it: the value is returned but not kept.
     */
    public static <K, V> V get(AsyncCache<K, V> cache, K key, Function<K, V> load) {
        CompletableFuture<V> known = cache.getIfPresent(key);
        if (known == null) {
            CompletableFuture<V> mine = new CompletableFuture<>();
            known = cache.asMap().putIfAbsent(key, mine);
            if (known == null) {
                try {
                    V value = load.apply(key);
                    mine.complete(value);
                    return value;
                } catch (RuntimeException | Error e) {
                    mine.completeExceptionally(e);
                    throw e;
                }
            }
        }
        return join(known);
    }

    /** Waits for a load (only on a worker thread); a loader's exception comes out as itself. */
    private static <V> V join(CompletableFuture<V> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
