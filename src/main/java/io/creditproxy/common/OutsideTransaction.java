package io.creditproxy.common;

import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Starts fire-and-forget reactive work (a Redis command, a publish) without the caller's JTA transaction. Context
 * propagation would otherwise hand the transaction to the thread that runs the callback; if that happens while the
 * caller commits, Narayana sees two threads in the transaction and the commit fails ("Enlisted connection used without
 * active transaction"). Seen as a rare 500 on a refused submit, whose settlement gives back a concurrency slot in Redis.
 */
public final class OutsideTransaction {

    private OutsideTransaction() {
    }

    public static void start(Runnable work) {
        QuarkusTransaction.suspendingExisting().run(work);
    }
}
