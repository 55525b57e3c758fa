package io.creditproxy.proxy;

import static io.creditproxy.support.ProxyCalls.eventually;
import static io.creditproxy.support.ProxyCalls.get;
import static io.creditproxy.support.ProxyCalls.submit;
import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.creditproxy.billing.KeptResults;
import io.creditproxy.sandbox.SandboxServer;
import io.creditproxy.sandbox.SandboxSettings;
import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Results outlive fal's retention: once the sandbox (like fal) forgets a finished request, the proxy still answers
 * {@code GET /{app}/requests/{id}} from its own copy, to the owner only, until its retention ends; then fal's 404 again.
 * Test settings: results.inline-max-bytes=512 (bytes) and results.directory under target/, so a 4-image result goes to a file.
 */
@QuarkusTest
class KeptResultTest {

    @Inject
    SandboxServer sandbox;

    @Inject
    KeptResults keptResults;

    @Inject
    AgroalDataSource db;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aResultFalForgotIsServedToItsOwnerUntilTheProxysRetentionEnds() throws Exception {
        long owner = Fixtures.createTenant("kept-owner");
        Fixtures.topUp(owner, 10_000);
        String key = Fixtures.issueKey(owner);
        long other = Fixtures.createTenant("kept-other");
        Fixtures.topUp(other, 10_000);
        String otherKey = Fixtures.issueKey(other);

        // one image (kept in PostgreSQL) and four (above the test's 512-byte inline limit: kept in a file)
        Response one = submit(key, "fal-ai/flux-1/dev", "{\"prompt\":\"kept one\"}");
        Response four = submit(key, "fal-ai/flux-1/dev", "{\"prompt\":\"kept four\",\"num_images\":4}");
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(four.statusCode()).isEqualTo(200);
        String oneUrl = one.jsonPath().getString("response_url");
        String fourUrl = four.jsonPath().getString("response_url");
        String oneId = one.jsonPath().getString("request_id");
        String fourId = four.jsonPath().getString("request_id");

        // while fal has it: fal's answer, rewritten; the job settles (fal's webhook) and its result is kept
        Response fromFalOne = eventually(Duration.ofSeconds(20), () -> get(key, oneUrl), r -> r.statusCode() == 200);
        Response fromFalFour = eventually(Duration.ofSeconds(20), () -> get(key, fourUrl), r -> r.statusCode() == 200);
        Map<String, Object> keptOne = eventually(Duration.ofSeconds(20), () -> keptRow(oneId), r -> r != null);
        Map<String, Object> keptFour = eventually(Duration.ofSeconds(20), () -> keptRow(fourId), r -> r != null);
        assertThat(keptOne.get("body")).isNotNull();
        assertThat(keptOne.get("file_name")).isNull();
        assertThat(keptFour.get("body")).isNull();
        assertThat(keptFour.get("file_name")).isEqualTo(keptFour.get("job_id") + ".json");
        Path file = Path.of("target/kept-results").resolve((String) keptFour.get("file_name"));
        assertThat(file).exists();
        long balance = Fixtures.balance(owner);
        assertThat(balance).isEqualTo(10_000 - 750 - 4 * 750);
        int ledgerSize = Fixtures.ledger(owner).size();

        SandboxSettings saved = sandbox.settings().copy();
        try {
            // the sandbox forgets finished requests, as fal does after its retention
            sandbox.settings().resultRetention(Duration.ofMillis(1)).largeResultRetention(Duration.ofMillis(1));
            Thread.sleep(20);
            HttpResponse<String> falNow = http.send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl()
                    + "/fal-ai/flux-1/requests/" + oneId)).header("Authorization", "Key x").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(falNow.statusCode()).isEqualTo(404);

            // the proxy still has them: the same answer as fal's, for the owner
            Response keptNowOne = get(key, oneUrl);
            assertThat(keptNowOne.statusCode()).isEqualTo(200);
            assertThat(keptNowOne.header("x-fal-request-id")).isEqualTo(oneId);
            assertThat(keptNowOne.header("Content-Type")).startsWith("application/json");
            assertThat(keptNowOne.jsonPath().getMap("$")).isEqualTo(fromFalOne.jsonPath().getMap("$"));
            Response keptNowFour = get(key, fourUrl);
            assertThat(keptNowFour.statusCode()).isEqualTo(200);
            assertThat(keptNowFour.jsonPath().getList("images")).hasSize(4);
            assertThat(keptNowFour.jsonPath().getMap("$")).isEqualTo(fromFalFour.jsonPath().getMap("$"));

            // another tenant: 404 like an unknown id, nothing served, nothing moves
            Response stranger = get(otherKey, oneUrl);
            assertThat(stranger.statusCode()).isEqualTo(404);
            assertThat(stranger.asString()).doesNotContain("images");
            assertThat(get(otherKey, fourUrl).statusCode()).isEqualTo(404);

            // reading moves no credit
            assertThat(Fixtures.balance(owner)).isEqualTo(balance);
            assertThat(Fixtures.ledger(owner)).hasSize(ledgerSize);
            Fixtures.assertBalanceEqualsLedgerSum(owner);
            assertThat(Fixtures.balance(other)).isEqualTo(10_000);
            assertThat(Fixtures.ledger(other)).hasSize(1);
            Fixtures.assertBalanceEqualsLedgerSum(other);

            // the proxy's retention ends: the cleanup deletes rows and files, and fal's own 404 comes back
            update("UPDATE kept_results SET kept_until = now() - interval '1 second' WHERE job_id IN (?, ?)",
                    keptOne.get("job_id"), keptFour.get("job_id"));
            assertThat(keptResults.deleteExpired()).isGreaterThanOrEqualTo(2);
            assertThat(keptRow(oneId)).isNull();
            assertThat(keptRow(fourId)).isNull();
            assertThat(file).doesNotExist();
            Response gone = get(key, oneUrl);
            assertThat(gone.statusCode()).isEqualTo(404);
            assertThat(gone.asString()).doesNotContain("images");
            assertThat(get(key, fourUrl).statusCode()).isEqualTo(404);
        } finally {
            sandbox.settings().applyRuntime(saved);
        }
        assertThat(Fixtures.balance(owner)).isEqualTo(balance);
        Fixtures.assertBalanceEqualsLedgerSum(owner);
    }

    @Test
    void aFailedJobKeepsNothing() {
        long tenant = Fixtures.createTenant("kept-failed");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);
        Response failed = submit(key, "fal-ai/flux-1/dev", "{\"prompt\":\"[sandbox:fail]\"}");
        String id = failed.jsonPath().getString("request_id");
        // refunded in full once settled
        eventually(Duration.ofSeconds(20), () -> Fixtures.balance(tenant), b -> b == 10_000);
        assertThat(keptRow(id)).isNull();
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    /** The kept_results row of the job with this fal request id, or null. */
    private Map<String, Object> keptRow(String requestId) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT k.job_id, k.body, k.file_name, k.size_bytes FROM kept_results k JOIN jobs j ON j.id = k.job_id "
                        + "WHERE j.request_id = ?")) {
            ps.setString(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
                }
                return row;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void update(String sql, Object... params) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
