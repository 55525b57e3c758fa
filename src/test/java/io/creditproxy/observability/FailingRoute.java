package io.creditproxy.observability;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Test-only route that fails unhandled, so that Quarkus' own error line can be read (see AccessLogTest). */
@ApplicationScoped
public class FailingRoute {

    static final String PATH = "/v1/test-only/unhandled-failure";

    void register(@Observes Router router) {
        router.get(PATH).handler(ctx -> {
            throw new IllegalStateException("test-only failure");
        });
    }
}
