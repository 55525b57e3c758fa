package io.creditproxy.proxy;

import io.creditproxy.common.ApiException;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.MultiMap;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * fal's proxy protocol ({@code @fal-ai/server-proxy}, the client's {@code proxyUrl}): the client sends each request to
 * the proxy with the real fal URL in {@code x-fal-target-url}. This reads that URL and checks it against fal's own
 * allow-list ({@code DEFAULT_ALLOWED_URL_PATTERNS} of fal-js {@code libs/proxy}): the queue host, the synchronous host
 * and the REST host's storage upload endpoints. Anything else (e.g. {@code rest.fal.ai/tokens/}, which would hand out a
 * fal token signed with the operator's key) is refused before any credit moves. Only the decision: nothing is fetched.
 */
public record ProxyTarget(Kind kind, String rawPath, String query, MultiMap params) {

    /** The header naming the real target (fal-js {@code TARGET_URL_HEADER}). */
    public static final String HEADER = "x-fal-target-url";
    /** fal's default route for the proxy (fal-js {@code DEFAULT_PROXY_ROUTE}). */
    public static final String ROUTE = "/api/fal/proxy";

    public enum Kind {
        /** {@code queue.fal.run}: submit, status, result, cancel, status stream, as the direct routes. */
        QUEUE,
        /** {@code fal.run}: a synchronous run. */
        SYNC,
        /** {@code rest.fal.ai/storage/upload/...}: a file upload. */
        STORAGE
    }

    static final String QUEUE_HOST = "queue.fal.run";
    static final String SYNC_HOST = "fal.run";
    /** fal's REST host; fal-js has used both names for storage. */
    static final Set<String> REST_HOSTS = Set.of("rest.fal.ai", "rest.alpha.fal.ai");
    /** The REST paths fal's proxy lets through: upload initiation, single and multipart, and multipart completion. */
    static final Set<String> STORAGE_PATHS = Set.of("/storage/upload/initiate", "/storage/upload/initiate-multipart",
            "/storage/upload/complete-multipart");

    /**
     * Reads and checks the target URL.
     *
     * @throws ApiException 400 when the header is missing or not an absolute https URL, 403 when fal's proxy would
     *                      not forward it either
     */
    public static ProxyTarget parse(String header) {
        if (header == null || header.isBlank()) {
            throw new ApiException(400, "missing_target_url",
                    "Missing the " + HEADER + " header: fal's proxy protocol names the fal URL there.");
        }
        URI uri;
        try {
            uri = new URI(header.trim());
        } catch (URISyntaxException e) {
            throw badTarget();
        }
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getRawAuthority() == null || uri.getHost() == null
                || uri.getRawUserInfo() != null || uri.getRawFragment() != null
                || (uri.getPort() != -1 && uri.getPort() != 443)) {
            throw badTarget();
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String query = uri.getRawQuery();
        Kind kind;
        if (host.equals(QUEUE_HOST)) {
            kind = Kind.QUEUE;
        } else if (host.equals(SYNC_HOST)) {
            kind = Kind.SYNC;
        } else if (REST_HOSTS.contains(host) && STORAGE_PATHS.contains(path)) {
            kind = Kind.STORAGE;
        } else {
            throw new ApiException(403, "target_not_allowed", "The proxy forwards only fal's queue (" + QUEUE_HOST
                    + "), synchronous (" + SYNC_HOST + ") and storage upload URLs, not " + host + path + ".");
        }
        return new ProxyTarget(kind, path, query, params(query));
    }

    /** The target's query parameters, as a tenant's own query on a direct route. */
    private static MultiMap params(String rawQuery) {
        MultiMap params = MultiMap.caseInsensitiveMultiMap();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (Map.Entry<String, List<String>> p : new QueryStringDecoder(rawQuery, false).parameters().entrySet()) {
                params.add(p.getKey(), p.getValue());
            }
        }
        return params;
    }

    private static ApiException badTarget() {
        return new ApiException(400, "bad_target_url", "The " + HEADER + " header must be an https URL of fal.");
    }
}
