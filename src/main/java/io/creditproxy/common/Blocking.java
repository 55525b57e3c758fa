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
