package io.creditproxy.proxy;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Reservations of one tenant take turns inside this process. Without it, 64 concurrent submits of one tenant each
 * hold a pooled connection while they queue on the tenant row's lock in PostgreSQL, and the pool runs dry for
 * everybody; with it they queue here, holding nothing, and one connection at a time works the row. Other instances
 * still meet at the row lock, which stays the guarantee (this is only about throughput, never about correctness).
 */
@ApplicationScoped
public class TenantLanes {

    /** Striped by tenant id: two tenants rarely share a lane, and the memory is fixed. */
    private static final int LANES = 1024;

    private final ReentrantLock[] lanes = new ReentrantLock[LANES];

    public TenantLanes() {
        for (int i = 0; i < LANES; i++) {
            lanes[i] = new ReentrantLock();
        }
    }

    public <T> T inTurn(long tenantId, Supplier<T> work) {
        ReentrantLock lane = lanes[(int) Math.floorMod(tenantId, (long) LANES)];
        lane.lock();
        try {
            return work.get();
        } finally {
            lane.unlock();
        }
    }
}
