package io.creditproxy.observability;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Times every request at the very front of the router and records it by route, model and status when the answer
 * ends. The route is derived from the path only (never a request id, so labels stay few); the model is the
 * model id of a submit or the app of a poll, bounded by {@link Metrics}.
 */
@ApplicationScoped
public class RequestMetrics {

    private final Metrics metrics;

    public RequestMetrics(Metrics metrics) {
        this.metrics = metrics;
    }

    void register(@Observes Router router) {
        router.route().order(-300).handler(this::handle);
    }

    void handle(RoutingContext ctx) {
        String path = ctx.request().path();
        Label label = path == null ? null : label(ctx.request().method(), path);
        if (label != null) {
            long start = System.nanoTime();
            ctx.addEndHandler(done -> metrics.request(label.route(), label.model(), ctx.response().getStatusCode(),
                    System.nanoTime() - start));
        }
        ctx.next();
    }

    record Label(String route, String model) {
    }

    /** null for the operational endpoints (/q/...), which are not the product's traffic. */
    static Label label(HttpMethod method, String path) {
        if (path.startsWith("/q/") || path.equals("/q")) {
            return null;
        }
        if (path.startsWith("/admin")) {
            return new Label("admin", null);
        }
        if (path.startsWith("/v1/") || path.equals("/v1")) {
            return new Label("tenant", null);
        }
        if (path.startsWith("/webhooks/")) {
            return new Label("webhook", null);
        }
        if (path.startsWith("/storage/")) {
            // file uploads and files (proxy/StorageRoutes): never a model
            return new Label("storage", null);
        }
        int requests = path.indexOf("/requests/");
        if (method != HttpMethod.POST && requests > 0) {
            String app = path.substring(1, requests);
            String rest = path.substring(requests + "/requests/".length());
            String route = rest.endsWith("/status/stream") ? "stream" : rest.endsWith("/status") ? "status"
                    : rest.endsWith("/cancel") ? "cancel" : "result";
            return new Label(route, app);
        }
        if (method == HttpMethod.POST && path.startsWith("/run/")) {
            // a synchronous run (proxy/ProxyRoutes RUN_PREFIX): its model, without the prefix
            return new Label("run", path.substring("/run/".length()));
        }
        if (method == HttpMethod.POST && path.length() > 1) {
            return new Label("submit", path.substring(1));
        }
        return new Label("other", null);
    }
}
