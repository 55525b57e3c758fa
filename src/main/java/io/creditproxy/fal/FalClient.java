package io.creditproxy.fal;

import io.creditproxy.config.FalConfig;
import io.creditproxy.observability.Metrics;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.ConnectException;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The one place that talks HTTP to fal (or to the sandbox): pooled keep-alive connections, the operator's
 * key, header filtering ({@link FalHeaders}), timeouts, and mapping of transport failures to 502/504. Callers never
 * see raw HTTP.
 */
@ApplicationScoped
public class FalClient {

    private static final Logger LOG = Logger.getLogger(FalClient.class);

    /** Sent to the sandbox when FAL_KEY is not set: it asks for some key (like fal), not for a real one. */
    static final String SANDBOX_PLACEHOLDER_KEY = "sandbox-key-id:sandbox-key-secret";

    /** Connections to fal per pool (the shared one, and each event loop's). */
    private static final int POOL_SIZE = 64;

    private final Vertx vertx;
    private final FalConfig config;
    private final FalUpstream upstream;
    private volatile HttpClient client;
    /**
     * One client per event loop, each used only from its own loop: its connections live on that loop, so a request and
     * its answer never hop to another loop's thread. With the one shared pool, a request usually went out on a
     * connection another loop had opened, and every answer was handed across threads (a wake-up and a context switch
     * per request; bench/RESULTS.md). Calls from other threads (the reconciler, workers) use {@link #client}.
     */
    private final java.util.concurrent.ConcurrentHashMap<Thread, HttpClient> perLoop = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile HttpClientOptions clientOptions;
    private final UpstreamAccounts accounts;
    private volatile String baseUrl;
    private volatile UrlRewriter rewriter;
    private volatile Origin origin;

    /**
     * The upstream's base URL taken apart once, as {@link RequestOptions#setAbsoluteURI} would per request:
     * {@code prefix} is the base URL followed by {@code /}; a URL under it goes to host:port with path
     * {@code basePath + "/" + the rest}. Null when the base URL cannot be read that way (then every URL is parsed).
     */
    record Origin(String prefix, String host, int port, boolean ssl, String basePath) {
        static Origin of(String baseUrl) {
            try {
                java.net.URI uri = java.net.URI.create(baseUrl);
                String scheme = uri.getScheme();
                if (uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null
                        || !("http".equals(scheme) || "https".equals(scheme))) {
                    return null;
                }
                boolean ssl = "https".equals(scheme);
                int port = uri.getPort() >= 0 ? uri.getPort() : ssl ? 443 : 80;
                String path = uri.getRawPath() == null ? "" : uri.getRawPath();
                return new Origin(baseUrl + "/", uri.getHost(), port, ssl, path + "/");
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }

    private final Metrics metrics;

    public FalClient(Vertx vertx, FalConfig config, FalUpstream upstream, Metrics metrics, UpstreamAccounts accounts) {
        this.vertx = vertx;
        this.accounts = accounts;
        this.config = config;
        this.upstream = upstream;
        this.metrics = metrics;
    }

    void start(@Observes @jakarta.annotation.Priority(100) StartupEvent event) {
        if (config.upstream() == FalConfig.Upstream.fal) {
            if (config.key().filter(k -> !k.isBlank()).isEmpty()) {
                throw new IllegalStateException("FAL_UPSTREAM=fal needs FAL_KEY (the operator's fal key). "
                        + "Set FAL_KEY, or FAL_UPSTREAM=sandbox to run against the built-in simulator.");
            }
            baseUrl = UrlRewriter.stripSlash(upstream.queueUrl());
            LOG.infof("Upstream: fal at %s", baseUrl);
        } else {
            baseUrl = UrlRewriter.stripSlash(upstream.queueUrl());
            LOG.infof("Upstream: SANDBOX simulator at %s (no real generations, nothing billed by fal)", baseUrl);
        }
        rewriter = new UrlRewriter(baseUrl);
        origin = Origin.of(baseUrl);
        boolean tls = baseUrl.startsWith("https://");
        HttpClientOptions options = new HttpClientOptions()
                .setSsl(tls)
                .setTrustAll(false)
                .setVerifyHost(tls)
                .setKeepAlive(true)
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setDecompressionSupported(true);
        clientOptions = options;
        client = newClient();
    }

    /**
     * The key sent upstream: FAL_KEY; with the sandbox and no FAL_KEY, the key the sandbox demands
     * ({@code sandbox.required-key}) or a placeholder, so that {@code FAL_UPSTREAM=sandbox} works without a fal key.
     */
    static String operatorKey(FalConfig.Upstream upstream, Optional<String> falKey, Optional<String> sandboxRequiredKey) {
        Optional<String> configured = falKey.filter(k -> !k.isBlank());
        if (configured.isPresent() || upstream == FalConfig.Upstream.fal) {
            return configured.orElse("");
        }
        return sandboxRequiredKey.filter(k -> !k.isBlank()).orElse(SANDBOX_PLACEHOLDER_KEY);
    }

    public String baseUrl() {
        return baseUrl;
    }

    public UrlRewriter rewriter() {
        return rewriter;
    }

    /** True when the URL points at the configured upstream (fal's own answers are trusted only there). */
    public boolean isUpstreamUrl(String url) {
        return url != null && url.startsWith(baseUrl + "/");
    }

    /** {@link #send(Long, HttpMethod, String, MultiMap, Buffer)} with the primary key (FAL_KEY). */
    public Future<UpstreamResponse> send(HttpMethod method, String url, MultiMap tenantHeaders, Buffer body) {
        return send(null, method, url, tenantHeaders, body);
    }

    /**
     * Sends one request and reads the whole answer.
     *
     * @param upstreamId    the account whose key is sent (the job's, see {@link UpstreamAccounts}); null: the primary key
     * @param url           absolute upstream URL (with query)
     * @param tenantHeaders the tenant's headers; on a submit only fal's documented platform headers pass, else none
     */
    public Future<UpstreamResponse> send(Long upstreamId, HttpMethod method, String url, MultiMap tenantHeaders, Buffer body) {
        long start = System.nanoTime();
        return open(upstreamId, method, url, tenantHeaders, body, config.requestTimeout().toMillis())
                .compose(resp -> resp.body().map(b -> new UpstreamResponse(resp.statusCode(), resp.headers(), b)))
                .recover(FalClient::mapFailure)
                .onComplete(done -> metrics.upstream(operation(method, url),
                        done.succeeded() ? Integer.toString(done.result().status()) : "error", System.nanoTime() - start));
    }

    /**
     * Opens a request with the key of the account {@code upstreamId} (null: the primary key) and hands back the live
     * response (for streams); the caller must consume or reset it. The key comes from memory; only an account created
     * on another instance since the last refresh is read first (on a worker thread).
     */
    public Future<HttpClientResponse> open(Long upstreamId, HttpMethod method, String url, MultiMap tenantHeaders, Buffer body,
                                           long idleTimeoutMs) {
        String known = accounts.authorizationNow(upstreamId);
        if (known != null) {
            return open(known, method, url, tenantHeaders, body, idleTimeoutMs);
        }
        return accounts.authorization(upstreamId)
                .compose(authorization -> open(authorization, method, url, tenantHeaders, body, idleTimeoutMs));
    }

    private Future<HttpClientResponse> open(String authorization, HttpMethod method, String url, MultiMap tenantHeaders,
                                            Buffer body, long idleTimeoutMs) {
        RequestOptions options = new RequestOptions().setMethod(method);
        Origin o = origin;
        if (o != null && url.startsWith(o.prefix())) {
            // fal's queue URLs (nearly every request): the parsed base instead of a java.net.URL per request
            options.setHost(o.host()).setPort(o.port()).setSsl(o.ssl()).setURI(o.basePath() + url.substring(o.prefix().length()));
        } else {
            options.setAbsoluteURI(url);
        }
        options
                // bounds the wait for a pooled connection as well as the TCP connect
                .setConnectTimeout(config.connectTimeout().toMillis())
                .setIdleTimeout(idleTimeoutMs);
        return client().request(options).compose(req -> {
            // the tenant's documented fal headers on a submit, nothing of the tenant's otherwise (FalHeaders)
            FalHeaders.copyRequestHeaders(method == HttpMethod.POST, tenantHeaders, req.headers());
            if (isStream(url)) {
                req.putHeader("Accept", "text/event-stream");
            }
            req.putHeader("Authorization", authorization);
            if (body != null) {
                req.putHeader("Content-Type", "application/json");
                return req.send(body);
            }
            return req.send();
        }).recover(FalClient::mapFailure);
    }

    private HttpClient newClient() {
        return vertx.createHttpClient(clientOptions, new PoolOptions().setHttp1MaxSize(POOL_SIZE));
    }

    /** The calling event loop's own client, or the shared one off the event loops. */
    private HttpClient client() {
        if (!io.vertx.core.Context.isOnEventLoopThread()) {
            return client;
        }
        Thread loop = Thread.currentThread();
        HttpClient own = perLoop.get(loop);
        if (own == null) {
            own = perLoop.computeIfAbsent(loop, t -> newClient());
        }
        return own;
    }

    private static boolean isStream(String url) {
        return withoutQuery(url).endsWith("/status/stream");
    }

    private static String operation(HttpMethod method, String url) {
        if (method == HttpMethod.POST) {
            return "submit";
        }
        if (method == HttpMethod.PUT) {
            return "cancel";
        }
        return withoutQuery(url).endsWith("/status") ? "status" : "result";
    }

    static String withoutQuery(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }

    private static <T> Future<T> mapFailure(Throwable t) {
        if (t instanceof UpstreamException) {
            return Future.failedFuture(t);
        }
        if (t instanceof TimeoutException || t instanceof io.netty.handler.timeout.TimeoutException
                || String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("timeout")) {
            LOG.warnf("upstream timeout: %s", t.getClass().getSimpleName());
            return Future.failedFuture(UpstreamException.timeout());
        }
        if (!(t instanceof ConnectException)) {
            LOG.warnf("upstream failure: %s", t.getClass().getSimpleName());
        }
        return Future.failedFuture(UpstreamException.unreachable());
    }
}
