package io.creditproxy.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** The two ways the proxy reads its Caffeine caches: waiting for a load (worker threads) or not at all (event loop). */
public final class Caches {

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

    /** Waits for a load (only on a worker thread); a loader's exception comes out as itself. */
    public static <V> V join(CompletableFuture<V> future) {
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
