package io.creditproxy.cache;

import com.github.benmanes.caffeine.cache.AsyncCacheLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A Caffeine loader for refresh-ahead that reads in bulk: every entry due for a refresh queues its id, and one task,
 * started {@code gather} after the first id of a batch arrived, reads them all (up to {@code maxBatch} ids a query)
 * and completes them. A busy cache thus refreshes all its entries with a few queries a second instead of one query
 * per entry; nobody waits for a refresh (the old value is served meanwhile), so the delay costs nothing as long as it
 * is well inside the entries' lifetime. Misses are not loaded here but by the caller ({@link Caches#get}). An id the
 * query does not return completes with null (Caffeine then drops the entry).
 */
public final class BatchLoader<K, V> implements AsyncCacheLoader<K, V> {

    private record Pending<K, V>(K key, CompletableFuture<V> result) {
    }

    private final Function<List<K>, Map<K, V>> loadAll;
    private final Executor later;
    private final int maxBatch;
    private final Queue<Pending<K, V>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();

    /**
     * @param loadAll reads the rows of the given ids (on a worker thread, as its own transaction)
     * @param gather  how long the first id of a batch waits for others
     */
    public BatchLoader(Function<List<K>, Map<K, V>> loadAll, Executor executor, Duration gather, int maxBatch) {
        this.loadAll = loadAll;
        this.later = CompletableFuture.delayedExecutor(gather.toMillis(), TimeUnit.MILLISECONDS, executor);
        this.maxBatch = maxBatch;
    }

    @Override
    public CompletableFuture<V> asyncLoad(K key, Executor ignored) {
        CompletableFuture<V> result = new CompletableFuture<>();
        queue.add(new Pending<>(key, result));
        if (draining.compareAndSet(false, true)) {
            later.execute(this::drain);
        }
        return result;
    }

    @Override
    public CompletableFuture<V> asyncReload(K key, V oldValue, Executor ignored) {
        return asyncLoad(key, ignored);
    }

    private void drain() {
        while (true) {
            Map<K, List<CompletableFuture<V>>> batch = new LinkedHashMap<>();
            Pending<K, V> p;
            while (batch.size() < maxBatch && (p = queue.poll()) != null) {
                batch.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(p.result());
            }
            if (batch.isEmpty()) {
                draining.set(false);
                // an id queued after the last poll but before the flag was cleared must not wait for the next one
                if (queue.isEmpty() || !draining.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            try {
                Map<K, V> rows = loadAll.apply(new ArrayList<>(batch.keySet()));
                batch.forEach((key, waiting) -> waiting.forEach(f -> f.complete(rows.get(key))));
            } catch (RuntimeException | Error e) {
                batch.values().forEach(waiting -> waiting.forEach(f -> f.completeExceptionally(e)));
            }
        }
    }
}
