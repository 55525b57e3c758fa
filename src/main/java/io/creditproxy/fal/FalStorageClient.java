package io.creditproxy.fal;

import io.creditproxy.config.FalConfig;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.streams.ReadStream;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The one client of fal's storage (file uploads): the upload initiations on fal's REST host ({@code fal-storage.url},
 * the simulator's with {@code fal.upstream=sandbox}), sent with the operator's key, never a tenant's; the bytes a tenant
 * uploads, relayed to the upload URL fal handed out (a pre-signed URL: no key goes with them); and, for file URLs on
 * the storage host itself (the simulator's), the file's bytes back. Transport failures are 502/504 as for the queue.
 */
@ApplicationScoped
public class FalStorageClient {

    private static final Logger LOG = Logger.getLogger(FalStorageClient.class);

    /** fal's header with the object lifecycle of an upload ({@code @fal-ai/client}'s {@code X-Fal-Object-Lifecycle}). */
    public static final String LIFECYCLE_HEADER = "X-Fal-Object-Lifecycle";

    private final Vertx vertx;
    private final FalConfig fal;
    private final FalStorageConfig config;
    private final FalUpstream upstream;
    private volatile HttpClient client;
    private volatile String baseUrl;
    private volatile String authorization;

    public FalStorageClient(Vertx vertx, FalConfig fal, FalStorageConfig config, FalUpstream upstream) {
        this.vertx = vertx;
        this.fal = fal;
        this.config = config;
        this.upstream = upstream;
    }

    void start(@Observes @jakarta.annotation.Priority(110) StartupEvent event) {
        baseUrl = UrlRewriter.stripSlash(upstream.storageUrl(config));
        authorization = "Key " + FalClient.operatorKey(fal.upstream(), fal.key(), upstream.requiredKey());
        client = vertx.createHttpClient(new HttpClientOptions()
                        .setTrustAll(false)
                        .setVerifyHost(true)
                        .setKeepAlive(true)
                        .setConnectTimeout((int) fal.connectTimeout().toMillis()),
                new PoolOptions().setHttp1MaxSize(32));
        LOG.infof("fal storage at %s", baseUrl);
    }

    /** e.g. {@code https://rest.fal.ai}, or the simulator's base URL. */
    public String baseUrl() {
        return baseUrl;
    }

    /** True when the URL is on the storage host itself (the simulator's files): reachable by the proxy, not by tenants. */
    public boolean isOnStorageHost(String url) {
        return url != null && url.startsWith(baseUrl + "/");
    }

    /**
     * An upload initiation: {@code POST {base}{path}?{query}} with the operator's key, a JSON body and, when the tenant
     * gave one, fal's object lifecycle header.
     *
     * @param path  {@code /storage/upload/initiate} or {@code /storage/upload/initiate-multipart}
     * @param query fal's query (e.g. {@code storage_type=fal-cdn-v3}), already checked; null for none
     */
    public Future<UpstreamResponse> initiate(String path, String query, String lifecycle, Buffer body) {
        String url = baseUrl + path + (query == null || query.isEmpty() ? "" : "?" + query);
        RequestOptions options = options(HttpMethod.POST, url).setTimeout(config.requestTimeout().toMillis());
        return client.request(options).compose(req -> {
                    req.putHeader("Authorization", authorization)
                            .putHeader("Content-Type", "application/json")
                            .putHeader("Accept", "application/json");
                    if (lifecycle != null) {
                        req.putHeader(LIFECYCLE_HEADER, lifecycle);
                    }
                    return req.send(body);
                })
                .compose(resp -> resp.body().map(b -> new UpstreamResponse(resp.statusCode(), resp.headers(), b)))
                .recover(FalStorageClient::mapFailure);
    }

    /**
     * Relays a tenant's bytes to an upload URL fal handed out (pre-signed: no key is sent), with the exact length the
     * tenant declared (pre-signed object-store URLs refuse chunked bodies). The source is read with back-pressure.
     */
    public Future<UpstreamResponse> upload(HttpMethod method, String url, String contentType, long length,
                                           ReadStream<Buffer> source) {
        RequestOptions options = options(method, url).setIdleTimeout(config.idleTimeout().toMillis());
        return client.request(options).compose(req -> {
                    req.putHeader("Content-Length", Long.toString(length));
                    if (contentType != null) {
                        req.putHeader("Content-Type", contentType);
                    }
                    return req.send(source);
                })
                .compose(resp -> resp.body().map(b -> new UpstreamResponse(resp.statusCode(), resp.headers(), b)))
                .recover(FalStorageClient::mapFailure);
    }

    /** A small JSON request to an upload URL (completing a multipart upload). */
    public Future<UpstreamResponse> post(String url, Buffer json) {
        RequestOptions options = options(HttpMethod.POST, url).setTimeout(config.requestTimeout().toMillis());
        return client.request(options).compose(req -> req.putHeader("Content-Type", "application/json").send(json))
                .compose(resp -> resp.body().map(b -> new UpstreamResponse(resp.statusCode(), resp.headers(), b)))
                .recover(FalStorageClient::mapFailure);
    }

    /** Opens a file on the storage host for streaming back; the caller must consume or reset the response. */
    public Future<HttpClientResponse> openFile(String url) {
        if (!isOnStorageHost(url)) {
            return Future.failedFuture(new IllegalArgumentException("not a file of the storage host"));
        }
        RequestOptions options = options(HttpMethod.GET, url).setIdleTimeout(config.idleTimeout().toMillis());
        return client.request(options).compose(req -> req.send()).recover(FalStorageClient::mapFailure);
    }

    private RequestOptions options(HttpMethod method, String url) {
        return new RequestOptions().setMethod(method).setAbsoluteURI(url)
                .setConnectTimeout(fal.connectTimeout().toMillis());
    }

    /**
     * True when an upload URL from fal's answer may be relayed to: a plain https URL without user info, or a URL on the
     * storage host itself (the simulator's, plain http on loopback). Anything else in fal's answer is refused (502).
     */
    public boolean isRelayable(String url) {
        if (url == null) {
            return false;
        }
        if (isOnStorageHost(url)) {
            return true;
        }
        try {
            URI uri = new URI(url);
            return "https".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null && uri.getRawUserInfo() == null
                    && uri.getRawFragment() == null;
        } catch (Exception e) {
            return false;
        }
    }

    private static <T> Future<T> mapFailure(Throwable t) {
        if (t instanceof UpstreamException) {
            return Future.failedFuture(t);
        }
        if (t instanceof TimeoutException || t instanceof io.netty.handler.timeout.TimeoutException
                || String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("timeout")) {
            LOG.warnf("fal storage timeout: %s", t.getClass().getSimpleName());
            return Future.failedFuture(UpstreamException.timeout());
        }
        LOG.warnf("fal storage failure: %s", t.getClass().getSimpleName());
        return Future.failedFuture(UpstreamException.unreachable());
    }
}
