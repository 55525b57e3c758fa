package io.creditproxy.settlement;

import static io.creditproxy.support.ProxyCalls.eventually;
import static io.creditproxy.support.ProxyCalls.submit;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.reliability.MoneyInvariants;
import io.creditproxy.settlement.SettlementSupport.Settled;
import io.creditproxy.support.FakeFal.Job;
import io.creditproxy.support.FakeFal.Received;
import io.creditproxy.support.FakeFal.Reply;
import io.creditproxy.support.FakeFal;
import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Against a recording fake fal: only the proxy's own clean request to fal decides an outcome (issue 11, item 2);
 * an answer without a readable payload, an unknown status word or an unrecognised shape never refunds a job fal
 * ran (item 1); fal's webhooks are pinned to the operator's fal account (item 4). Every test checks the books.
 */
@QuarkusTest
@TestProfile(FakeFalProfile.class)
class FalOutcomeTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final String FLUX = "fal-ai/flux-1/dev";

    @Inject
    SettlementSupport db;

    final FakeFal fal = FakeFalProfile.FAL;

    record Tenant(long id, String key) {
    }

    Tenant tenant() {
        long id = Fixtures.createTenant("fake-fal");
        Fixtures.topUp(id, 10_000);
        return new Tenant(id, Fixtures.issueKey(id));
    }

    /** Two images reserved (1,500 credits). */
    Response submitTwoImages(Tenant t, FakeFal.Script script) {
        fal.nextScript(script);
        Response r = submit(t.key(), FLUX, "{\"prompt\":\"a fox\",\"num_images\":2}");
        r.then().statusCode(200);
        return r;
    }

    void assertBooks(Tenant t) {
        Fixtures.assertBalanceEqualsLedgerSum(t.id());
        MoneyInvariants.ofApplication().assertHold(List.of(t.id()), false);
    }

    /** The proxy's own requests for a job: none carries the tenant's query, X-Fal-* headers or Accept. */
    List<Received> proxysOwn(String requestId) {
        return fal.seenFor(requestId).stream().filter(s -> !s.tenantShaped()).toList();
    }

    /**
     * A result the tenant's own request can see differently from the proxy's: no images for a request carrying a
     * tenant's query or headers (the edge no longer forwards them on a result) and for the first result request,
     * which is the tenant's (the proxy asks only after relaying the tenant's answer). Settling from the tenant's
     * answer would void the job.
     */
    static FakeFal.Script steerableResult() {
        java.util.concurrent.atomic.AtomicInteger results = new java.util.concurrent.atomic.AtomicInteger();
        return new FakeFal.Script() {
            @Override
            public Reply status(Job job, Received seen) {
                return FakeFal.completedStatus(job);
            }

            @Override
            public Reply result(Job job, Received seen) {
                boolean first = results.getAndIncrement() == 0;
                return first || seen.tenantShaped() ? Reply.json(200, "{\"images\":[]}") : FakeFal.images(job, 2);
            }
        };
    }

    // ---- item 2: only the proxy's own clean fetch decides ----------------------------------------------------

    @Test
    void aTenantsQueryOnAResultPollCannotSteerTheOutcome() {
        Tenant t = tenant();
        Response r = submitTwoImages(t, steerableResult());
        String id = r.jsonPath().getString("request_id");

        // the tenant asks with its own query (and RestAssured's Accept): fal's answer to it is relayed unchanged
        Response relayed = given().header("Authorization", "Bearer " + t.key())
                .get(r.jsonPath().getString("response_url") + "?logs=1");
        assertThat(relayed.statusCode()).isEqualTo(200);
        assertThat(relayed.jsonPath().getList("images")).isEmpty();

        // ... but the job is settled from the proxy's own request: 2 images delivered, nothing refunded
        Settled s = db.awaitSettlement(id, WAIT);
        assertThat(s).isEqualTo(new Settled("posted", 1_500, 1_500, 0, "poll", "COMPLETED"));
        assertThat(Fixtures.balance(t.id())).isEqualTo(8_500);
        assertThat(db.ledgerOfJob(id)).isEqualTo(Map.of("reserve", -1_500L, "reserve#count", 1L));
        assertProxyAskedCleanly(id, 0);
        assertBooks(t);
    }

    @Test
    void aTenantsHeadersAndQueryOnAStatusPollCannotSteerTheOutcome() {
        Tenant t = tenant();
        Response r = submitTwoImages(t, new FakeFal.Script() {
            @Override
            public Reply status(Job job, Received seen) {
                // what a tenant's query or headers could make fal (or a model app) answer: a failure
                return seen.tenantShaped()
                        ? Reply.json(200, "{\"status\":\"COMPLETED\",\"request_id\":\"" + job.requestId
                        + "\",\"error\":\"steered\",\"error_type\":\"internal_server_error\"}")
                        : FakeFal.completedStatus(job);
            }

            @Override
            public Reply result(Job job, Received seen) {
                return FakeFal.images(job, 2);
            }
        });
        String id = r.jsonPath().getString("request_id");

        Response relayed = given().header("Authorization", "Bearer " + t.key())
                .header("X-Fal-Runner-Hint", "steer").header("Accept", "application/json")
                .get(r.jsonPath().getString("status_url") + "?logs=1");
        assertThat(relayed.statusCode()).isEqualTo(200);
        assertThat(relayed.jsonPath().getString("error")).isEqualTo("steered");

        Settled s = db.awaitSettlement(id, WAIT);
        assertThat(s).isEqualTo(new Settled("posted", 1_500, 1_500, 0, "poll", "COMPLETED"));
        assertThat(Fixtures.balance(t.id())).isEqualTo(8_500);
        assertProxyAskedCleanly(id, 1);
        assertBooks(t);
    }

    /** The proxy fetched status and result itself, with none of the tenant's query or headers. */
    private void assertProxyAskedCleanly(String id, int tenantShaped) {
        List<Received> own = proxysOwn(id);
        assertThat(own).extracting(Received::path).contains("/fal-ai/flux-1/requests/" + id + "/status",
                "/fal-ai/flux-1/requests/" + id);
        for (Received s : own) {
            assertThat(s.query()).as("query of the proxy's own request").isNull();
            assertThat(s.headers().keySet()).as("headers of the proxy's own request")
                    .noneMatch(h -> h.startsWith("x-fal-") || h.equals("accept") || h.equals("accept-language"));
            assertThat(s.headers().get("authorization")).containsExactly("Key fake-key-id:fake-key-secret");
        }
        // only the tenant's own poll carried the tenant's things (a result poll carries none: the edge drops them)
        assertThat(FakeFal.tenantShaped(fal.seenFor(id))).hasSize(tenantShaped);
    }

    // ---- item 1: no refund for an answer that lacks its payload or is not understood ------------------------

    @Test
    void aSuccessWebhookWithoutPayloadIsSettledFromTheProxysOwnFetch() {
        Tenant t = tenant();
        String id = submitTwoImages(t, FakeFal.completed()).jsonPath().getString("request_id");
        HttpResponse<String> hook = fal.sendWebhook(id, FakeFal.webhookBody(id, "OK", "null",
                "\"payload_error\":\"Response payload is not JSON serializable\""), FakeFal.OPERATOR_ACCOUNT);
        assertThat(hook.statusCode()).isEqualTo(200);

        Settled s = db.awaitSettlement(id, WAIT);
        assertThat(s).isEqualTo(new Settled("posted", 1_500, 1_500, 0, "webhook", "COMPLETED"));
        assertThat(db.ledgerOfJob(id)).doesNotContainKey("refund");
        assertThat(Fixtures.balance(t.id())).isEqualTo(8_500);
        assertThat(proxysOwn(id)).extracting(Received::path).contains("/fal-ai/flux-1/requests/" + id);
        assertBooks(t);
    }

    @Test
    void anUnknownWebhookStatusWordMakesTheProxyAskFalItself() {
        Tenant t = tenant();
        String id = submitTwoImages(t, FakeFal.completed()).jsonPath().getString("request_id");
        HttpResponse<String> hook = fal.sendWebhook(id, FakeFal.webhookBody(id, "SUCCEEDED_PARTIALLY", "null", null),
                FakeFal.OPERATOR_ACCOUNT);
        assertThat(hook.statusCode()).isEqualTo(200);

        Settled s = db.awaitSettlement(id, WAIT);
        assertThat(s).isEqualTo(new Settled("posted", 1_500, 1_500, 0, "webhook", "COMPLETED"));
        assertThat(Fixtures.balance(t.id())).isEqualTo(8_500);
        assertBooks(t);
    }

    @Test
    void anUnrecognisedOutputIsHeldRetriedAndFinallyKeptForReviewNeverRefunded() {
        Tenant t = tenant();
        String unrecognised = "{\"output\":{\"url\":\"https://v3.fal.media/files/fake/x.png\"}}";
        String id = submitTwoImages(t, new FakeFal.Script() {
            @Override
            public Reply status(Job job, Received seen) {
                return FakeFal.completedStatus(job);
            }

            @Override
            public Reply result(Job job, Received seen) {
                return Reply.json(200, unrecognised);
            }
        }).jsonPath().getString("request_id");
        assertThat(fal.sendWebhook(id, FakeFal.webhookBody(id, "OK", unrecognised, null), FakeFal.OPERATOR_ACCOUNT)
                .statusCode()).isEqualTo(200);

        // the proxy asked fal itself, could not decide either: the job stays held
        eventually(WAIT, () -> proxysOwn(id).size(), n -> n >= 2);
        assertThat(db.settlementRows(id)).isZero();

        // the reconciler retries (with its back-off): still held, never refunded
        long attempts = db.scalar("SELECT check_attempts FROM jobs WHERE request_id = ?1", id);
        db.sql("UPDATE jobs SET next_check_at = now() WHERE request_id = ?1", id);
        eventually(WAIT, () -> db.scalar("SELECT check_attempts FROM jobs WHERE request_id = ?1", id), n -> n > attempts);
        eventually(WAIT, () -> proxysOwn(id).size(), n -> n >= 4);
        assertThat(db.settlementRows(id)).isZero();
        assertThat(db.scalar("SELECT count(*) FROM jobs WHERE request_id = ?1 AND next_check_at > now()", id)).isEqualTo(1);
        assertThat(Fixtures.balance(t.id())).isEqualTo(8_500);

        // long enough undecided: kept for review with its charge
        db.sql("UPDATE jobs SET created_at = now() - interval '3 days', next_check_at = now() WHERE request_id = ?1", id);
        Settled s = db.awaitSettlement(id, WAIT);
        assertThat(s).isEqualTo(new Settled("kept_for_review", 1_500, 1_500, 0, "reconciler", "COMPLETED"));
        assertThat(db.scalar("SELECT count(*) FROM jobs WHERE request_id = ?1 AND needs_review", id)).isEqualTo(1);
        assertThat(db.ledgerOfJob(id)).isEqualTo(Map.of("reserve", -1_500L, "reserve#count", 1L));
        assertThat(Fixtures.balance(t.id())).isEqualTo(8_500);
        assertBooks(t);
    }

    @Test
    void aDefiniteErrorStillVoids() {
        Tenant t = tenant();
        String id = submitTwoImages(t, FakeFal.completed()).jsonPath().getString("request_id");
        assertThat(fal.sendWebhook(id, FakeFal.webhookBody(id, "ERROR", "{\"detail\":\"boom\"}",
                "\"error\":\"Invalid status code: 500\""), FakeFal.OPERATOR_ACCOUNT).statusCode()).isEqualTo(200);
        Settled s = db.awaitSettlement(id, WAIT);
        assertThat(s).isEqualTo(new Settled("voided", 1_500, 0, 1_500, "webhook", "FAILED"));
        assertThat(Fixtures.balance(t.id())).isEqualTo(10_000);
        assertBooks(t);
    }

    // ---- item 4: webhooks pinned to the operator's fal account ------------------------------------------------

    @Test
    void aWebhookSignedByFalForAnotherAccountIsRefusedAndSettlesNothing() {
        Tenant t = tenant();
        String id = submitTwoImages(t, FakeFal.completed()).jsonPath().getString("request_id");
        String failed = FakeFal.webhookBody(id, "ERROR", "{\"detail\":\"boom\"}", "\"error\":\"Invalid status code: 500\"");

        // validly signed by fal's key, but for someone else's fal account (e.g. a tenant's own)
        HttpResponse<String> foreign = fal.sendWebhook(id, failed, "someone-elses-account");
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(foreign.body()).contains("\"code\":\"foreign_fal_account\"");
        assertThat(db.settlementRows(id)).isZero();
        assertThat(Fixtures.balance(t.id())).isEqualTo(8_500);

        // the operator's own account: accepted
        assertThat(fal.sendWebhook(id, failed, FakeFal.OPERATOR_ACCOUNT).statusCode()).isEqualTo(200);
        assertThat(db.awaitSettlement(id, WAIT).outcome()).isEqualTo("voided");
        assertThat(Fixtures.balance(t.id())).isEqualTo(10_000);
        assertBooks(t);
    }
}
