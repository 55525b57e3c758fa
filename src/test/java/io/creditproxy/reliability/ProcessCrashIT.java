package io.creditproxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The proxy is killed with SIGKILL after a submit's reservation committed and before fal answered the forward (the
 * upstream here takes the connection and never answers), then started again: the job left RESERVED without a fal
 * request id is voided by the reconciler (the orphan rule), the whole price goes back once, and the books balance.
 * From PostgreSQL's side this state is the same as a kill between the reservation and the forward itself.
 */
class ProcessCrashIT {

    private static final String FLUX = "fal-ai/flux-1/dev";

    @Test
    void aReservationOrphanedByKill9IsRefundedOnceAfterRestart() throws Exception {
        String jdbc = ItEnvironment.freshDatabase("crash");
        MoneyInvariants money = new MoneyInvariants(jdbc);
        Map<String, String> fastOrphans = Map.of("SETTLEMENT_ORPHAN_AFTER", "2s", "SETTLEMENT_RECONCILE_INTERVAL", "500ms");
        try (ServerSocket silentFal = new ServerSocket(0)) {
            CountDownLatch forwarded = new CountDownLatch(3);
            Thread acceptor = new Thread(() -> swallow(silentFal, forwarded), "silent-fal");
            acceptor.setDaemon(true);
            acceptor.start();
            String upstream = "http://127.0.0.1:" + silentFal.getLocalPort();

            long tenant;
            String key;
            try (ProxyProcess first = ProxyProcess.start("crash-first", jdbc, ItEnvironment.redisUrl(), upstream, fastOrphans)) {
                String token = first.adminToken();
                Http http = first.http();
                Http.Answer created = http.adminPost(token, "/admin/tenants", "{\"name\":\"crash\"}", null);
                tenant = Long.parseLong(created.body().replaceAll(".*\"id\"\\s*:\\s*(\\d+).*", "$1"));
                assertThat(http.adminPost(token, "/admin/tenants/" + tenant + "/credits",
                        "{\"amount\":10000,\"reason\":\"crash\"}", "crash-topup").status()).isEqualTo(201);
                key = http.adminPost(token, "/admin/tenants/" + tenant + "/keys", "{\"name\":\"k\"}", null).body()
                        .replaceAll(".*\"key\"\\s*:\\s*\"([^\"]+)\".*", "$1");
                String k = key;
                for (int i = 0; i < 3; i++) {
                    int n = i;
                    // these never get an answer: the process dies under them
                    CompletableFuture.runAsync(() -> {
                        try {
                            http.submit(k, FLUX, "{\"prompt\":\"crash " + n + "\",\"num_images\":2}", "crash-" + n);
                        } catch (RuntimeException expected) {
                            // connection lost when the proxy is killed
                        }
                    });
                }
                assertThat(forwarded.await(30, TimeUnit.SECONDS)).as("the submits reached the upstream").isTrue();
                assertThat(money.scalar("SELECT count(*) FROM jobs WHERE tenant_id = ? AND status = 'RESERVED'", tenant))
                        .isEqualTo(3);
                assertThat(money.scalar("SELECT balance FROM tenants WHERE id = ?", tenant)).isEqualTo(10_000 - 3 * 1500);
                first.kill9();
            }

            // restarted (now with a working upstream would not matter: these jobs have no fal request id)
            try (ProxyProcess second = ProxyProcess.start("crash-second", jdbc, ItEnvironment.redisUrl(), upstream, fastOrphans)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (money.openJobs(List.of(tenant)) > 0 && System.nanoTime() < deadline) {
                    ProxyProcess.sleep(200);
                }
                money.assertHold(List.of(tenant), true);
                assertThat(money.scalar("SELECT count(*) FROM jobs WHERE tenant_id = ? AND status = 'REJECTED'", tenant))
                        .isEqualTo(3);
                assertThat(money.scalar("SELECT count(*) FROM settlements s JOIN jobs j ON j.id = s.job_id "
                        + "WHERE j.tenant_id = ? AND s.outcome = 'voided' AND s.refunded = 1500", tenant)).isEqualTo(3);
                assertThat(money.scalar("SELECT balance FROM tenants WHERE id = ?", tenant)).isEqualTo(10_000);
                // the replay of a voided job's key charges nothing more and says what happened, for good
                for (int i = 0; i < 2; i++) {
                    Http.Answer replay = second.http().submit(key, FLUX, "{\"prompt\":\"crash 0\",\"num_images\":2}", "crash-0");
                    assertThat(replay.status()).isEqualTo(503);
                    assertThat(replay.body()).contains("\"code\":\"not_forwarded\"");
                }
                assertThat(money.scalar("SELECT balance FROM tenants WHERE id = ?", tenant)).isEqualTo(10_000);
                money.assertHold(List.of(tenant), true);
            }
        }
    }

    /** Accepts connections, reads what arrives, never answers. */
    private static void swallow(ServerSocket server, CountDownLatch forwarded) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread reader = new Thread(() -> {
                    try (s; InputStream in = s.getInputStream()) {
                        byte[] buffer = new byte[8192];
                        boolean counted = false;
                        while (in.read(buffer) >= 0) {
                            if (!counted) {
                                forwarded.countDown();
                                counted = true;
                            }
                        }
                    } catch (IOException ignored) {
                        // the proxy went away
                    }
                });
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                return;
            }
        }
    }
}
