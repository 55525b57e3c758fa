package io.creditproxy.console;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The web console is static files under {@code META-INF/resources/console/}, served by Quarkus at {@code /console/}
 * (the passthrough leaves {@code /console} alone). This only sends the bare {@code /console} to {@code /console/},
 * so that the page's relative links resolve.
 */
@ApplicationScoped
public class ConsoleRoutes {

    void register(@Observes Router router) {
        // a regex, since a plain "/console" route would also match "/console/" and hide the index page
        router.getWithRegex("^/console$").handler(rc -> rc.response()
                .setStatusCode(301)
                .putHeader("Location", "/console/")
                .end());
    }
}
