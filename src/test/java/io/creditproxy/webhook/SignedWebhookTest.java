package io.creditproxy.webhook;

import static io.creditproxy.support.ProxyCalls.eventually;
import static io.creditproxy.support.ProxyCalls.submit;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditproxy.common.Ed25519;
import io.creditproxy.support.Fixtures;
import io.creditproxy.webhook.HookReceiver.Receipt;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Tenants' webhooks are signed in fal's format with the proxy's key, whose public half the proxy serves as fal's JWKS:
 * a tenant verifies a delivery exactly as fal documents it (any published key verifies
 * {@code request_id \n user_id \n timestamp \n hex(sha256(body))}); a changed body or timestamp does not verify.
 */
@QuarkusTest
class SignedWebhookTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    WebhookSigningKeyStore store;

    @Inject
    WebhookSigningKeys keys;

    @Inject
    io.agroal.api.AgroalDataSource db;

    /** What a tenant does: fetch the proxy's JWKS and keep the Ed25519 keys. */
    private static List<PublicKey> jwks(String path) throws Exception {
        Response r = given().get(path);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        JsonNode body = JSON.readTree(r.asString());
        List<PublicKey> out = new ArrayList<>();
        for (JsonNode key : body.path("keys")) {
            assertThat(key.path("kty").asText()).isEqualTo("OKP");
            assertThat(key.path("crv").asText()).isEqualTo("Ed25519");
            assertThat(key.path("kid").asText()).isNotBlank();
            out.add(Ed25519.fromJwkX(key.path("x").asText()));
        }
        assertThat(out).isNotEmpty();
        return out;
    }

    /** fal's documented check: valid when any key verifies. */
    private static boolean verifies(List<PublicKey> keys, String requestId, String userId, String timestamp,
                                    String signature, byte[] body) {
        byte[] message = Ed25519.falWebhookMessage(requestId, userId, timestamp, body);
        return keys.stream().anyMatch(k -> Ed25519.verifyHex(k, message, signature));
    }

    @Test
    void aDeliveryAfterSettlementVerifiesWithTheProxysJwksAndATamperedOneDoesNot() throws Exception {
        long tenant = Fixtures.createTenant("signed-webhook");
        Fixtures.topUp(tenant, 10_000);
        String key = Fixtures.issueKey(tenant);
        try (HookReceiver receiver = HookReceiver.answering(204)) {
            Response submitted = submit(key, "fal-ai/flux-1/dev",
                    "{\"prompt\":\"signed\",\"webhook\":\"" + receiver.url() + "?token=t\"}");
            assertThat(submitted.statusCode()).isEqualTo(200);
            String requestId = submitted.jsonPath().getString("request_id");

            List<Receipt> receipts = eventually(Duration.ofSeconds(20), receiver::receipts, r -> !r.isEmpty());
            Receipt receipt = receipts.get(0);
            byte[] body = receipt.body().getBytes(StandardCharsets.UTF_8);
            String timestamp = receipt.header(WebhookSigningKeys.TIMESTAMP);
            String signature = receipt.header(WebhookSigningKeys.SIGNATURE);

            assertThat(receipt.header(WebhookSigningKeys.REQUEST_ID)).isEqualTo(requestId);
            assertThat(receipt.header(WebhookSigningKeys.USER_ID)).isEqualTo(Long.toString(tenant));
            assertThat(Long.parseLong(timestamp)).isBetween(System.currentTimeMillis() / 1000 - 60,
                    System.currentTimeMillis() / 1000 + 5);
            assertThat(signature).matches("[0-9a-f]{128}");
            // the existing delivery headers stay
            assertThat(receipt.header("X-Webhook-Delivery-Id")).isNotBlank();
            assertThat(receipt.header("X-Webhook-Attempt")).isEqualTo("1");
            assertThat(JSON.readTree(body).path("request_id").asText()).isEqualTo(requestId);

            List<PublicKey> published = jwks("/.well-known/jwks.json");
            assertThat(verifies(published, requestId, Long.toString(tenant), timestamp, signature, body)).isTrue();

            // tampered: the body, the timestamp, the user id, the request id
            byte[] changed = receipt.body().replace("\"OK\"", "\"ERROR\"").getBytes(StandardCharsets.UTF_8);
            assertThat(changed).isNotEqualTo(body);
            assertThat(verifies(published, requestId, Long.toString(tenant), timestamp, signature, changed)).isFalse();
            assertThat(verifies(published, requestId, Long.toString(tenant), Long.toString(Long.parseLong(timestamp) + 1),
                    signature, body)).isFalse();
            assertThat(verifies(published, requestId, Long.toString(tenant + 1), timestamp, signature, body)).isFalse();
            assertThat(verifies(published, requestId + "x", Long.toString(tenant), timestamp, signature, body)).isFalse();
        }
        // the job was charged once, as usual: one image of flux-1/dev
        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000 - 750);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void theJwksIsNotTakenForAModelAndNeedsNoKey() {
        Response r = given().get("/.well-known/jwks.json");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.jsonPath().getList("keys.kid")).contains(keys.active().kid());
        assertThat(r.header("Cache-Control")).contains("max-age=300");
        // a POST there is not a submit of a model ".well-known/jwks.json"
        Response post = given().contentType("application/json").body("{}").post("/.well-known/jwks.json");
        assertThat(post.statusCode()).isIn(404, 405);
    }

    @Test
    void theKeyIsKeptInPostgresAndItsPrivateHalfCanBeEncryptedWithTheAdminKeySecret() {
        WebhookSigningKeyStore.ActiveKey active = keys.active();
        WebhookSigningKeyStore.ActiveKey again = store.loadOrCreate(Optional.empty());
        assertThat(again.generated()).isFalse();
        assertThat(again.kid()).isEqualTo(active.kid());
        assertThat(again.pair().getPublic()).isEqualTo(active.pair().getPublic());

        // encrypted in place, then opened with the right secret, a wrong one, none; each in a transaction rolled back,
        // so that the test database keeps its plain key
        inRolledBackTransaction(() -> {
            WebhookSigningKeyStore.ActiveKey sealed = store.loadOrCreate(Optional.of("a-test-secret"));
            assertThat(sealed.encrypted()).isTrue();
            assertThat(sealed.kid()).isEqualTo(active.kid());
            WebhookSigningKeyStore.ActiveKey reopened = store.loadOrCreate(Optional.of("a-test-secret"));
            assertThat(reopened.pair().getPublic()).isEqualTo(active.pair().getPublic());
            byte[] message = "m".getBytes(StandardCharsets.UTF_8);
            assertThat(Ed25519.verify(active.pair().getPublic(), message,
                    Ed25519.sign(reopened.pair().getPrivate(), message))).isTrue();
        });
        inRolledBackTransaction(() -> {
            store.loadOrCreate(Optional.of("a-test-secret"));
            assertThatThrownBy(() -> store.loadOrCreate(Optional.of("wrong-secret")))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("does not decrypt");
        });
        inRolledBackTransaction(() -> {
            store.loadOrCreate(Optional.of("a-test-secret"));
            assertThatThrownBy(() -> store.loadOrCreate(Optional.empty()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("is encrypted");
        });
        assertThat(store.loadOrCreate(Optional.empty()).encrypted()).isFalse();
    }

    @Test
    void instancesStartingTogetherAgreeOnOneKeyAndTheOldOneStaysPublished() throws Exception {
        String before = keys.active().kid();
        sql("UPDATE webhook_signing_keys SET active = false WHERE kid = ?", before);
        int instances = 6;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(instances);
        try {
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(instances);
            List<java.util.concurrent.Future<WebhookSigningKeyStore.ActiveKey>> racing = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                racing.add(pool.submit(() -> {
                    start.await();
                    return store.loadOrCreate(Optional.empty());
                }));
            }
            List<WebhookSigningKeyStore.ActiveKey> got = new ArrayList<>();
            for (var f : racing) {
                got.add(f.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            String kid = got.get(0).kid();
            assertThat(kid).isNotEqualTo(before);
            assertThat(got).extracting(WebhookSigningKeyStore.ActiveKey::kid).containsOnly(kid);
            assertThat(got).filteredOn(WebhookSigningKeyStore.ActiveKey::generated).hasSize(1);
            assertThat(got).extracting(k -> k.pair().getPublic()).containsOnly(got.get(0).pair().getPublic());
            assertThat(count("SELECT count(*) FROM webhook_signing_keys WHERE active")).isEqualTo(1);
            // rotation: the old key stays published beside the new one until it is retired
            assertThat(store.published()).extracting(WebhookSigningKeyStore.PublishedKey::kid).contains(before, kid);
            sql("UPDATE webhook_signing_keys SET retired_at = now() WHERE kid = ?", before);
            assertThat(store.published()).extracting(WebhookSigningKeyStore.PublishedKey::kid).contains(kid)
                    .doesNotContain(before);
        } finally {
            pool.shutdownNow();
            // the test database as it was: the key this application signs with is the active one again
            sql("DELETE FROM webhook_signing_keys WHERE kid <> ?", before);
            sql("UPDATE webhook_signing_keys SET active = true, retired_at = NULL WHERE kid = ?", before);
        }
        assertThat(store.loadOrCreate(Optional.empty()).kid()).isEqualTo(before);
    }

    private void sql(String statement, Object... params) {
        try (java.sql.Connection c = db.getConnection(); java.sql.PreparedStatement ps = c.prepareStatement(statement)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private long count(String query) {
        try (java.sql.Connection c = db.getConnection(); java.sql.PreparedStatement ps = c.prepareStatement(query);
                java.sql.ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void inRolledBackTransaction(Runnable work) {
        QuarkusTransaction.begin();
        try {
            work.run();
        } finally {
            QuarkusTransaction.rollback();
        }
    }
}
