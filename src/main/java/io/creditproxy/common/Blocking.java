package io.creditproxy.common;

import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;

/** Database work from Vert.x code: on a worker thread, inside a request context (the entity manager needs one). */
public final class Blocking {

    private Blocking() {
    }

    /**
     * The same worker pool as an {@link java.util.concurrent.Executor} (what the caches load and refresh on). Unlike
     * a context-propagating executor it never hands the caller's transaction to the task.
     */
    public static java.util.concurrent.Executor executor(Vertx vertx) {
        return task -> run(vertx, () -> {
            task.run();
            return null;
        });
    }

    public static <T> Future<T> run(Vertx vertx, Callable<T> work) {
        return vertx.executeBlocking(() -> {
            ManagedContext requestContext = Arc.container().requestContext();
            if (requestContext.isActive()) {
                return work.call();
            }
            requestContext.activate();
            try {
                return work.call();
            } finally {
                requestContext.terminate();
            }
        }, false);
    }
}
