package io.creditproxy.fal;

import io.creditproxy.fal.FalClient;
import io.creditproxy.observability.ObservabilityConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of the upstream: fal's queue host (or the sandbox) answers HTTP at all. Any status counts, since this
 * is about reachability; the request carries no Authorization header, so the operator's key is never sent here.
 * A result is cached ({@code observability.upstream-check.cache-for}) so probes cost fal almost nothing. Served on
 * the management interface only; its answer says whether the upstream answered, never where it is.
 */
@Readiness
@ApplicationScoped
public class UpstreamHealthCheck implements HealthCheck {

    private final FalClient fal;
    private final Vertx vertx;
    private final ObservabilityConfig.UpstreamCheck config;
    private volatile HttpClient client;
    private volatile Probe last;

    record Probe(boolean up, String detail, Instant at) {
    }

    public UpstreamHealthCheck(FalClient fal, Vertx vertx, ObservabilityConfig config) {
        this.fal = fal;
        this.vertx = vertx;
        this.config = config.upstreamCheck();
    }

    @Override
    public HealthCheckResponse call() {
        String base = fal.baseUrl();
        if (!config.enabled()) {
            return HealthCheckResponse.named("fal upstream").up().withData("check", "disabled").build();
        }
        Probe probe = last;
        if (probe == null || probe.at().plus(config.cacheFor()).isBefore(Instant.now())) {
            probe = probe(base);
            last = probe;
        }
        // the result only: the upstream's URL is the operator's business, not a health prober's
        return HealthCheckResponse.named("fal upstream").status(probe.up()).withData("result", probe.detail()).build();
    }

    private Probe probe(String base) {
        if (base == null) {
            return new Probe(false, "not started", Instant.now());
        }
        long timeout = config.timeout().toMillis();
        try {
            int status = client(base).request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(base + "/")
                            .setTimeout(timeout))
                    .compose(req -> req.send())
                    .compose(resp -> resp.body().map(b -> resp.statusCode()))
                    .toCompletionStage().toCompletableFuture()
                    .get(timeout + 500, TimeUnit.MILLISECONDS);
            return new Probe(true, "HTTP " + status, Instant.now());
        } catch (Exception e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return new Probe(false, "unreachable: " + cause.getClass().getSimpleName(), Instant.now());
        }
    }

    private HttpClient client(String base) {
        HttpClient c = client;
        if (c == null) {
            boolean tls = base.startsWith("https://");
            c = vertx.createHttpClient(new HttpClientOptions().setSsl(tls).setVerifyHost(tls)
                    .setConnectTimeout((int) config.timeout().toMillis()));
            client = c;
        }
        return c;
    }
}
