package io.creditproxy.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditproxy.webhook.HookReceiver.Receipt;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionalException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The outbox end to end against the real PostgreSQL schema and real HTTP receivers. The scheduled worker runs too;
 * the tests also call {@link WebhookDeliveryWorker#runOnce()} themselves, so they need not wait for its interval.
 * Test settings: backoff 20 ms doubling to 100 ms, max attempts 10 (the default), private targets allowed.
 */
@QuarkusTest
class WebhookDeliveryTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    TenantWebhookOutbox outbox;

    @Inject
    WebhookDeliveryWorker worker;

    @Inject
    WebhookDeliveryStore store;

    @Inject
    OutboxFixtures db;

    private boolean enqueue(UUID job, String url, String payload) {
        long tenant = db.tenantOf(job);
        return QuarkusTransaction.requiringNew().call(() -> outbox.enqueue(job, tenant, url, payload));
    }

    /** Runs the worker until the condition holds; fails after {@link #WAIT}. */
    private void deliverUntil(BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition reached in time").isLessThan(deadline);
            worker.runOnce();
            Thread.sleep(5);
        }
    }

    private static String payload(UUID job) {
        return "{\"request_id\":\"" + job + "\",\"gateway_request_id\":\"" + job
                + "\",\"status\":\"OK\",\"payload\":{\"images\":[{\"url\":\"https://cdn.example/a.png\"}]},\"error\":null}";
    }

    @Test
    void aDeliveryArrivesWithItsPayloadAndHeaders() throws Exception {
        try (HookReceiver receiver = HookReceiver.answering(200)) {
            UUID job = db.job(null);
            String url = receiver.url() + "?token=tenant-secret";
            assertThat(enqueue(job, url, payload(job))).isTrue();

            deliverUntil(() -> "delivered".equals(db.status(job)));

            Map<String, Object> row = db.delivery(job);
            assertThat(receiver.receipts()).hasSize(1);
            Receipt receipt = receiver.receipts().get(0);
            assertThat(receipt.body()).isEqualTo(payload(job));
            assertThat(receipt.header(":method")).isEqualTo("POST");
            assertThat(receipt.header(":query")).isEqualTo("token=tenant-secret");
            assertThat(receipt.header("Content-Type")).isEqualTo("application/json");
            assertThat(receipt.deliveryId()).isEqualTo(((Number) row.get("id")).longValue());
            assertThat(receipt.header("X-Webhook-Attempt")).isEqualTo("1");
            assertThat(row.get("attempts")).isEqualTo(1);
            assertThat(row.get("last_status")).isEqualTo(200);
            assertThat(row.get("last_error")).isNull();
            assertThat(row.get("delivered_at")).isNotNull();
            assertThat(row.get("locked_until")).isNull();
        }
    }

    @Test
    void theScheduledWorkerDeliversWithoutHelp() throws Exception {
        try (HookReceiver receiver = HookReceiver.answering(200)) {
            UUID job = db.job(null);
            enqueue(job, receiver.url(), payload(job));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!"delivered".equals(db.status(job))) {
                assertThat(System.nanoTime()).as("delivered by the scheduled run").isLessThan(deadline);
                Thread.sleep(50);
            }
            assertThat(receiver.receipts()).hasSize(1);
        }
    }

    @Test
    void anEndpointFailingTwiceThenSucceedingGetsThreeAttempts() throws Exception {
        try (HookReceiver receiver = new HookReceiver(n -> n == 1 ? 500 : n == 2 ? 503 : 204)) {
            UUID job = db.job(null);
            enqueue(job, receiver.url(), payload(job));

            deliverUntil(() -> "delivered".equals(db.status(job)));

            Map<String, Object> row = db.delivery(job);
            assertThat(row.get("attempts")).isEqualTo(3);
            assertThat(row.get("last_status")).isEqualTo(204);
            assertThat(row.get("last_error")).isNull();
            assertThat(receiver.receipts()).extracting(r -> r.header("X-Webhook-Attempt")).containsExactly("1", "2", "3");
            assertThat(receiver.receipts()).extracting(Receipt::body).containsOnly(payload(job));
            assertThat(receiver.receipts()).extracting(Receipt::deliveryId).containsOnly(((Number) row.get("id")).longValue());
        }
    }

    @Test
    void anUnreachableEndpointIsRetriedThenGivenUpWithTheFailureRecorded() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        UUID job = db.job(null);
        enqueue(job, "http://127.0.0.1:" + closedPort + "/hook?token=secret", payload(job));

        // after a first failure the delivery is pending again, with the failure and a later attempt time
        deliverUntil(() -> ((Number) db.delivery(job).get("attempts")).intValue() >= 1);
        Map<String, Object> afterFirst = db.delivery(job);
        if (((Number) afterFirst.get("attempts")).intValue() == 1) {
            assertThat(afterFirst.get("status")).isEqualTo("pending");
            assertThat((String) afterFirst.get("last_error")).contains("connection failed");
        }

        deliverUntil(() -> "failed".equals(db.status(job)));

        Map<String, Object> row = db.delivery(job);
        assertThat(row.get("attempts")).isEqualTo(10);
        assertThat(row.get("last_status")).isNull();
        assertThat((String) row.get("last_error")).isEqualTo("connection failed (refused or unreachable)");
        assertThat(row.get("delivered_at")).isNull();
        assertThat(row.get("locked_until")).isNull();
        // given up means given up: further runs leave it alone
        worker.runOnce();
        assertThat(db.delivery(job).get("attempts")).isEqualTo(10);
    }

    @Test
    void anEndpointAnsweringErrorsIsGivenUpWithItsLastStatus() throws Exception {
        try (HookReceiver receiver = HookReceiver.answering(410)) {
            UUID job = db.job(null);
            enqueue(job, receiver.url(), payload(job));

            deliverUntil(() -> "failed".equals(db.status(job)));

            Map<String, Object> row = db.delivery(job);
            assertThat(row.get("attempts")).isEqualTo(10);
            assertThat(row.get("last_status")).isEqualTo(410);
            assertThat(row.get("last_error")).isEqualTo("HTTP 410");
            assertThat(receiver.receipts()).hasSize(10);
        }
    }

    @Test
    void aRedirectIsNotFollowed() throws Exception {
        // a redirect could point past the guard (at a private address): it is a failed attempt, its Location never called
        try (HookReceiver receiver = new HookReceiver(n -> n == 1 ? 302 : 200);
             HookReceiver elsewhere = HookReceiver.answering(200)) {
            receiver.redirectTo = elsewhere.url();
            UUID job = db.job(null);
            enqueue(job, receiver.url(), payload(job));

            deliverUntil(() -> "delivered".equals(db.status(job)));

            assertThat(db.delivery(job).get("attempts")).isEqualTo(2);
            assertThat(receiver.receipts()).hasSize(2);
            assertThat(elsewhere.receipts()).isEmpty();
        }
    }

    @Test
    void aUrlTheGuardRefusesForGoodIsFailedAtOnce() throws Exception {
        UUID job = db.job(null);
        enqueue(job, "ftp://127.0.0.1/hook", payload(job));

        deliverUntil(() -> "failed".equals(db.status(job)));

        Map<String, Object> row = db.delivery(job);
        assertThat(row.get("attempts")).isEqualTo(1);
        assertThat((String) row.get("last_error")).contains("http or https");
    }

    @Test
    void aDeliveryClaimedByAWorkerThatDiedIsDeliveredOnceItsLeaseEnds() throws Exception {
        try (HookReceiver receiver = HookReceiver.answering(200)) {
            UUID job = db.job(null);
            // claimed in the transaction that wrote it, so no live worker can get there first; then the worker "dies"
            long tenant = db.tenantOf(job);
            QuarkusTransaction.requiringNew().run(() -> {
                outbox.enqueue(job, tenant, receiver.url(), payload(job));
            });
            // what a claim writes: a lease far ahead, as if a worker took the row and the process was killed mid-send
            assertThat(db.update("UPDATE webhook_deliveries SET locked_until = now() + interval '1 hour' WHERE job_id = '"
                    + job + "' AND status = 'pending' AND attempts = 0")).isEqualTo(1);

            for (int i = 0; i < 5; i++) {
                worker.runOnce();
            }
            assertThat(receiver.receipts()).as("a leased delivery is left to its worker").isEmpty();
            assertThat(db.status(job)).isEqualTo("pending");

            // the restarted process (or any other instance) finds it once the lease has run out
            db.update("UPDATE webhook_deliveries SET locked_until = now() - interval '1 millisecond' WHERE job_id = '" + job + "'");
            deliverUntil(() -> "delivered".equals(db.status(job)));
            for (int i = 0; i < 5; i++) {
                worker.runOnce();
            }
            assertThat(receiver.receipts()).hasSize(1);
            assertThat(db.delivery(job).get("attempts")).isEqualTo(1);
        }
    }

    @Test
    void theOutcomeOfAWorkerWhoseLeaseRanOutIsNotRecorded() throws Exception {
        UUID job = db.job(null);
        long tenant = db.tenantOf(job);
        QuarkusTransaction.requiringNew().run(() -> {
            outbox.enqueue(job, tenant, "http://127.0.0.1:9/never-called", payload(job));
        });
        // a stale claim: the same row, but the lease it held was replaced by a newer claim
        long id = ((Number) db.delivery(job).get("id")).longValue();
        db.update("UPDATE webhook_deliveries SET locked_until = now() + interval '1 hour' WHERE id = " + id);
        ClaimedDelivery stale = new ClaimedDelivery(id, job, tenant, "http://127.0.0.1:9/never-called", payload(job), 0, 42L);

        assertThat(store.recordDelivered(stale, 200)).isFalse();
        assertThat(store.recordFailure(stale, 500, "HTTP 500", false, 10, 10)).isNull();
        Map<String, Object> row = db.delivery(job);
        assertThat(row.get("status")).isEqualTo("pending");
        assertThat(row.get("attempts")).isEqualTo(0);
        // leave nothing leased behind for other tests' workers
        db.update("UPDATE webhook_deliveries SET status = 'failed', locked_until = NULL WHERE id = " + id);
    }

    @Test
    void workersClaimingAtTheSameTimeNeverDeliverTheSameRowTwice() throws Exception {
        int deliveries = 60;
        try (HookReceiver receiver = HookReceiver.answering(200)) {
            long tenant = db.tenant();
            List<UUID> jobs = new ArrayList<>();
            for (int i = 0; i < deliveries; i++) {
                jobs.add(db.job(tenant));
            }
            // all due at the same moment, as after a burst of settlements
            QuarkusTransaction.requiringNew().run(() -> jobs.forEach(j -> outbox.enqueue(j, tenant, receiver.url(), payload(j))));
            Set<Long> ids = jobs.stream().map(j -> ((Number) db.delivery(j).get("id")).longValue()).collect(Collectors.toSet());

            // two claims racing, each at its own barrier-released moment: disjoint rows
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                CyclicBarrier start = new CyclicBarrier(2);
                Callable<List<ClaimedDelivery>> claim = () -> {
                    start.await();
                    return store.claimDue(20, Duration.ofHours(1));
                };
                Future<List<ClaimedDelivery>> a = pool.submit(claim);
                Future<List<ClaimedDelivery>> b = pool.submit(claim);
                Set<Long> claimedByA = a.get().stream().map(ClaimedDelivery::id).collect(Collectors.toSet());
                Set<Long> claimedByB = b.get().stream().map(ClaimedDelivery::id).collect(Collectors.toSet());
                // SKIP LOCKED: the second claimer skips what the first holds and takes the next rows
                // (the scheduled worker may take one batch of its own in between; 60 rows leave plenty for both)
                assertThat(claimedByA).isNotEmpty();
                assertThat(claimedByB).isNotEmpty();
                assertThat(Collections.disjoint(claimedByA, claimedByB)).as("%s and %s", claimedByA, claimedByB).isTrue();
                // both claimers abandon their rows (a crash); release every row they held so that workers retake them
                Set<Long> abandoned = new HashSet<>(claimedByA);
                abandoned.addAll(claimedByB);
                if (!abandoned.isEmpty()) {
                    db.update("UPDATE webhook_deliveries SET locked_until = now() - interval '1 millisecond' WHERE id IN ("
                            + abandoned.stream().map(String::valueOf).collect(Collectors.joining(",")) + ")");
                }

                // now four workers (plus the scheduled one) deliver the lot at once
                CyclicBarrier go = new CyclicBarrier(4);
                List<Future<?>> workers = new ArrayList<>();
                for (int w = 0; w < 4; w++) {
                    workers.add(pool.submit(() -> {
                        go.await();
                        deliverUntil(() -> jobs.stream().allMatch(j -> "delivered".equals(db.status(j))));
                        return null;
                    }));
                }
                for (Future<?> w : workers) {
                    w.get();
                }
            } finally {
                pool.shutdownNow();
            }

            List<Long> received = receiver.receipts().stream().map(Receipt::deliveryId).toList();
            assertThat(received).hasSize(deliveries).doesNotHaveDuplicates();
            assertThat(new HashSet<>(received)).isEqualTo(ids);
            for (UUID job : jobs) {
                assertThat(db.delivery(job).get("attempts")).isEqualTo(1);
            }
        }
    }

    @Test
    void enqueueingTwiceForOneJobMakesOneDelivery() throws Exception {
        try (HookReceiver receiver = HookReceiver.answering(200)) {
            UUID job = db.job(null);
            assertThat(enqueue(job, receiver.url(), payload(job))).isTrue();
            // a replayed settlement, even with another body, adds nothing
            assertThat(enqueue(job, receiver.url() + "?again", "{\"replayed\":true}")).isFalse();
            assertThat(db.countDeliveries(job)).isEqualTo(1);

            deliverUntil(() -> "delivered".equals(db.status(job)));
            assertThat(enqueue(job, receiver.url(), payload(job))).isFalse();
            for (int i = 0; i < 3; i++) {
                worker.runOnce();
            }
            assertThat(receiver.receipts()).hasSize(1);
            assertThat(receiver.receipts().get(0).body()).isEqualTo(payload(job));
        }
    }

    @Test
    void enqueueJoinsTheCallersTransactionAndNeedsOne() {
        UUID job = db.job(null);
        long tenant = db.tenantOf(job);
        assertThatThrownBy(() -> outbox.enqueue(job, tenant, "http://127.0.0.1/hook", payload(job)))
                .isInstanceOf(TransactionalException.class);
        // rolled back with the settlement that wrote it: no delivery without its settlement
        assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> {
            outbox.enqueue(job, tenant, "http://127.0.0.1/hook", payload(job));
            throw new IllegalStateException("settlement failed");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(db.countDeliveries(job)).isZero();
    }
}
