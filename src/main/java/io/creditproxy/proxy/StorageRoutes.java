package io.creditproxy.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.creditproxy.common.ApiException;
import io.creditproxy.common.Blocking;
import io.creditproxy.fal.FalStorageClient;
import io.creditproxy.fal.UpstreamException;
import io.creditproxy.fal.UpstreamResponse;
import io.creditproxy.storage.UploadService;
import io.creditproxy.storage.UploadService.PutTarget;
import io.creditproxy.storage.UploadService.Started;
import io.creditproxy.tenant.Caller;
import io.creditproxy.tenant.TenantAuthenticator;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * File uploads as fal's clients make them ({@code fal.storage.upload}, or a Blob or File in an input, which
 * {@code @fal-ai/client} uploads before submitting), through the proxy:
 *
 * <ol>
 *   <li><b>Initiation</b>: {@code POST /storage/upload/initiate[-multipart]?storage_type=fal-cdn-v3} with
 *       {@code {content_type, file_name}}, directly or through fal's proxy protocol (target {@code rest.fal.ai}; see
 *       {@link ProxyTarget}). The tenant's key authenticates; fal is asked with the operator's key
 *       ({@link FalStorageClient}). The answer's {@code upload_url} is the proxy's own
 *       ({@code /storage/uploads?token=...}); its {@code file_url} is fal's (public CDN), or, when the file lives on the
 *       storage host itself (the sandbox), the proxy's {@code /storage/files/...}, so a tenant on another machine
 *       needs to reach nothing but the proxy.</li>
 *   <li><b>Bytes</b>: {@code @fal-ai/client} PUTs the file straight to {@code upload_url} (not through
 *       {@code proxyUrl}), so it lands here and is relayed, streamed, to fal's pre-signed URL. The proxy relays rather
 *       than handing out fal's URL because that is the only place the file's size can be enforced: fal's client
 *       declares no size at initiation. A {@code Content-Length} is required (fal's client always sends one; fal's
 *       pre-signed URLs refuse chunked bodies anyway), so an oversized file gets 413 before a byte moves. Multipart
 *       (files over 90 MB in fal's client): {@code PUT /storage/uploads/{n}?token=...} per part and
 *       {@code POST /storage/uploads/complete?token=...}, as fal's client derives them from {@code upload_url}.</li>
 *   <li><b>Files</b>: {@code GET /storage/files/...} relays a file of the storage host to anyone with the URL, as
 *       fal's CDN serves files to anyone; only for a plain-http storage host (the sandbox), 404 with fal's.</li>
 * </ol>
 * The token is in the query, never in the path: the access log writes paths. {@code POST /storage/auth/token} (fal's
 * Python client) is refused: see {@link #tokenRefused()}.
 */
@ApplicationScoped
public class StorageRoutes {

    private static final Logger LOG = Logger.getLogger(StorageRoutes.class);

    static final String INITIATE = "/storage/upload/initiate";
    static final String INITIATE_MULTIPART = "/storage/upload/initiate-multipart";
    static final String COMPLETE_MULTIPART = "/storage/upload/complete-multipart";
    static final String AUTH_TOKEN = "/storage/auth/token";
    static final String UPLOADS = "/storage/uploads";
    static final String FILES = "/storage/files/";
    /** The sandbox's (the storage host's) files, relayed by {@link #FILES}. */
    static final String UPSTREAM_FILES = "/storage/files/";
    private static final long MAX_INITIATE_BODY = 16 * 1024;
    private static final long MAX_COMPLETE_BODY = 1024 * 1024;
    private static final int MAX_LIFECYCLE = 1024;
    private static final Pattern STORAGE_TYPE = Pattern.compile("[A-Za-z0-9_-]{1,40}");
    private static final Pattern PART = Pattern.compile("[1-9][0-9]{0,4}");

    private final FalStorageClient storage;
    private final UploadService uploads;
    private final TenantAuthenticator tenants;
    private final PublicUrl publicUrl;
    private final ObjectMapper json;

    public StorageRoutes(FalStorageClient storage, UploadService uploads, TenantAuthenticator tenants, PublicUrl publicUrl,
                         ObjectMapper json) {
        this.storage = storage;
        this.uploads = uploads;
        this.tenants = tenants;
        this.publicUrl = publicUrl;
        this.json = json;
    }

    /** Ahead of the passthrough ({@link ProxyRoutes#ORDER}), which would read these paths as model ids. */
    private static final int ORDER = ProxyRoutes.ORDER - 10;

    /** The storage routes, at {@link #ORDER}. */
    void register(@Observes Router router) {
        router.route(INITIATE).order(ORDER).handler(ctx -> direct(ctx, INITIATE));
        router.route(INITIATE_MULTIPART).order(ORDER).handler(ctx -> direct(ctx, INITIATE_MULTIPART));
        router.route(COMPLETE_MULTIPART).order(ORDER).handler(ctx -> direct(ctx, COMPLETE_MULTIPART));
        router.route(AUTH_TOKEN).order(ORDER).handler(ctx -> fail(ctx, tokenRefused()));
        router.route(UPLOADS).order(ORDER).handler(this::bytes);
        router.route(UPLOADS + "/*").order(ORDER).handler(this::bytes);
        router.route(FILES + "*").order(ORDER).handler(this::file);
    }

    /**
     * fal's Python client asks {@code rest.alpha.fal.ai/storage/auth/token} for a token and then uploads with it
     * straight to fal's CDN. That token is signed for the operator's fal account and lets its holder upload anything,
     * any number of times, until it expires, out of the proxy's sight: no size or daily limit, no record. So it is not
     * handed out; such clients upload with {@code @fal-ai/client}'s flow or this proxy's direct route instead.
     */
    static ApiException tokenRefused() {
        return new ApiException(403, "storage_token_refused",
                "The proxy does not hand out fal storage tokens (they are signed for the operator's fal account and "
                        + "would bypass the upload limits). Upload through POST " + INITIATE
                        + " and PUT the file to the upload_url it returns.");
    }

    // ---- initiation -----------------------------------------------------------------------------------

    private void direct(RoutingContext ctx, String path) {
        try {
            publicUrl.check(ctx.request());
            if (ctx.request().method() != HttpMethod.POST) {
                throw new ApiException(405, "method_not_allowed", "Method not allowed on this path.");
            }
            initiate(ctx, path, ctx.request().params());
        } catch (ApiException e) {
            fail(ctx, e);
        }
    }

    /** fal's proxy protocol with a storage target (ProxyRoutes checked the host and the target). */
    void proxied(RoutingContext ctx, ProxyTarget target) {
        if (ctx.request().method() != HttpMethod.POST) {
            fail(ctx, new ApiException(405, "method_not_allowed", "Method not allowed on this target."));
            return;
        }
        initiate(ctx, target.rawPath(), target.params());
    }

    private void initiate(RoutingContext ctx, String path, MultiMap params) {
        if (COMPLETE_MULTIPART.equals(path)) {
            // older clients; @fal-ai/client 1.10.1 completes at {upload_url}/complete, which the proxy serves
            fail(ctx, new ApiException(501, "not_supported", "Complete a multipart upload by POSTing its parts to "
                    + "{upload_url}/complete (as @fal-ai/client does); " + COMPLETE_MULTIPART + " is not supported."));
            return;
        }
        HttpServerRequest request = ctx.request();
        boolean multipart = INITIATE_MULTIPART.equals(path);
        String query;
        String lifecycle;
        String base;
        try {
            query = storageQuery(params);
            lifecycle = lifecycle(request.getHeader(FalStorageClient.LIFECYCLE_HEADER));
            base = publicUrl.of(request);
        } catch (ApiException e) {
            fail(ctx, e);
            return;
        }
        readBody(request, MAX_INITIATE_BODY)
                .compose(body -> Blocking.run(ctx.vertx(), () -> start(request.getHeader("Authorization"), multipart, body)))
                .compose(started -> storage.initiate(path, query, lifecycle, started.falBody())
                        .recover(failure -> Blocking.run(ctx.vertx(), () -> {
                            uploads.initiationFailed(started.upload().uploadId(), "fal storage: " + failure.getMessage());
                            return null;
                        }).compose(ignored -> Future.failedFuture(failure)))
                        .compose(answer -> initiated(ctx, started, answer, base)))
                .onFailure(t -> fail(ctx, t));
    }

    private record Starting(Started upload, Buffer falBody) {
    }

    /** On a worker thread: the tenant's key, its limits, the record; the body fal gets (only its two fields). */
    private Starting start(String authorization, boolean multipart, Buffer body) {
        Caller caller = tenants.authenticateApi(authorization);
        JsonNode input;
        try {
            input = body.length() == 0 ? null : json.readTree(body.getBytes());
        } catch (java.io.IOException | RuntimeException e) {
            input = null;
        }
        if (input == null || !input.isObject()) {
            throw new ApiException(400, "malformed_json", "The body must be a JSON object: {\"content_type\": ..., "
                    + "\"file_name\": ...}.");
        }
        String contentType = text(input, "content_type");
        String fileName = text(input, "file_name");
        Long size = null;
        JsonNode declared = input.get("size");
        if (declared != null && !declared.isNull()) {
            if (!declared.canConvertToLong() || !declared.isIntegralNumber() || declared.asLong() < 0) {
                throw ApiException.invalidParameter("size must be the file's size in bytes.");
            }
            size = declared.asLong();
        }
        Started started = uploads.start(caller, multipart, fileName, contentType, size);
        ObjectNode falBody = json.createObjectNode().put("content_type", contentType).put("file_name", fileName);
        return new Starting(started, Buffer.buffer(falBody.toString()));
    }

    private static String text(JsonNode input, String field) {
        JsonNode v = input.get(field);
        if (v != null && !v.isNull() && !v.isTextual()) {
            throw ApiException.invalidParameter(field + " must be a string.");
        }
        return v == null || v.isNull() ? null : v.asText();
    }

    /** fal's answer: the proxy's upload URL and the file URL for the tenant, fal's upload URL kept. */
    private Future<Void> initiated(RoutingContext ctx, Starting started, UpstreamResponse answer, String base) {
        long id = started.upload().uploadId();
        String uploadUrl = null;
        String fileUrl = null;
        if (answer.isSuccess()) {
            try {
                JsonNode body = json.readTree(answer.bodyText());
                uploadUrl = body.path("upload_url").asText(null);
                fileUrl = body.path("file_url").asText(null);
            } catch (java.io.IOException e) {
                uploadUrl = null;
            }
        }
        String shownFileUrl = fileUrl == null ? null : shownFileUrl(fileUrl, base);
        if (!answer.isSuccess() || uploadUrl == null || !storage.isRelayable(uploadUrl) || shownFileUrl == null) {
            ApiException error = refusal(answer);
            String upstreamUrl = uploadUrl;
            return Blocking.<Void>run(ctx.vertx(), () -> {
                uploads.initiationFailed(id, upstreamUrl == null ? "fal storage answered HTTP " + answer.status()
                        : "fal storage answered an upload URL the proxy does not relay to");
                return null;
            }).compose(ignored -> Future.failedFuture(error));
        }
        String fal = uploadUrl;
        String shown = shownFileUrl;
        return Blocking.<Void>run(ctx.vertx(), () -> {
            uploads.initiated(id, fal, shown);
            return null;
        }).onSuccess(ignored -> {
            ObjectNode out = json.createObjectNode()
                    .put("upload_url", base + UPLOADS + "?token=" + started.upload().token())
                    .put("file_url", shown);
            ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(out.toString());
        });
    }

    /**
     * The file URL the tenant gets: fal's own (its CDN is public), or, for a file on the storage host itself (the
     * sandbox, reachable by the proxy only), the proxy's; null when fal's answer names a file URL of neither kind.
     */
    private String shownFileUrl(String fileUrl, String base) {
        String upstreamFiles = storage.baseUrl() + UPSTREAM_FILES;
        if (fileUrl.startsWith(upstreamFiles)) {
            String rest = fileUrl.substring(upstreamFiles.length());
            try {
                PathGuard.segments("/" + rest);
            } catch (ApiException e) {
                return null;
            }
            return base + FILES + rest;
        }
        return storage.isOnStorageHost(fileUrl) || !fileUrl.startsWith("https://") ? null : fileUrl;
    }

    /** fal refused an initiation: its input complaints (400/422) are the tenant's; anything else is a 502. */
    private ApiException refusal(UpstreamResponse answer) {
        if (answer.status() == 400 || answer.status() == 422) {
            String detail;
            try {
                detail = json.readTree(answer.bodyText()).path("detail").toString();
            } catch (java.io.IOException e) {
                detail = "";
            }
            return ApiException.invalidParameter("fal's storage refused the upload: " + shorten(detail));
        }
        if (!answer.isSuccess()) {
            LOG.warnf("fal storage refused an upload initiation: HTTP %d", answer.status());
            return new ApiException(502, "upstream_refused", "fal's storage refused the upload initiation (HTTP "
                    + answer.status() + ").");
        }
        return UpstreamException.badAnswer();
    }

    /** Only fal's {@code storage_type} goes to fal (e.g. fal-cdn-v3, what fal's client asks for). */
    private static String storageQuery(MultiMap params) {
        String type = params.get("storage_type");
        if (type == null) {
            return null;
        }
        if (!STORAGE_TYPE.matcher(type).matches()) {
            throw ApiException.invalidParameter("storage_type must be a fal storage type such as fal-cdn-v3.");
        }
        return "storage_type=" + type;
    }

    /** fal's object lifecycle header ({@code {"expiration_duration_seconds": n}}): passed on when it is a JSON object. */
    private String lifecycle(String header) {
        if (header == null) {
            return null;
        }
        try {
            if (header.length() <= MAX_LIFECYCLE && json.readTree(header).isObject()) {
                return header;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // refused below
        }
        throw ApiException.invalidParameter(FalStorageClient.LIFECYCLE_HEADER + " must be a JSON object.");
    }

    // ---- the bytes ------------------------------------------------------------------------------------

    /** {@code PUT /storage/uploads}, {@code PUT /storage/uploads/{n}}, {@code POST /storage/uploads/complete}. */
    private void bytes(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        request.pause();
        try {
            publicUrl.check(request);
            String rest = request.path().length() > UPLOADS.length() ? request.path().substring(UPLOADS.length() + 1) : "";
            String token = request.getParam("token");
            if (rest.equals("complete") && request.method() == HttpMethod.POST) {
                complete(ctx, token);
                return;
            }
            Integer part = null;
            if (!rest.isEmpty()) {
                if (!PART.matcher(rest).matches() || Integer.parseInt(rest) > 10_000) {
                    throw ApiException.notFound("not_found", "No such endpoint.");
                }
                part = Integer.parseInt(rest);
            }
            if (request.method() != HttpMethod.PUT) {
                throw new ApiException(405, "method_not_allowed", "PUT the file's bytes to the upload URL.");
            }
            put(ctx, token, part);
        } catch (ApiException e) {
            fail(ctx, e);
        }
    }

    private void put(RoutingContext ctx, String token, Integer part) {
        HttpServerRequest request = ctx.request();
        String lengthHeader = request.getHeader("Content-Length");
        long length = lengthHeader == null ? -1 : parseLength(lengthHeader);
        if (length < 0 || request.getHeader("Transfer-Encoding") != null) {
            throw new ApiException(411, "length_required", "Send the file with a Content-Length.");
        }
        String contentType = request.getHeader("Content-Type");
        Blocking.run(ctx.vertx(), () -> uploads.beginPut(token, part, length))
                .compose(target -> {
                    String url = part == null ? target.upstreamUploadUrl() : derived(target.upstreamUploadUrl(), "/" + part);
                    return storage.upload(HttpMethod.PUT, url, contentType, length, request)
                            .recover(failure -> relayFailed(ctx, target, part == null ? null : length, failure.getMessage())
                                    .compose(ignored -> Future.failedFuture(failure)))
                            .compose(answer -> {
                                if (!answer.isSuccess()) {
                                    return relayFailed(ctx, target, part == null ? null : length,
                                            "fal storage answered HTTP " + answer.status()).map(answer);
                                }
                                return part != null ? Future.succeededFuture(answer) : Blocking.run(ctx.vertx(), () -> {
                                    uploads.uploaded(target.uploadId(), length);
                                    return answer;
                                });
                            });
                })
                .onSuccess(answer -> relay(ctx, answer))
                .onFailure(t -> fail(ctx, t));
    }

    private void complete(RoutingContext ctx, String token) {
        HttpServerRequest request = ctx.request();
        Blocking.run(ctx.vertx(), () -> uploads.beginComplete(token))
                .compose(target -> readBody(request, MAX_COMPLETE_BODY).compose(body ->
                        storage.post(derived(target.upstreamUploadUrl(), "/complete"), body)
                                .recover(failure -> relayFailed(ctx, target, null, failure.getMessage())
                                        .compose(ignored -> Future.failedFuture(failure)))
                                .compose(answer -> Blocking.run(ctx.vertx(), () -> {
                                    if (answer.isSuccess()) {
                                        uploads.uploaded(target.uploadId(), null);
                                    } else {
                                        uploads.relayFailed(target.uploadId(), null,
                                                "fal storage answered HTTP " + answer.status());
                                    }
                                    return answer;
                                }))))
                .onSuccess(answer -> relay(ctx, answer))
                .onFailure(t -> fail(ctx, t));
    }

    private Future<Void> relayFailed(RoutingContext ctx, PutTarget target, Long partLength, String error) {
        return Blocking.run(ctx.vertx(), () -> {
            uploads.relayFailed(target.uploadId(), partLength, error);
            return null;
        });
    }

    /**
     * A URL derived from fal's upload URL as fal's client derives it: {@code origin + path + suffix + query}
     * ({@code /{n}} for a part, {@code /complete} for the completion).
     */
    static String derived(String uploadUrl, String suffix) {
        URI uri = URI.create(uploadUrl);
        String origin = uri.getScheme() + "://" + uri.getRawAuthority();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        return origin + path + suffix + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }

    /** fal's answer to a PUT or completion, as it is (a part's {@code {partNumber, etag}} is what fal's client reads). */
    private static void relay(RoutingContext ctx, UpstreamResponse answer) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return;
        }
        String type = answer.headers().get("Content-Type");
        if (type != null) {
            response.putHeader("Content-Type", type);
        }
        response.setStatusCode(answer.status()).end(answer.body() == null ? Buffer.buffer() : answer.body());
    }

    // ---- files ----------------------------------------------------------------------------------------

    /** {@code GET /storage/files/...}: a file of the storage host (the sandbox's), streamed back. */
    private void file(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        try {
            publicUrl.check(request);
            if (request.method() != HttpMethod.GET) {
                throw new ApiException(405, "method_not_allowed", "Files are read with GET.");
            }
            if (storage.baseUrl().startsWith("https://")) {
                // fal's own file URLs are its public CDN's, never rewritten: only a plain-http storage host (the
                // simulator, reachable by the proxy alone) has its files served here
                throw ApiException.notFound("not_found", "No such file.");
            }
            String rest = request.path().substring(FILES.length());
            PathGuard.segments("/" + rest);
            storage.openFile(storage.baseUrl() + UPSTREAM_FILES + rest).onSuccess(upstream -> {
                HttpServerResponse response = ctx.response();
                response.setStatusCode(upstream.statusCode());
                for (String name : new String[] {"Content-Type", "Content-Length"}) {
                    String value = upstream.getHeader(name);
                    if (value != null) {
                        response.putHeader(name, value);
                    }
                }
                if (upstream.getHeader("Content-Length") == null) {
                    response.setChunked(true);
                }
                response.closeHandler(v -> upstream.request().reset());
                upstream.pipeTo(response);
            }).onFailure(t -> fail(ctx, t));
        } catch (ApiException e) {
            fail(ctx, e);
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------

    private static Future<Buffer> readBody(HttpServerRequest request, long max) {
        Promise<Buffer> promise = Promise.promise();
        String length = request.getHeader("Content-Length");
        if (length != null && parseLength(length) > max) {
            return Future.failedFuture(bodyTooLarge(max));
        }
        Buffer body = Buffer.buffer();
        request.handler(chunk -> {
            if (body.length() + chunk.length() > max) {
                request.handler(null);
                promise.tryFail(bodyTooLarge(max));
                return;
            }
            body.appendBuffer(chunk);
        });
        request.endHandler(v -> promise.tryComplete(body));
        request.exceptionHandler(promise::tryFail);
        request.resume();
        return promise.future();
    }

    private static ApiException bodyTooLarge(long max) {
        return new ApiException(413, "body_too_large", "The request body is larger than " + max + " bytes.");
    }

    private void fail(RoutingContext ctx, Throwable failure) {
        ApiException error;
        if (failure instanceof ApiException api) {
            error = api;
        } else {
            LOG.error("storage request failed", failure);
            error = new ApiException(500, "internal_error", "Internal error.");
        }
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return;
        }
        if (response.headWritten()) {
            response.reset();
            return;
        }
        HttpServerRequest request = ctx.request();
        if (!request.isEnded()) {
            // a body not read (an upload refused before its bytes): not worth reading, the connection goes
            response.putHeader("Connection", "close");
            response.endHandler(v -> request.connection().close());
        }
        if (error.status() == 429 && error.details().get("retry_after") != null) {
            response.putHeader("Retry-After", String.valueOf(error.details().get("retry_after")));
        }
        response.setStatusCode(error.status())
                .putHeader("Content-Type", "application/json")
                .end(json.valueToTree(error.body()).toString());
    }

    private static long parseLength(String s) {
        try {
            long v = Long.parseLong(s.trim());
            return v < 0 ? Long.MAX_VALUE : v;
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private static String shorten(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
