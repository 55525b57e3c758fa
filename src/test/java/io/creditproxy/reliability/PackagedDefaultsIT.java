package io.creditproxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The packaged application (prod profile) with only what a person must choose: no JWT key files, no FAL_KEY, the
 * built-in sandbox as the upstream. Two instances starting at once on an empty database generate one admin JWT pair
 * in PostgreSQL between them and accept each other's tokens; a restart reuses it; configured key files win over it.
 * A submit through the sandbox is accepted and billed without any fal key.
 */
class PackagedDefaultsIT {

    private static final String FLUX = "fal-ai/flux-1/dev";
    private static final Pattern FINGERPRINT = Pattern.compile("fingerprint ([0-9a-f]{16})");
    private static final String GENERATED = "this instance generated an RSA-2048 pair";
    private static final String REUSED = "using the pair stored in PostgreSQL";

    /** the settings a person must choose (the admin) and the sandbox instead of a fal key */
    private static Map<String, String> sandboxWithoutFalKey() {
        Map<String, String> env = new HashMap<>();
        env.put("FAL_UPSTREAM", "sandbox");
        env.put("FAL_KEY", null);
        env.put("FAL_QUEUE_URL", null);
        env.put("SANDBOX_PORT", "0");
        return env;
    }

    @Test
    void startsWithNoKeyFilesAndNoFalKeyAndEveryInstanceSharesOneStoredPair() throws Exception {
        String jdbc = ItEnvironment.freshDatabase("defaults");
        MoneyInvariants money = new MoneyInvariants(jdbc);
        String redis = ItEnvironment.redisUrl();

        String tokenOfA;
        long tenant;
        String fingerprint;
        // two instances starting at the same moment on an empty database
        CompletableFuture<ProxyProcess> startA = CompletableFuture.supplyAsync(
                () -> ProxyProcess.start("defaults-a", jdbc, redis, null, sandboxWithoutFalKey()));
        CompletableFuture<ProxyProcess> startB = CompletableFuture.supplyAsync(
                () -> ProxyProcess.start("defaults-b", jdbc, redis, null, sandboxWithoutFalKey()));
        try (ProxyProcess a = startA.get(4, TimeUnit.MINUTES); ProxyProcess b = startB.get(4, TimeUnit.MINUTES)) {
            String logA = a.logText();
            String logB = b.logText();
            assertThat(count(logA, GENERATED) + count(logB, GENERATED)).as("instances that generated a pair").isEqualTo(1);
            assertThat(count(logA, REUSED) + count(logB, REUSED)).as("instances that read it back").isEqualTo(1);
            fingerprint = fingerprint(logA);
            assertThat(fingerprint(logB)).as("both use the same pair").isEqualTo(fingerprint);
            assertThat(money.scalar("SELECT count(*) FROM admin_jwt_keys")).isEqualTo(1);
            String storedPrivateKey = storedPrivateKeyBody(money);
            for (String log : List.of(logA, logB)) {
                assertThat(log).as("the private key is never logged").doesNotContain(storedPrivateKey.substring(0, 64));
                assertThat(log).contains("NOT encrypted").contains("ADMIN_JWT_KEY_SECRET");
            }

            // a token of one instance works on the other, both ways
            tokenOfA = a.adminToken();
            String tokenOfB = b.adminToken();
            assertThat(b.http().adminGet(tokenOfA, "/admin/tenants").status()).isEqualTo(200);
            assertThat(a.http().adminGet(tokenOfB, "/admin/tenants").status()).isEqualTo(200);

            // FAL_UPSTREAM=sandbox without FAL_KEY: a submit is accepted by the sandbox and billed
            Http http = a.http();
            Http.Answer created = http.adminPost(tokenOfA, "/admin/tenants", "{\"name\":\"defaults\"}", null);
            assertThat(created.status()).isEqualTo(201);
            tenant = Long.parseLong(created.body().replaceAll(".*\"id\"\\s*:\\s*(\\d+).*", "$1"));
            assertThat(b.http().adminPost(tokenOfB, "/admin/tenants/" + tenant + "/credits",
                    "{\"amount\":10000,\"reason\":\"defaults\"}", "defaults-topup").status()).isEqualTo(201);
            String key = http.adminPost(tokenOfA, "/admin/tenants/" + tenant + "/keys", "{\"name\":\"k\"}", null).body()
                    .replaceAll(".*\"key\"\\s*:\\s*\"([^\"]+)\".*", "$1");
            Http.Answer submit = http.submit(key, FLUX, "{\"prompt\":\"defaults\"}", null);
            assertThat(submit.status()).as(submit.body()).isEqualTo(200);
            assertThat(submit.body()).doesNotContain("No user found");
            String requestId = submit.body().replaceAll(".*\"request_id\"\\s*:\\s*\"([^\"]+)\".*", "$1");
            assertThat(money.scalar("SELECT balance FROM tenants WHERE id = ?", tenant)).isEqualTo(10_000 - 750);
            assertThat(money.scalar("SELECT count(*) FROM ledger_entries WHERE tenant_id = ? AND kind = 'reserve' "
                    + "AND amount = -750", tenant)).isEqualTo(1);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (money.openJobs(List.of(tenant)) > 0 && System.nanoTime() < deadline) {
                http.get(key, "/fal-ai/flux-1/requests/" + requestId + "/status");
                ProxyProcess.sleep(200);
            }
            assertThat(money.scalar("SELECT count(*) FROM jobs WHERE tenant_id = ? AND status = 'COMPLETED'", tenant))
                    .as("the sandbox ran the job").isEqualTo(1);
            assertThat(money.scalar("SELECT balance FROM tenants WHERE id = ?", tenant)).as("billed").isEqualTo(9_250);
            money.assertHold(List.of(tenant), true);
        }

        // a restart reads the stored pair: tokens issued before it stay valid
        try (ProxyProcess c = ProxyProcess.start("defaults-restart", jdbc, redis, null, sandboxWithoutFalKey())) {
            assertThat(c.logText()).contains(REUSED).doesNotContain(GENERATED);
            assertThat(fingerprint(c.logText())).isEqualTo(fingerprint);
            assertThat(c.http().adminGet(tokenOfA, "/admin/tenants/" + tenant).status()).isEqualTo(200);
        }

        // configured key files win over the stored pair
        Map<String, String> withFiles = sandboxWithoutFalKey();
        withFiles.putAll(ProxyProcess.jwtKeyFiles());
        try (ProxyProcess d = ProxyProcess.start("defaults-files", jdbc, redis, null, withFiles)) {
            assertThat(d.logText()).contains("configured keys win").doesNotContain(REUSED).doesNotContain(GENERATED);
            assertThat(d.http().adminGet(tokenOfA, "/admin/tenants").status())
                    .as("a token of the stored pair is refused where files are configured").isEqualTo(401);
            String token = d.adminToken();
            assertThat(verifies(token)).as("its tokens are signed with the file's key").isTrue();
            assertThat(d.http().adminGet(token, "/admin/tenants").status()).isEqualTo(200);
        }
        assertThat(money.scalar("SELECT count(*) FROM admin_jwt_keys")).isEqualTo(1);
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static String fingerprint(String log) {
        Matcher m = FINGERPRINT.matcher(log);
        assertThat(m.find()).as("the log names the pair's fingerprint").isTrue();
        return m.group(1);
    }

    private static String storedPrivateKeyBody(MoneyInvariants money) throws Exception {
        try (Connection c = money.connect(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT private_key FROM admin_jwt_keys")) {
            r.next();
            return r.getString(1).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        }
    }

    /** RS256 signature of a compact JWT checked against the public key of the configured key files */
    private static boolean verifies(String jwt) throws Exception {
        int lastDot = jwt.lastIndexOf('.');
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initVerify(ProxyProcess.jwtKeyFilesPublicKey());
        rs256.update(jwt.substring(0, lastDot).getBytes(StandardCharsets.US_ASCII));
        return rs256.verify(Base64.getUrlDecoder().decode(jwt.substring(lastDot + 1)));
    }
}
