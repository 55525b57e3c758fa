package io.creditproxy.webhook;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;

/**
 * The one place that POSTs tenants' webhooks: non-blocking Vert.x client, short timeouts, no redirects, and the
 * connection made to the address {@link WebhookUrlGuard} checked (the Host header and TLS name stay the URL's host).
 * Every failure comes back as an {@link AttemptOutcome}; the future never fails.
 */
@ApplicationScoped
public class WebhookSender {

    private final Vertx vertx;
    private final WebhookConfig config;
    private final HttpClient client;

    public WebhookSender(Vertx vertx, WebhookConfig config) {
        this.vertx = vertx;
        this.config = config;
        HttpClientOptions options = new HttpClientOptions()
                // every tenant endpoint is a different server, seldom called twice in a row: no idle connections kept
                .setKeepAlive(false)
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setTrustAll(false)
                .setVerifyHost(true)
                .setForceSni(true);
        this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(Math.max(5, config.batchSize())));
    }

    @PreDestroy
    void close() {
        client.close();
    }

    /** @param signature fal's four X-Fal-Webhook-* headers for this attempt ({@link WebhookSigningKeys#sign}) */
    Future<AttemptOutcome> send(WebhookTarget target, ClaimedDelivery delivery, java.util.Map<String, String> signature) {
        Promise<AttemptOutcome> outcome = Promise.promise();
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        long deadlineMs = config.requestTimeout().toMillis();
        // one bound on the whole attempt (connect, send, status line, body), whatever the receiver does
        long timer = vertx.setTimer(deadlineMs, id -> {
            outcome.tryComplete(AttemptOutcome.noAnswer("no answer within " + deadlineMs + " ms"));
            HttpClientRequest request = sent.get();
            if (request != null) {
                request.reset();
            }
        });
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(target.uri().toString())
                .setServer(SocketAddress.inetSocketAddress(target.port(), target.address().getHostAddress()))
                .setConnectTimeout(config.connectTimeout().toMillis())
                // a redirect could lead anywhere, past the guard: a 3xx is a failed attempt
                .setFollowRedirects(false)
                .setIdleTimeout(deadlineMs)
                .putHeader("Content-Type", "application/json")
                .putHeader("User-Agent", "credit-proxy-webhooks")
                .putHeader("X-Webhook-Delivery-Id", Long.toString(delivery.id()))
                .putHeader("X-Webhook-Attempt", Integer.toString(delivery.attemptNumber()));
        signature.forEach(options::putHeader);
        client.request(options)
                .compose(request -> {
                    sent.set(request);
                    return request.send(Buffer.buffer(delivery.payload()));
                })
                .onSuccess(response -> {
                    outcome.tryComplete(AttemptOutcome.answered(response.statusCode()));
                    // the body is not needed; reading it frees the connection, and the timer cuts off an endless one
                    response.body().onComplete(done -> vertx.cancelTimer(timer));
                })
                .onFailure(failure -> {
                    vertx.cancelTimer(timer);
                    outcome.tryComplete(AttemptOutcome.noAnswer(describe(failure)));
                });
        return outcome.future();
    }

    /** A short reason without the URL (Vert.x messages may name it). */
    static String describe(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t && !(t instanceof ConnectException)) {
            t = t.getCause();
        }
        if (t instanceof ConnectException || failure instanceof ConnectException) {
            return "connection failed (refused or unreachable)";
        }
        if (t instanceof TimeoutException || t instanceof io.netty.handler.timeout.TimeoutException
                || String.valueOf(failure.getMessage()).toLowerCase(Locale.ROOT).contains("timeout")) {
            return "timed out";
        }
        if (t instanceof SSLException) {
            return "TLS handshake failed";
        }
        if (t instanceof UnknownHostException) {
            return "host did not resolve";
        }
        return "request failed (" + t.getClass().getSimpleName() + ")";
    }
}
