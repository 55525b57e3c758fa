package io.creditproxy.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.creditproxy.billing.KeptResults;
import io.creditproxy.billing.OpenJob;
import io.creditproxy.billing.OutcomeCheck;
import io.creditproxy.billing.ReservationService.Replay;
import io.creditproxy.billing.ReservationService.Reservation;
import io.creditproxy.billing.ReservationService.Reserved;
import io.creditproxy.billing.ReservationService;
import io.creditproxy.common.ApiException;
import io.creditproxy.common.Blocking;
import io.creditproxy.common.Hashing;
import io.creditproxy.config.ProxyConfig;
import io.creditproxy.fal.FalClient;
import io.creditproxy.fal.FalHeaders;
import io.creditproxy.fal.FalPaths;
import io.creditproxy.fal.UpstreamException;
import io.creditproxy.fal.UpstreamPool;
import io.creditproxy.fal.UpstreamResponse;
import io.creditproxy.limits.JobSlots;
import io.creditproxy.pricing.PriceTable;
import io.creditproxy.pricing.Quote;
import io.creditproxy.proxy.JobOwnership.OwnedJob;
import io.creditproxy.proxy.PathGuard.RequestPath;
import io.creditproxy.settlement.PollSettlement;
import io.creditproxy.tenant.Caller;
import io.creditproxy.tenant.TenantAuthenticator;
import io.creditproxy.tenant.TenantAuthenticator.Admission;
import io.creditproxy.webhook.WebhookUrlGuard;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The fal passthrough at the root of the proxy: {@code POST /{model id}} (priced, charged, forwarded),
 * {@code GET|PUT /{app}/requests/{id}[/status|/status/stream|/cancel]} (forwarded for the caller's own jobs) and
 * {@code POST /run/{model id}} (a synchronous run: the same billed submit, answered with its result, proxy/SyncRuns),
 * and the same through fal's proxy protocol: {@code /api/fal/proxy}, or {@code /} with an {@code x-fal-target-url}
 * header (proxy/ProxyTarget; {@code https://fal.run/...} is the synchronous run).
 * A thin Vert.x route: bodies and streams stay on the event loop, database work runs on worker threads.
 */
@ApplicationScoped
public class ProxyRoutes {

    private static final Logger LOG = Logger.getLogger(ProxyRoutes.class);

    /** Paths served by the application itself, never by the passthrough. */
    private static final Set<String> RESERVED_FIRST_SEGMENTS = Set.of("admin", "v1", "q", "webhooks", "console", "openapi",
            "run", ".well-known");
    /** The direct path of a synchronous run, for callers without fal's proxy protocol: {@code POST /run/{model id}}. */
    static final String RUN_PREFIX = "/run/";
    /** The passthrough's place among the Vert.x routes: before Quarkus' security handlers (see {@link #register}). */
    static final int ORDER = -250;

    private final FalClient fal;
    private final TenantAuthenticator tenants;
    private final JobOwnership ownership;
    private final PriceTable pricing;
    private final ReservationService reservations;
    private final PublicUrl publicUrl;
    private final PollSettlement pollSettlement;
    private final OutcomeCheck probe;
    private final WebhookUrlGuard webhookGuard;
    private final ObjectMapper json;
    private final long maxBodyBytes;
    private final JobSlots slots;
    private final StorageRoutes storage;
    private final KeptResults keptResults;
    private final SyncRuns syncRuns;
    private final UpstreamPool upstreams;

    public ProxyRoutes(FalClient fal, TenantAuthenticator tenants, JobOwnership ownership, PriceTable pricing,
                       ReservationService reservations, PublicUrl publicUrl, PollSettlement pollSettlement, OutcomeCheck probe,
                       WebhookUrlGuard webhookGuard, ObjectMapper json, ProxyConfig config, JobSlots slots,
                       StorageRoutes storage, KeptResults keptResults, SyncRuns syncRuns,
                       UpstreamPool upstreams) {
        this.slots = slots;
        this.storage = storage;
        this.keptResults = keptResults;
        this.syncRuns = syncRuns;
        this.upstreams = upstreams;
        this.fal = fal;
        this.tenants = tenants;
        this.ownership = ownership;
        this.pricing = pricing;
        this.reservations = reservations;
        this.publicUrl = publicUrl;
        this.pollSettlement = pollSettlement;
        this.probe = probe;
        this.webhookGuard = webhookGuard;
        this.json = json;
        this.maxBodyBytes = config.maxBodyBytes().asLongValue();
    }

    /**
     * Ahead of Quarkus' HTTP security handlers: the passthrough authenticates its tenants itself, and walking Quarkus'
     * authentication handler and the routes after it cost every request about 7 % of the CPU (bench/RESULTS.md).
     * Paths that are not the passthrough's (admin, /v1, webhooks, console) go on to Quarkus with {@code ctx.next()}.
     */
    void register(@Observes Router router) {
        router.route().order(ORDER).handler(this::handle);
    }

    void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String path = request.path();
        boolean falProxy = ProxyTarget.ROUTE.equals(path)
                || ("/".equals(path) && request.getHeader(ProxyTarget.HEADER) != null);
        boolean directRun = path != null && !falProxy && path.startsWith(RUN_PREFIX);
        if (path == null || !falProxy && !directRun && (path.equals("/") || isReserved(path))) {
            ctx.next();
            return;
        }
        try {
            // links and the proxy's own fal webhook URL are built from the host: an untrusted one is refused first
            publicUrl.check(request);
            Call call;
            if (falProxy) {
                ProxyTarget target = ProxyTarget.parse(request.getHeader(ProxyTarget.HEADER));
                if (target.kind() == ProxyTarget.Kind.STORAGE) {
                    // file uploads (fal.storage.upload, a Blob in an input): proxy/StorageRoutes
                    storage.proxied(ctx, target);
                    return;
                }
                call = proxied(target);
            } else {
                call = directRun ? new Call(path.substring(RUN_PREFIX.length() - 1), request.query(), request.params(), true)
                        : new Call(path, request.query(), request.params(), false);
            }
            HttpMethod method = request.method();
            if (call.sync()) {
                // fal.run and /run/{model id}: a priced submit answered with its result; fal.stream is refused here
                String modelId = PathGuard.runModelId(call.path());
                if (method != HttpMethod.POST) {
                    throw new ApiException(405, "method_not_allowed", "A synchronous run is a POST of the model's input.");
                }
                submit(ctx, modelId, call);
                return;
            }
            if (method == HttpMethod.POST) {
                submit(ctx, PathGuard.modelId(call.path()), call);
                return;
            }
            RequestPath target = PathGuard.requestPath(call.path());
            if (target == null) {
                throw ApiException.notFound("not_found", "No such endpoint.");
            }
            boolean allowed = target.action() == PathGuard.Action.CANCEL ? method == HttpMethod.PUT : method == HttpMethod.GET;
            if (!allowed) {
                throw new ApiException(405, "method_not_allowed", "Method not allowed on this path.");
            }
            forward(ctx, target, call);
        } catch (ApiException e) {
            fail(ctx, e);
        }
    }

    /**
     * What a tenant asks of fal: the raw path and query, from the request itself or from fal's proxy protocol;
     * {@code sync} for a synchronous run ({@code fal.run} target or {@code /run/...}).
     */
    private record Call(String path, String query, MultiMap params, boolean sync) {
    }

    /**
     * fal's proxy protocol ({@code proxyUrl} of fal's clients): the target URL, checked against fal's allow-list, goes
     * the same way as the direct routes; uploads are {@link StorageRoutes}'.
     */
    private static Call proxied(ProxyTarget target) {
        return switch (target.kind()) {
            case QUEUE -> new Call(target.rawPath(), target.query(), target.params(), false);
            case SYNC -> new Call(target.rawPath(), target.query(), target.params(), true);
            case STORAGE -> throw new IllegalStateException("storage targets go to StorageRoutes");
        };
    }

    /** Whole first segments only: a model id such as {@code console-labs/x} is still proxied. */
    static boolean isReserved(String path) {
        int end = path.indexOf('/', 1);
        return RESERVED_FIRST_SEGMENTS.contains(end < 0 ? path.substring(1) : path.substring(1, end));
    }

    // ---- submit ------------------------------------------------------------------------------------

    private void submit(RoutingContext ctx, String modelId, Call call) {
        long started = System.nanoTime();
        HttpServerRequest request = ctx.request();
        String length = request.getHeader("Content-Length");
        if (length != null && parseLong(length) > maxBodyBytes) {
            fail(ctx, tooLarge());
            return;
        }
        readBody(request).compose(body -> blocking(ctx, () -> admit(ctx, modelId, call, body)))
                .compose(admitted -> reserve(ctx, admitted, call))
                .compose(prepared -> {
                    if (prepared.reservation() instanceof Replay replay) {
                        if (call.sync()) {
                            return replaySync(ctx, prepared.caller(), replay, started);
                        }
                        answerText(ctx, replay.status(), replay.body());
                        return Future.succeededFuture();
                    }
                    return forwardSubmit(ctx, prepared, call.sync(), started);
                })
                .onFailure(t -> fail(ctx, t));
    }

    private record Prepared(Caller caller, Quote quote, Reservation reservation, Buffer upstreamBody, String upstreamUrl) {
    }

    /** A submit that passed every check, holding its concurrency slot under {@code jobId}, to be reserved. */
    private record Admitted(Caller caller, Quote quote, ObjectNode input, Buffer body, UUID jobId, JobSlots.Slot slot,
                            String idempotencyKey, String requestHash, String webhook) {
    }

    /** Runs on a worker thread: authenticate, check the controls, parse, price, take a concurrency slot. */
    private Admitted admit(RoutingContext ctx, String modelId, Call call, Buffer body) {
        HttpServerRequest request = ctx.request();
        // key valid, model allowed, within its submits per minute (tenant/TenantAuthenticator); refusals move no credit
        Admission admission = tenants.admitSubmit(request.getHeader("Authorization"), modelId);
        Caller caller = admission.caller();
        JsonNode input;
        try {
            input = json.readTree(body.getBytes());
        } catch (java.io.IOException | RuntimeException e) {
            throw new ApiException(400, "malformed_json", "The request body is not valid JSON.");
        }
        if (input == null || !input.isObject()) {
            throw new ApiException(400, "malformed_json", "The request body must be a JSON object.");
        }
        ObjectNode object = (ObjectNode) input;
        // fal_webhook in any letter case is the tenant's webhook (SSRF-checked), never forwarded; the rest of the query
        // is checked now, before anything is charged
        String webhook = tenantWebhook(FalHeaders.tenantWebhook(call.params()), object);
        FalHeaders.checkSubmitQuery(call.params());
        // list price x the tenant's multiplier x the key's group's (pricing/PriceTable), frozen on the job
        Quote quote = pricing.quote(modelId, object, admission.priceMultiplier(), admission.group().id(),
                admission.group().priceMultiplier());
        String idempotencyKey = request.getHeader("Idempotency-Key");
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
            throw ApiException.invalidParameter("Idempotency-Key must be 1 to 255 characters.");
        }
        String requestHash = idempotencyKey == null ? null
                : Hashing.sha256Hex(modelId + "\n" + call.query() + "\n" + body.toString(StandardCharsets.UTF_8));
        // the tenant's concurrent-jobs slot is taken before the price, and given back unless a job was created
        UUID jobId = UUID.randomUUID();
        JobSlots.Slot slot = slots.acquire(caller.tenantId(), jobId);
        return new Admitted(caller, quote, object, body, jobId, slot, idempotencyKey, requestHash, webhook);
    }

    /**
     * Reserves the price (group commit, no thread waits for it) and continues on the event loop: the body and URL
     * for fal, or the stored answer of a replay. The slot goes back unless a job was created.
     */
    private Future<Prepared> reserve(RoutingContext ctx, Admitted a, Call call) {
        HttpServerRequest request = ctx.request();
        return onContext(ctx, reservations.reserve(a.caller(), a.quote(), a.jobId(), a.idempotencyKey(), a.requestHash(),
                        a.webhook()))
                .onFailure(t -> slots.release(a.slot()))
                .map(reservation -> {
                    if (reservation instanceof Replay) {
                        slots.release(a.slot());
                        return new Prepared(a.caller(), a.quote(), reservation, a.body(), null);
                    }
                    Buffer upstreamBody = a.body();
                    if (a.input().has("webhook")) {
                        // the resellers' "webhook" body field becomes fal's fal_webhook query parameter
                        a.input().remove("webhook");
                        upstreamBody = Buffer.buffer(a.input().toString());
                    }
                    // fal always calls the proxy's own webhook; the tenant's is delivered after settlement
                    String falWebhook = publicUrl.of(request) + "/webhooks/fal/" + a.jobId();
                    String url = fal.baseUrl() + "/" + a.quote().modelId() + FalHeaders.submitQuery(call.params(), falWebhook);
                    return new Prepared(a.caller(), a.quote(), reservation, upstreamBody, url);
                });
    }

    /** A group commit's future as a Vert.x future completing on this request's context, its failure unwrapped. */
    private static <T> Future<T> onContext(RoutingContext ctx, java.util.concurrent.CompletionStage<T> stage) {
        return Future.fromCompletionStage(stage, ctx.vertx().getOrCreateContext())
                .recover(failure -> Future.failedFuture(ReservationService.unwrap(failure)));
    }

    private Future<Void> forwardSubmit(RoutingContext ctx, Prepared prepared, boolean sync, long started) {
        UUID jobId = ((Reserved) prepared.reservation()).jobId();
        // the pool of fal accounts: one chosen by weight, the next one when fal refuses the account (fal/UpstreamPool)
        UpstreamPool.Tries tries = new UpstreamPool.Tries();
        return upstreams.submit(prepared.quote().groupId(), prepared.upstreamUrl(), ctx.request().headers(),
                        prepared.upstreamBody(), tries)
                .compose(submitted -> recordAnswer(ctx, prepared, jobId, submitted)
                        .map(accepted -> new Forwarded(submitted.answer(), accepted)))
                .onSuccess(forwarded -> {
                    if (sync && forwarded.accepted() != null) {
                        // a synchronous run: a queue job from here on, whose result is the tenant's answer
                        awaitResult(ctx, forwarded.accepted().requestId(), forwarded.accepted().job(), started);
                    } else {
                        answerUpstream(ctx, forwarded.answer());
                    }
                })
                .recover(failure -> {
                    ApiException error = failure instanceof ApiException api ? api : UpstreamException.unreachable();
                    // the account asked last: fal may have taken it after all (a ghost is asked about with its key)
                    return refund(ctx, jobId, error.status(), json.valueToTree(error.body()).toString(),
                            failure instanceof UpstreamPool.NoAccountException ? null : tries.account(), tries.refusals())
                            .compose(ignored -> Future.failedFuture(error));
                })
                .mapEmpty();
    }

    /**
     * fal's answer to a submit decides between keeping and refunding the price. An acceptance is recorded by the
     * group commit without a worker thread (on the event loop until it is queued, back on it once committed); a
     * refusal goes to a worker thread (it settles the job). Completes with the accepted job, or null after a refusal.
     */
    private Future<AcceptedJob> recordAnswer(RoutingContext ctx, Prepared prepared, UUID jobId,
                                             UpstreamPool.Submitted submitted) {
        UpstreamResponse answer = submitted.answer();
        String text = answer.bodyText();
        if (!answer.isSuccess()) {
            return refund(ctx, jobId, answer.status(), text, submitted.upstreamId(), submitted.attempts()).map(ignored -> null);
        }
        JsonNode body;
        try {
            body = json.readTree(text);
        } catch (JsonProcessingException e) {
            body = null;
        }
        String requestId = body == null ? null : body.path("request_id").asText(null);
        if (requestId == null || requestId.isBlank()) {
            LOG.warnf("fal accepted a submit for %s without a request_id; refunding", prepared.quote().modelId());
            return Future.failedFuture(UpstreamException.badAnswer());
        }
        String base = FalPaths.requestUrl(fal.baseUrl(), prepared.quote().modelId(), requestId);
        String statusUrl = trusted(body.path("status_url").asText(null), base + "/status");
        String responseUrl = trusted(body.path("response_url").asText(null), base);
        String cancelUrl = trusted(body.path("cancel_url").asText(null), base + "/cancel");
        OwnedJob owned = new OwnedJob(prepared.caller().tenantId(), jobId, prepared.quote().unit(), statusUrl, responseUrl,
                cancelUrl, submitted.upstreamId());
        return onContext(ctx, reservations.accepted(jobId, requestId, statusUrl, responseUrl, cancelUrl, answer.status(), text,
                        submitted.upstreamId(), submitted.attempts()))
                .onSuccess(ignored -> ownership.remember(requestId, owned))
                .map(ignored -> new AcceptedJob(requestId, owned));
    }

    /** fal's answer to a submit, and the job when fal accepted it (null after a refusal). */
    private record Forwarded(UpstreamResponse answer, AcceptedJob accepted) {
    }

    /** A submit fal accepted: its request id and fal's URLs for it. */
    private record AcceptedJob(String requestId, OwnedJob job) {
    }

    // ---- synchronous runs ------------------------------------------------------------------------------

    /**
     * A replayed synchronous run (same Idempotency-Key and request): the first run's job, waited on and answered with
     * its result like the first; nothing is charged again. A first answer that was a refusal is replayed as it was.
     */
    private Future<Void> replaySync(RoutingContext ctx, Caller caller, Replay replay, long started) {
        String requestId = null;
        if (replay.status() >= 200 && replay.status() < 300) {
            try {
                requestId = json.readTree(replay.body()).path("request_id").asText(null);
            } catch (JsonProcessingException | RuntimeException e) {
                requestId = null;
            }
        }
        if (requestId == null) {
            answerText(ctx, replay.status(), replay.body());
            return Future.succeededFuture();
        }
        String id = requestId;
        return blocking(ctx, () -> ownership.require(caller.tenantId(), id))
                .onSuccess(job -> awaitResult(ctx, id, job, started))
                .mapEmpty();
    }

    /**
     * Waits for the job without holding a thread (proxy/SyncRuns) and answers as fal.run does: fal's result (or the
     * model's error) with {@code x-fal-request-id}, settled afterwards as after a tenant's result poll; past the
     * limit, 504 {@code sync_timeout} naming the request so the tenant can still fetch it. A tenant that leaves stops
     * the wait; its job settles as any other (fal's webhook, the reconciler).
     */
    private void awaitResult(RoutingContext ctx, String requestId, OwnedJob job, long started) {
        SyncRuns.Waiting waiting = syncRuns.await(job, started);
        HttpServerResponse response = ctx.response();
        response.closeHandler(v -> waiting.abandon());
        OpenJob open = new OpenJob(job.jobId(), job.unit(), job.statusUrl(), job.responseUrl(), job.upstreamId());
        waiting.future()
                .onSuccess(result -> {
                    answerUpstream(ctx, result, requestId);
                    pollSettlement.afterResult(open, result);
                })
                .onFailure(t -> {
                    if (response.closed() || response.ended()) {
                        return;
                    }
                    String base = publicUrl.of(ctx.request());
                    ApiException error = syncRuns.timeoutError(requestId, fal.rewriter().rewrite(job.statusUrl(), base),
                            fal.rewriter().rewrite(job.responseUrl(), base));
                    response.putHeader(FalHeaders.REQUEST_ID, requestId)
                            // "user": fal's clients do not send the run again (a new job) after this 504
                            .putHeader("X-Fal-Request-Timeout-Type", "user")
                            .putHeader("Content-Type", "application/json")
                            .setStatusCode(error.status())
                            .end(json.valueToTree(error.body()).toString());
                });
    }

    /** On a worker thread: fal refused the submit or could not be reached; the answer is kept for replays. */
    private Future<Void> refund(RoutingContext ctx, UUID jobId, int status, String answer, Long upstreamId,
                                String attempts) {
        return blocking(ctx, () -> {
            reservations.rejected(jobId, status, answer, upstreamId, attempts);
            return null;
        });
    }

    /** fal's own URL when it points at the configured upstream (fal's URLs are authoritative), else the fallback. */
    private String trusted(String url, String fallback) {
        return fal.isUpstreamUrl(url) ? url : fallback;
    }

    /** The tenant's webhook: fal's query parameter wins over the resellers' body field; checked against SSRF. */
    private String tenantWebhook(String fromQuery, ObjectNode body) {
        String webhook = fromQuery;
        JsonNode field = body.get("webhook");
        if (webhook == null && field != null && !field.isNull()) {
            if (!field.isTextual()) {
                throw ApiException.invalidParameter("webhook must be a URL string.");
            }
            webhook = field.asText();
        }
        if (webhook != null) {
            webhookGuard.check(webhook);
        }
        return webhook;
    }

    // ---- status, result, cancel, stream --------------------------------------------------------------

    private void forward(RoutingContext ctx, RequestPath target, Call call) {
        HttpServerRequest request = ctx.request();
        request.pause();
        // the common case stays on the event loop: key, controls and ownership all known in this process
        OwnedJob known = ownedFromMemory(request.getHeader("Authorization"), target.requestId());
        Future<OwnedJob> owned = known != null ? Future.succeededFuture(known) : blocking(ctx, () -> {
                    Caller caller = tenants.authenticatePoll(request.getHeader("Authorization"));
                    return ownership.require(caller.tenantId(), target.requestId());
                });
        owned.compose(job -> {
                    // only fal's own parameters: logs on status and stream, nothing on result and cancel
                    String query = FalHeaders.pollQuery(target.action() == PathGuard.Action.STATUS
                            || target.action() == PathGuard.Action.STREAM, call.params());
                    OpenJob open = new OpenJob(job.jobId(), job.unit(), job.statusUrl(), job.responseUrl(), job.upstreamId());
                    Long account = job.upstreamId(); // the fal account that took the job: fal knows it under its key only
                    // the tenant gets its answer first; what it tells about the outcome settles the job afterwards
                    return switch (target.action()) {
                        case STATUS -> fal.send(account, HttpMethod.GET, job.statusUrl() + query, request.headers(), null)
                                .onSuccess(answer -> answerUpstream(ctx, answer))
                                .onSuccess(answer -> pollSettlement.afterStatus(open, answer)).mapEmpty();
                        case RESULT -> fal.send(account, HttpMethod.GET, job.responseUrl() + query, request.headers(), null)
                                .compose(answer -> forgotten(answer) ? keptResult(ctx, job, target.requestId(), answer) : answered(ctx, open, answer));
                        case CANCEL -> fal.send(account, HttpMethod.PUT, job.cancelUrl() + query, request.headers(), null)
                                .onSuccess(answer -> answerUpstream(ctx, answer))
                                .onSuccess(answer -> pollSettlement.afterCancel(job.jobId(), answer)).mapEmpty();
                        case STREAM -> stream(ctx, job.statusUrl() + "/stream" + query, open, target.requestId());
                    };
                })
                .onFailure(t -> fail(ctx, t));
    }

    private Future<Void> answered(RoutingContext ctx, OpenJob open, UpstreamResponse answer) {
        answerUpstream(ctx, answer);
        pollSettlement.afterResult(open, answer);
        return Future.succeededFuture();
    }

    /** fal no longer has the result (its retention ended: 404, or 410). */
    private static boolean forgotten(UpstreamResponse answer) {
        return answer.status() == 404 || answer.status() == 410;
    }

    /**
     * The result fal forgot, from the proxy's own copy (billing/KeptResults), rewritten as fal's answers are; fal's own
     * answer when none is kept (or it expired). The job is the caller's: ownership was checked before fal was asked.
     */
    private Future<Void> keptResult(RoutingContext ctx, OwnedJob job, String requestId, UpstreamResponse falAnswer) {
        return blocking(ctx, () -> keptResults.find(job.tenantId(), job.jobId())).map(kept -> {
            if (kept.isEmpty()) {
                answerUpstream(ctx, falAnswer);
            } else {
                MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                        .add("Content-Type", "application/json")
                        .add(FalHeaders.REQUEST_ID, requestId);
                answerUpstream(ctx, new UpstreamResponse(200, headers, Buffer.buffer(kept.get())));
            }
            return null;
        });
    }

    /** The caller's job from memory only, or null when something must be loaded (then on a worker thread). */
    private OwnedJob ownedFromMemory(String authorization, String requestId) {
        Caller caller = tenants.pollFromMemory(authorization);
        return caller == null ? null : ownership.cached(caller.tenantId(), requestId);
    }

    /**
     * Relays fal's server-sent events line by line, rewriting URLs; closes fal's side when the tenant leaves. fal's safe
     * answer headers come along, {@code x-fal-request-id} always (fal's client takes the stream's request id from it).
     */
    private Future<Void> stream(RoutingContext ctx, String url, OpenJob job, String requestId) {
        return fal.open(job.upstreamId(), HttpMethod.GET, url, ctx.request().headers(), null, 0).compose(upstream -> {
            HttpServerResponse response = ctx.response();
            if (upstream.statusCode() != 200) {
                return upstream.body().map(body -> {
                    answerUpstream(ctx, new UpstreamResponse(upstream.statusCode(), upstream.headers(), body));
                    return null;
                });
            }
            String base = publicUrl.of(ctx.request());
            FalHeaders.copyAnswerHeaders(upstream.headers(), response.headers(), fal.rewriter(), base);
            if (!response.headers().contains(FalHeaders.REQUEST_ID)) {
                response.putHeader(FalHeaders.REQUEST_ID, requestId);
            }
            response.setStatusCode(200).setChunked(true)
                    .putHeader("Content-Type", "text/event-stream")
                    .putHeader("Cache-Control", "no-cache");
            StringBuilder pending = new StringBuilder();
            upstream.handler(chunk -> {
                pending.append(chunk.toString(StandardCharsets.UTF_8));
                int newline = pending.lastIndexOf("\n");
                if (newline >= 0) {
                    String complete = pending.substring(0, newline + 1);
                    pending.delete(0, newline + 1);
                    response.write(fal.rewriter().rewrite(complete, base));
                }
            });
            upstream.endHandler(v -> {
                if (pending.length() > 0) {
                    response.write(fal.rewriter().rewrite(pending.toString(), base));
                }
                response.end();
                // the stream closes after COMPLETED: ask fal for the outcome
                probe.check(job).onSuccess(answer -> pollSettlement.settleIfKnown(job, answer));
            });
            upstream.exceptionHandler(t -> response.reset());
            response.closeHandler(v -> upstream.request().reset());
            return Future.<Void>succeededFuture();
        });
    }

    // ---- answers -------------------------------------------------------------------------------------

    private void answerUpstream(RoutingContext ctx, UpstreamResponse answer) {
        answerUpstream(ctx, answer, null);
    }

    /** fal's answer, URLs rewritten; {@code requestId} (if given) as {@code x-fal-request-id} when fal's lacks it. */
    private void answerUpstream(RoutingContext ctx, UpstreamResponse answer, String requestId) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return;
        }
        String base = publicUrl.of(ctx.request());
        FalHeaders.copyAnswerHeaders(answer.headers(), response.headers(), fal.rewriter(), base);
        if (requestId != null && !response.headers().contains(FalHeaders.REQUEST_ID)) {
            response.putHeader(FalHeaders.REQUEST_ID, requestId);
        }
        String text = fal.rewriter().rewrite(answer.bodyText(), base);
        response.setStatusCode(answer.status()).end(text);
    }

    private void answerText(RoutingContext ctx, int status, String body) {
        ctx.response().setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(fal.rewriter().rewrite(body, publicUrl.of(ctx.request())));
    }

    private void fail(RoutingContext ctx, Throwable failure) {
        ApiException error;
        if (failure instanceof ApiException api) {
            error = api;
        } else {
            LOG.error("proxy request failed", failure);
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
        response.headers().clear();
        if (error.status() == 413) {
            // the rest of an oversized body is not worth reading
            response.endHandler(v -> ctx.request().connection().close());
        }
        if (error.status() == 429 && error.details().get("retry_after") != null) {
            response.putHeader("Retry-After", String.valueOf(error.details().get("retry_after")));
        }
        response.setStatusCode(error.status())
                .putHeader("Content-Type", "application/json")
                .end(json.valueToTree(error.body()).toString());
    }

    private static <T> Future<T> blocking(RoutingContext ctx, java.util.concurrent.Callable<T> work) {
        return Blocking.run(ctx.vertx(), work);
    }

    // ---- bodies --------------------------------------------------------------------------------------

    /** Reads the request body, refusing (413) past the configured limit even without a Content-Length. */
    private Future<Buffer> readBody(HttpServerRequest request) {
        io.vertx.core.Promise<Buffer> promise = io.vertx.core.Promise.promise();
        Buffer body = Buffer.buffer();
        request.handler(chunk -> {
            if (body.length() + chunk.length() > maxBodyBytes) {
                request.handler(null);
                promise.tryFail(tooLarge());
                return;
            }
            body.appendBuffer(chunk);
        });
        request.endHandler(v -> promise.tryComplete(body));
        request.exceptionHandler(promise::tryFail);
        request.resume();
        return promise.future();
    }

    private ApiException tooLarge() {
        return new ApiException(413, "body_too_large", "The request body is larger than " + maxBodyBytes + " bytes.");
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
