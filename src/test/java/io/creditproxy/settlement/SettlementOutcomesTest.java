package io.creditproxy.settlement;

import static io.creditproxy.support.ProxyCalls.eventually;
import static io.creditproxy.support.ProxyCalls.get;
import static io.creditproxy.support.ProxyCalls.submit;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.sandbox.SandboxServer;
import io.creditproxy.settlement.SettlementSupport.Settled;
import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each outcome, with exact balances and ledger entries. */
@QuarkusTest
class SettlementOutcomesTest {

    static final Duration WAIT = Duration.ofSeconds(45);

    @Inject
    SettlementSupport db;

    @Inject
    SandboxServer sandbox;

    @Inject
    Reconciler reconciler;

    record Tenant(long id, String key) {
    }

    Tenant tenant(long credits) {
        long id = Fixtures.createTenant("settle");
        Fixtures.topUp(id, credits);
        return new Tenant(id, Fixtures.issueKey(id));
    }

    String submitOk(Tenant t, String model, String body) {
        Response r = submit(t.key(), model, body);
        r.then().statusCode(200);
        return r.jsonPath().getString("request_id");
    }

    @Test
    void successIsPostedByFalsWebhookAtTheReservedPrice() {
        Tenant t = tenant(10_000);
        String id = submitOk(t, "fal-ai/flux-1/dev", "{\"prompt\":\"ok\",\"num_images\":2}");
        Settled s = db.awaitSettlement(id, WAIT);
        assertThat(s).isEqualTo(new Settled("posted", 1_500, 1_500, 0, "webhook", "COMPLETED"));
        assertThat(Fixtures.balance(t.id())).isEqualTo(8_500);
        assertThat(db.ledgerOfJob(id)).isEqualTo(Map.of("reserve", -1_500L, "reserve#count", 1L));
        Fixtures.assertBalanceEqualsLedgerSum(t.id());
    }

    @Test
    void fewerImagesThanPaidForAreChargedAsDelivered() {
        Tenant t = tenant(10_000);
        String id = submitOk(t, "fal-ai/flux-1/dev", "{\"prompt\":\"[sandbox:fewer-images]\",\"num_images\":4}");
        Settled s = db.awaitSettlement(id, WAIT);
        // 4 reserved (3,000), 3 delivered (2,250), 1 released (750)
        assertThat(s).isEqualTo(new Settled("posted", 3_000, 2_250, 750, "webhook", "COMPLETED"));
        assertThat(Fixtures.balance(t.id())).isEqualTo(10_000 - 2_250);
        assertThat(db.ledgerOfJob(id)).containsEntry("reserve", -3_000L).containsEntry("release", 750L)
                .containsEntry("release#count", 1L);
        Fixtures.assertBalanceEqualsLedgerSum(t.id());
    }

    @Test
    void aSuccessWebhookWithoutPayloadIsPostedFromTheProxysOwnFetchNotRefunded() {
        Tenant t = tenant(10_000);
        // fal's {"status":"OK","payload":null,"payload_error":...}: the run succeeded, its output is at fal
        String id = submitOk(t, "fal-ai/flux-1/dev", "{\"prompt\":\"[sandbox:webhook-payload-error]\",\"num_images\":2}");
        Settled s = db.awaitSettlement(id, WAIT);
        assertThat(s.outcome()).isEqualTo("posted");
        assertThat(s.jobStatus()).isEqualTo("COMPLETED");
        assertThat(s.charged()).isEqualTo(1_500);
        assertThat(Fixtures.balance(t.id())).isEqualTo(8_500);
        assertThat(db.ledgerOfJob(id)).isEqualTo(Map.of("reserve", -1_500L, "reserve#count", 1L));
        Fixtures.assertBalanceEqualsLedgerSum(t.id());
    }

    @Test
    void aFailedRunIsVoided() {
        Tenant t = tenant(10_000);
        String id = submitOk(t, "fal-ai/kling-video/v1.6/standard/text-to-video", "{\"prompt\":\"[sandbox:fail]\"}");
        Settled s = db.awaitSettlement(id, WAIT);
        assertThat(s).isEqualTo(new Settled("voided", 6_750, 0, 6_750, "webhook", "FAILED"));
        assertThat(Fixtures.balance(t.id())).isEqualTo(10_000);
        assertThat(db.ledgerOfJob(id)).containsEntry("reserve", -6_750L).containsEntry("refund", 6_750L);
        Fixtures.assertBalanceEqualsLedgerSum(t.id());
    }

    @Test
    void aModelErrorIsVoidedToo() {
        Tenant t = tenant(10_000);
        String id = submitOk(t, "fal-ai/flux-1/dev", "{\"prompt\":\"[sandbox:fail-422]\"}");
        assertThat(db.awaitSettlement(id, WAIT).outcome()).isEqualTo("voided");
        assertThat(Fixtures.balance(t.id())).isEqualTo(10_000);
        Fixtures.assertBalanceEqualsLedgerSum(t.id());
    }

    @Test
    void cancelWhileQueuedIsVoided() {
        Tenant t = tenant(20_000);
        Response r = submit(t.key(), "fal-ai/kling-video/v1.6/pro/text-to-video", "{\"prompt\":\"[sandbox:slow-queue]\"}");
        String id = r.jsonPath().getString("request_id");
        given().header("Authorization", "Bearer " + t.key()).put(r.jsonPath().getString("cancel_url")).then().statusCode(202);
        Settled s = db.awaitSettlement(id, WAIT);
        assertThat(s.outcome()).isEqualTo("voided");
        assertThat(s.jobStatus()).isEqualTo("CANCELLED");
        assertThat(s.refunded()).isEqualTo(14_250);
        assertThat(Fixtures.balance(t.id())).isEqualTo(20_000);
        Fixtures.assertBalanceEqualsLedgerSum(t.id());
    }

    @Test
    void cancelWhileRunningSettlesOnTheEventualOutcome() {
        Tenant t = tenant(20_000);
        Response r = submit(t.key(), "fal-ai/flux-1/dev", "{\"prompt\":\"[sandbox:slow-run]\"}");
        String id = r.jsonPath().getString("request_id");
        eventually(WAIT, () -> get(t.key(), r.jsonPath().getString("status_url")),
                s -> "IN_PROGRESS".equals(s.jsonPath().getString("status")));
        given().header("Authorization", "Bearer " + t.key()).put(r.jsonPath().getString("cancel_url")).then().statusCode(202);
        // fal completes it anyway: the job is posted, not refunded
        Settled s = db.awaitSettlement(id, WAIT);
        assertThat(s.outcome()).isEqualTo("posted");
        assertThat(s.charged()).isEqualTo(750);
        assertThat(Fixtures.balance(t.id())).isEqualTo(20_000 - 750);
        Fixtures.assertBalanceEqualsLedgerSum(t.id());
    }

    @Test
    void aResultPollSettlesWhenTheWebhookIsLost() {
        Tenant t = tenant(10_000);
        Response r = submit(t.key(), "fal-ai/flux-1/dev", "{\"prompt\":\"[sandbox:no-webhook]\",\"num_images\":2}");
        String id = r.jsonPath().getString("request_id");
        eventually(WAIT, () -> get(t.key(), r.jsonPath().getString("response_url")), x -> x.statusCode() == 200);
        Settled s = db.awaitSettlement(id, WAIT);
        assertThat(s.outcome()).isEqualTo("posted");
        assertThat(s.source()).isIn("poll", "reconciler");
        assertThat(Fixtures.balance(t.id())).isEqualTo(8_500);
        Fixtures.assertBalanceEqualsLedgerSum(t.id());
    }

    @Test
    void theReconcilerSettlesJobsNobodyAsksAbout() {
        Tenant t = tenant(10_000);
        String ok = submitOk(t, "fal-ai/flux-1/dev", "{\"prompt\":\"[sandbox:no-webhook]\"}");
        String failed = submitOk(t, "fal-ai/flux-1/dev", "{\"prompt\":\"[sandbox:no-webhook] [sandbox:fail]\"}");
        Settled a = db.awaitSettlement(ok, WAIT);
        Settled b = db.awaitSettlement(failed, WAIT);
        assertThat(a).isEqualTo(new Settled("posted", 750, 750, 0, "reconciler", "COMPLETED"));
        assertThat(b).isEqualTo(new Settled("voided", 750, 0, 750, "reconciler", "FAILED"));
        assertThat(Fixtures.balance(t.id())).isEqualTo(10_000 - 750);
        Fixtures.assertBalanceEqualsLedgerSum(t.id());
    }

    @Test
    void aJobFalNoLongerKnowsKeepsItsChargeAndIsFlaggedForReview() {
        Tenant t = tenant(10_000);
        String id = submitOk(t, "fal-ai/flux-1/dev", "{\"prompt\":\"[sandbox:no-webhook] [sandbox:slow]\"}");
        // as if fal's retention were over: its URLs now lead to an id fal does not know
        String base = sandbox.baseUrl() + "/fal-ai/flux-1/requests/00000000-0000-4000-8000-00000000dead";
        db.sql("UPDATE jobs SET status_url = ?1, response_url = ?2, created_at = now() - interval '2 hours' WHERE request_id = ?3",
                base + "/status", base, id);
        Settled s = db.awaitSettlement(id, WAIT);
        assertThat(s).isEqualTo(new Settled("kept_for_review", 750, 750, 0, "reconciler", "EXPIRED"));
        assertThat(db.scalar("SELECT count(*) FROM jobs WHERE request_id = ?1 AND needs_review", id)).isEqualTo(1);
        assertThat(Fixtures.balance(t.id())).isEqualTo(10_000 - 750);
        Fixtures.assertBalanceEqualsLedgerSum(t.id());
    }

    @Test
    void aReservationThatNeverReachedFalIsVoided() {
        Tenant t = tenant(10_000);
        // a submit whose process died between the reservation's commit and the forward
        Response r = submit(t.key(), "fal-ai/flux-1/dev", "{\"prompt\":\"[sandbox:slow]\"}");
        String id = r.jsonPath().getString("request_id");
        String jobId = db.jobIdOf(id);
        db.sql("UPDATE jobs SET status = 'RESERVED', request_id = NULL, created_at = now() - interval '1 hour' WHERE id = CAST(?1 AS uuid)", jobId);
        eventually(WAIT, () -> db.scalar("SELECT count(*) FROM settlements WHERE job_id = CAST(?1 AS uuid)", jobId), n -> n == 1L);
        assertThat(db.scalar("SELECT refunded FROM settlements WHERE job_id = CAST(?1 AS uuid)", jobId)).isEqualTo(750);
        assertThat(Fixtures.balance(t.id())).isEqualTo(10_000);
        Fixtures.assertBalanceEqualsLedgerSum(t.id());
    }

    @Test
    void upstreamRefusalAtSubmitIsAVoidSettlement() {
        Tenant t = tenant(10_000);
        Response r = submit(t.key(), "fal-ai/flux-1/dev", "{\"prompt\":\"[sandbox:submit-500]\"}");
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(db.scalar("""
                SELECT count(*) FROM settlements s JOIN jobs j ON j.id = s.job_id
                WHERE j.tenant_id = ?1 AND s.outcome = 'voided' AND s.source = 'submit' AND j.status = 'REJECTED'""", t.id()))
                .isEqualTo(1);
        assertThat(Fixtures.balance(t.id())).isEqualTo(10_000);
        Fixtures.assertBalanceEqualsLedgerSum(t.id());
    }
}
