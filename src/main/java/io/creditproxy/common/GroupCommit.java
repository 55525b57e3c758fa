package io.creditproxy.common;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ToLongFunction;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Group commit: callers hand in items and wait; a few lane threads each take everything that is waiting in their
 * lane and write it in one transaction, so N waiting writes cost one commit (one WAL flush) instead of N. Nothing is
 * delayed on purpose: while one batch commits, the next one gathers.
 *
 * <p>An item always goes to the same lane (by {@code laneKey}), so items with the same key are written in the order
 * they came, by one thread, and two lanes never queue on each other's rows. Inside a batch the work decides the
 * statement order (e.g. by tenant id, so that batches of two instances lock rows in the same order).
 *
 * <p>Failures: a transient one (connection lost or killed, deadlock, serialization) before the commit retries the
 * whole batch on a fresh connection; any other failure runs the batch's items one by one, so one bad item fails
 * alone. A failure <em>during</em> the commit leaves the outcome unknown: every item of that batch fails with
 * {@link OutcomeUnknownException} and is never retried (the caller's recovery path, e.g. the reconciler, decides).
 */
public final class GroupCommit<I, O> {

    /** Writes a batch inside one open transaction (auto-commit off) and answers one result per item, in order. */
    @FunctionalInterface
    public interface Work<I, O> {
        List<O> run(Connection connection, List<I> batch) throws SQLException;
    }

    /** The batch may or may not have committed. */
    public static final class OutcomeUnknownException extends RuntimeException {
        OutcomeUnknownException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final Logger LOG = Logger.getLogger(GroupCommit.class);
    private static final int TRANSIENT_RETRIES = 3;

    private record Pending<I, O>(I item, CompletableFuture<O> result) {
    }

    private final String name;
    private final DataSource dataSource;
    private final Work<I, O> work;
    private final ToLongFunction<I> laneKey;
    private final int maxBatch;
    private final List<LinkedBlockingQueue<Pending<I, O>>> queues = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    public GroupCommit(String name, DataSource dataSource, int lanes, int maxBatch, ToLongFunction<I> laneKey, Work<I, O> work) {
        this.name = name;
        this.dataSource = dataSource;
        this.work = work;
        this.laneKey = laneKey;
        this.maxBatch = maxBatch;
        for (int i = 0; i < lanes; i++) {
            LinkedBlockingQueue<Pending<I, O>> queue = new LinkedBlockingQueue<>();
            queues.add(queue);
            Thread thread = new Thread(() -> drain(queue), name + "-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    /**
     * Queues the item; the future completes on the lane's thread once its batch committed (or failed). Never blocks,
     * so it can be called from an event loop; continue on your own thread/context.
     */
    public CompletableFuture<O> submit(I item) {
        CompletableFuture<O> result = new CompletableFuture<>();
        if (!running) {
            result.completeExceptionally(new IllegalStateException(name + " is stopped"));
            return result;
        }
        queues.get((int) Math.floorMod(laneKey.applyAsLong(item), (long) queues.size())).add(new Pending<>(item, result));
        return result;
    }

    /** Queues the item and waits for its batch to commit; the result, or the item's failure, unwrapped. */
    public O submitAndWait(I item, long timeoutMillis) {
        CompletableFuture<O> result = submit(item);
        try {
            return result.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new OutcomeUnknownException(name + ": no commit within " + timeoutMillis + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OutcomeUnknownException(name + ": interrupted while waiting for the commit", e);
        }
    }

    /** Stops the lanes; what is still queued fails (its outcome is known: nothing was written). */
    public void stop() {
        running = false;
        threads.forEach(Thread::interrupt);
        for (LinkedBlockingQueue<Pending<I, O>> queue : queues) {
            Pending<I, O> p;
            while ((p = queue.poll()) != null) {
                p.result().completeExceptionally(new IllegalStateException(name + " is stopped"));
            }
        }
    }

    private void drain(LinkedBlockingQueue<Pending<I, O>> queue) {
        List<Pending<I, O>> batch = new ArrayList<>(maxBatch);
        while (running) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, maxBatch - 1);
            try {
                writeWithRetries(batch);
            } catch (RuntimeException | Error e) {
                // never lose the lane thread; the waiting callers learn that the outcome is unknown
                LOG.errorf(e, "%s: batch failed unexpectedly", name);
                batch.forEach(p -> p.result().completeExceptionally(new OutcomeUnknownException(name + ": batch failed", e)));
            }
            batch.clear();
        }
    }

    private void writeWithRetries(List<Pending<I, O>> batch) {
        for (int attempt = 1; ; attempt++) {
            Attempt<O> a = write(batch);
            if (a.results != null) {
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).result().complete(a.results.get(i));
                }
                return;
            }
            if (a.duringCommit) {
                OutcomeUnknownException unknown = new OutcomeUnknownException(name + ": the commit failed", a.failure);
                LOG.errorf(a.failure, "%s: commit of %d items failed; their outcome is unknown", name, batch.size());
                batch.forEach(p -> p.result().completeExceptionally(unknown));
                return;
            }
            if (isTransient(a.failure) && attempt < TRANSIENT_RETRIES) {
                LOG.warnf("%s: batch of %d items rolled back (%s, SQLState %s); retrying", name, batch.size(),
                        a.failure.getMessage(), a.failure.getSQLState());
                continue;
            }
            if (batch.size() == 1) {
                batch.get(0).result().completeExceptionally(failure(a.failure));
                return;
            }
            // one item may be at fault: give each its own transaction
            for (Pending<I, O> p : batch) {
                writeWithRetries(List.of(p));
            }
            return;
        }
    }

    private record Attempt<O>(List<O> results, SQLException failure, boolean duringCommit) {
    }

    private Attempt<O> write(List<Pending<I, O>> batch) {
        List<I> items = new ArrayList<>(batch.size());
        batch.forEach(p -> items.add(p.item()));
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            List<O> results;
            try {
                results = work.run(c, items);
            } catch (SQLException e) {
                rollbackQuietly(c);
                return new Attempt<>(null, e, false);
            } catch (RuntimeException e) {
                rollbackQuietly(c);
                return new Attempt<>(null, new SQLException(e.toString(), "XX000", e), false);
            }
            try {
                c.commit();
            } catch (SQLException e) {
                return new Attempt<>(null, e, true);
            }
            return new Attempt<>(results, null, false);
        } catch (SQLException e) {
            // getting the connection or closing it failed: nothing was committed unless commit() returned
            return new Attempt<>(null, e, false);
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is gone; the server rolled back
        }
    }

    /** Connection exceptions (08), serialization failures and deadlocks (40), operator intervention (57P). */
    static boolean isTransient(SQLException e) {
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || state.startsWith("40") || state.startsWith("57P");
    }

    private RuntimeException failure(SQLException e) {
        if (e.getCause() instanceof RuntimeException r && "XX000".equals(e.getSQLState())) {
            return r;
        }
        return new IllegalStateException(name + ": " + e.getMessage(), e);
    }
}
