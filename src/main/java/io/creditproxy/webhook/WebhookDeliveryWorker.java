package io.creditproxy.webhook;

import io.creditproxy.observability.Metrics;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Sends due tenant webhooks: claims a bounded batch (a lease, so several instances share the work and a dead
 * instance's claims come back), checks each URL again, POSTs them all at once, and records each outcome:
 * 2xx delivered; anything else counts an attempt and retries with backoff until {@code webhooks.max-attempts}.
 * Delivery is at least once: a receiver that cannot tell repeats apart should use {@code X-Webhook-Delivery-Id}.
 * Every attempt is signed in fal's format ({@link WebhookSigningKeys}).
 */
@ApplicationScoped
public class WebhookDeliveryWorker {

    private static final Logger LOG = Logger.getLogger(WebhookDeliveryWorker.class);

    private final WebhookDeliveryStore store;
    private final WebhookUrlGuard guard;
    private final WebhookSender sender;
    private final WebhookConfig config;
    private final Backoff backoff;

    private final Metrics metrics;
    private final WebhookSigningKeys signingKeys;

    public WebhookDeliveryWorker(WebhookDeliveryStore store, WebhookUrlGuard guard, WebhookSender sender,
            WebhookConfig config, Metrics metrics, WebhookSigningKeys signingKeys) {
        this.metrics = metrics;
        this.signingKeys = signingKeys;
        this.store = store;
        this.guard = guard;
        this.sender = sender;
        this.config = config;
        this.backoff = new Backoff(config.initialBackoff(), config.maxBackoff(), config.jitterPercent());
    }

    void checkSettings(@Observes StartupEvent event) {
        Duration longest = config.connectTimeout().plus(config.requestTimeout());
        if (config.lease().compareTo(longest) <= 0) {
            // a shorter lease would hand a delivery still in flight to another worker: sent twice
            throw new IllegalStateException("webhooks.lease must be longer than webhooks.connect-timeout + "
                    + "webhooks.request-timeout (" + longest + ")");
        }
        if (config.batchSize() < 1 || config.maxAttempts() < 1) {
            throw new IllegalStateException("webhooks.batch-size and webhooks.max-attempts must be at least 1");
        }
        if (config.allowPrivateTargets()) {
            LOG.warn("webhooks.allow-private-targets=true: tenant webhooks may target private and loopback addresses");
        }
    }

    @Scheduled(identity = "tenant-webhook-deliveries", every = "${webhooks.poll-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledRun() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            // the next run tries again; claimed rows come back when their lease ends
            LOG.warnf("webhook delivery run failed: %s", e.getClass().getSimpleName());
        }
    }

    /** One round: claim, send, record. Blocks until every attempt of the batch has an outcome. */
    public int runOnce() {
        List<ClaimedDelivery> claims = store.claimDue(config.batchSize(), config.lease());
        if (claims.isEmpty()) {
            return 0;
        }
        List<CompletableFuture<AttemptOutcome>> attempts = new ArrayList<>(claims.size());
        for (ClaimedDelivery claim : claims) {
            attempts.add(attempt(claim));
        }
        // the sender's own timer ends each attempt well before this; this only guards against a lost callback
        long waitMs = config.connectTimeout().plus(config.requestTimeout()).toMillis() + 5_000;
        for (int i = 0; i < claims.size(); i++) {
            record(claims.get(i), await(attempts.get(i), waitMs));
        }
        return claims.size();
    }

    private CompletableFuture<AttemptOutcome> attempt(ClaimedDelivery claim) {
        WebhookTarget target;
        try {
            target = guard.check(claim.url());
        } catch (InvalidWebhookException e) {
            return CompletableFuture.completedFuture(AttemptOutcome.refused(e.getMessage(), e.permanent()));
        }
        // signed now, over the exact bytes sent: each attempt carries a fresh timestamp, as fal's retries do
        return sender.send(target, claim, signingKeys.sign(claim)).toCompletionStage().toCompletableFuture();
    }

    private static AttemptOutcome await(CompletableFuture<AttemptOutcome> attempt, long waitMs) {
        try {
            return attempt.get(waitMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return AttemptOutcome.noAnswer("no outcome from the sender");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return AttemptOutcome.noAnswer("interrupted");
        }
    }

    private void record(ClaimedDelivery claim, AttemptOutcome outcome) {
        String host = WebhookUrlGuard.hostOf(claim.url());
        metrics.webhookDelivery(outcome.delivered() ? "delivered" : "attempt_failed");
        if (outcome.delivered()) {
            if (store.recordDelivered(claim, outcome.httpStatus())) {
                LOG.debugf("webhook %d (job %s) delivered to %s, attempt %d", claim.id(), claim.jobId(), host,
                        claim.attemptNumber());
            } else {
                LOG.warnf("webhook %d (job %s) delivered to %s after its lease ran out", claim.id(), claim.jobId(), host);
            }
            return;
        }
        String status = store.recordFailure(claim, outcome.httpStatus(), truncate(outcome.error()), outcome.permanent(),
                config.maxAttempts(), backoff.delayMs(claim.attemptNumber()));
        if ("failed".equals(status)) {
            metrics.webhookDelivery("given_up");
            LOG.warnf("webhook %d (job %s) to %s given up after %d attempt(s): %s", claim.id(), claim.jobId(), host,
                    claim.attemptNumber(), outcome.error());
        } else if (status != null) {
            LOG.infof("webhook %d (job %s) to %s failed, attempt %d: %s", claim.id(), claim.jobId(), host,
                    claim.attemptNumber(), outcome.error());
        }
    }

    private static String truncate(String error) {
        return error == null || error.length() <= 500 ? error : error.substring(0, 500);
    }
}
