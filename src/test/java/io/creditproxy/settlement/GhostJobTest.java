package io.creditproxy.settlement;

import static io.creditproxy.support.ProxyCalls.eventually;
import static io.creditproxy.support.ProxyCalls.get;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.reliability.MoneyInvariants;
import io.creditproxy.sandbox.ReceivedSubmit;
import io.creditproxy.sandbox.SandboxServer;
import io.creditproxy.support.Fixtures;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, item 3: fal does not answer a submit in time, so the tenant gets 504 and a full refund; but fal had
 * queued the job and runs it. fal's signed webhook (to the proxy's own URL with the job id) reveals it: the job is
 * recorded as a ghost with fal's cost, flagged for review, counted in the finance reports and a metric; the
 * tenant's balance is not touched again.
 */
@QuarkusTest
class GhostJobTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final String FLUX = "fal-ai/flux-1/dev";

    @Inject
    SettlementSupport db;

    @Inject
    SandboxServer sandbox;

    @Inject
    MeterRegistry registry;

    @Inject
    io.creditproxy.billing.ReservationService reservations;

    record Ghost(String jobId, String falRequestId) {
    }

    long tenant() {
        long id = Fixtures.createTenant("ghost");
        Fixtures.topUp(id, 10_000);
        return id;
    }

    /** A submit fal answers too late (after fal.request-timeout, 2 s in tests) but queues and runs. */
    Ghost timedOutSubmit(String key, String markers, String idempotencyKey) {
        Response r = given().header("Authorization", "Bearer " + key).header("Idempotency-Key", idempotencyKey)
                .contentType(ContentType.JSON).body("{\"prompt\":\"a fox " + markers + "\",\"num_images\":2}")
                .post("/" + FLUX);
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(r.jsonPath().getString("error.code")).isEqualTo("upstream_timeout");
        ReceivedSubmit queued = sandbox.lastSubmits(20).stream().filter(s -> s.body().contains(idempotencyKey))
                .findFirst().orElseThrow();
        assertThat(queued.requestId()).as("the sandbox queued it").isNotNull();
        String jobId = queued.query().replaceAll(".*webhooks%2Ffal%2F([0-9a-f-]{36}).*", "$1");
        return new Ghost(jobId, queued.requestId());
    }

    double ghostCount(String source) {
        Counter c = registry.find("creditproxy.ghost.jobs").tag("source", source).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aTimedOutSubmitThatFalRanIsRecordedAsAGhostNotChargedAgain() {
        long tenant = tenant();
        String key = Fixtures.issueKey(tenant);
        double before = ghostCount("webhook");
        String idem = "ghost-" + System.nanoTime();
        // slow too: the run ends seconds after the proxy gave up and refunded
        Ghost ghost = timedOutSubmit(key, "[sandbox:submit-late] [sandbox:slow] " + idem, idem);

        // refunded at once, in full
        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000);
        assertThat(db.scalar("SELECT count(*) FROM settlements WHERE job_id = CAST(?1 AS uuid) AND outcome = 'voided'",
                ghost.jobId())).isEqualTo(1);

        // fal's webhook arrives later: the job is a ghost, with fal's cost, flagged for review
        eventually(WAIT, () -> db.scalar("SELECT count(*) FROM jobs WHERE id = CAST(?1 AS uuid) AND ghost", ghost.jobId()),
                n -> n == 1);
        assertThat(db.scalar("""
                SELECT count(*) FROM jobs WHERE id = CAST(?1 AS uuid) AND status = 'REJECTED' AND needs_review
                   AND ghost_request_id = ?2 AND delivered_units = 2 AND NOT ghost_pending AND ghost_at IS NOT NULL
                   AND request_id IS NULL""", ghost.jobId(), ghost.falRequestId())).isEqualTo(1);
        assertThat(ghostCount("webhook")).isEqualTo(before + 1);

        // a replay of fal's webhook changes nothing; one for another fal request is refused
        String again = "{\"request_id\":\"" + ghost.falRequestId() + "\",\"gateway_request_id\":\"" + ghost.falRequestId()
                + "\",\"status\":\"OK\",\"payload\":{\"images\":[{\"url\":\"u\"}]},\"error\":null}";
        assertThat(fakeFalWebhook(ghost.jobId(), ghost.falRequestId(), again)).isEqualTo(200);
        String otherId = java.util.UUID.randomUUID().toString();
        assertThat(fakeFalWebhook(ghost.jobId(), otherId, again.replace(ghost.falRequestId(), otherId))).isEqualTo(404);
        assertThat(db.scalar("SELECT delivered_units FROM jobs WHERE id = CAST(?1 AS uuid)", ghost.jobId())).isEqualTo(2);
        assertThat(ghostCount("webhook")).isEqualTo(before + 1);

        // the tenant's money is untouched: reserve and refund, nothing more, however often fal retries
        Map<String, Long> ledger = db.ledgerOfJob(ghost.falRequestId()); // no job has it as its request id
        assertThat(ledger).isEmpty();
        assertThat(ledgerOfJobId(ghost.jobId())).isEqualTo(Map.of("reserve", -1_500L, "refund", 1_500L));
        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
        MoneyInvariants.ofApplication().assertHold(List.of(tenant), true);

        // a replayed submit still answers what the tenant was told; fal's request stays out of the tenant's reach
        Response replay = given().header("Authorization", "Bearer " + key).header("Idempotency-Key", idem)
                .contentType(ContentType.JSON).body("{\"prompt\":\"a fox [sandbox:submit-late] [sandbox:slow] " + idem
                        + "\",\"num_images\":2}").post("/" + FLUX);
        assertThat(replay.statusCode()).isEqualTo(504);
        assertThat(get(key, "/fal-ai/flux-1/requests/" + ghost.falRequestId()).statusCode()).isEqualTo(404);
        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000);

        // the reports: a ghost (among the rejected), fal's cost of 2 images, and the loss in the margin
        String yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1).toString();
        String tomorrow = LocalDate.now(ZoneOffset.UTC).plusDays(2).toString();
        JsonPath report = given().auth().oauth2(Fixtures.financeToken())
                .get("/admin/reports/usage?tz=UTC&from=" + yesterday + "&to=" + tomorrow
                        + "&tenant_id=" + tenant)
                .then().statusCode(200).extract().jsonPath();
        Map<String, Object> totals = report.getMap("totals");
        assertThat(totals).containsEntry("jobs_submitted", 1).containsEntry("jobs_rejected", 1)
                .containsEntry("jobs_ghost", 1).containsEntry("credits_charged", 0)
                .containsEntry("revenue_cny", "0.000000").containsEntry("fal_cost_usd", "0.050000")
                .containsEntry("fal_cost_cny", "0.150000").containsEntry("margin_cny", "-0.150000");
        String csv = given().auth().oauth2(Fixtures.financeToken())
                .get("/admin/reports/usage?format=csv&tz=UTC&from=" + yesterday + "&to=" + tomorrow + "&tenant_id=" + tenant)
                .then().statusCode(200).extract().asString();
        assertThat(csv).contains("jobs_ghost");
        // the job's own view says so too
        JsonPath job = given().auth().oauth2(Fixtures.financeToken()).get("/admin/jobs/" + ghost.jobId())
                .then().statusCode(200).extract().jsonPath();
        assertThat(job.getBoolean("ghost")).isTrue();
        assertThat(job.getBoolean("needs_review")).isTrue();
    }

    @Test
    void aGhostWhoseWebhookHasNoPayloadIsCostedByTheReconcilersOwnProbe() {
        long tenant = tenant();
        String key = Fixtures.issueKey(tenant);
        String idem = "ghost-probe-" + System.nanoTime();
        Ghost ghost = timedOutSubmit(key, "[sandbox:submit-late] [sandbox:slow] [sandbox:webhook-payload-error] " + idem, idem);

        // the webhook says OK without a payload: a ghost whose cost the reconciler learns from fal itself
        eventually(WAIT, () -> db.scalar("SELECT count(*) FROM jobs WHERE id = CAST(?1 AS uuid) AND ghost", ghost.jobId()),
                n -> n == 1);
        eventually(WAIT, () -> db.scalar("""
                        SELECT count(*) FROM jobs WHERE id = CAST(?1 AS uuid) AND NOT ghost_pending AND delivered_units = 2
                           AND billable_units = '2'""", ghost.jobId()), n -> n == 1);
        assertThat(db.scalar("SELECT count(*) FROM jobs WHERE id = CAST(?1 AS uuid) AND needs_review AND status = 'REJECTED'",
                ghost.jobId())).isEqualTo(1);
        assertThat(ledgerOfJobId(ghost.jobId())).isEqualTo(Map.of("reserve", -1_500L, "refund", 1_500L));
        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
        MoneyInvariants.ofApplication().assertHold(List.of(tenant), true);
    }

    @Test
    void aSubmitFalAcceptedButThatWasRefundedAnywayIsAGhostCostedByTheReconciler() {
        long tenant = tenant();
        String key = Fixtures.issueKey(tenant);
        double before = ghostCount("submit");
        Response r = given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .body("{\"prompt\":\"a fox [sandbox:no-webhook] [sandbox:slow]\",\"num_images\":2}").post("/" + FLUX);
        assertThat(r.statusCode()).isEqualTo(200);
        String requestId = r.jsonPath().getString("request_id");
        String jobId = db.jobIdOf(requestId);
        // what the submit path does when recording fal's acceptance reports a failure that in fact committed
        reservations.rejected(java.util.UUID.fromString(jobId), 503, "{\"error\":{\"code\":\"unavailable\"}}");

        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000);
        assertThat(db.scalar("""
                SELECT count(*) FROM jobs WHERE id = CAST(?1 AS uuid) AND ghost AND needs_review AND ghost_request_id = ?2
                   AND request_id IS NULL""", jobId, requestId)).isEqualTo(1);
        assertThat(ghostCount("submit")).isEqualTo(before + 1);
        // the reconciler asks fal (its own clean request) what it delivered, once the run is over
        eventually(WAIT, () -> db.scalar("""
                        SELECT count(*) FROM jobs WHERE id = CAST(?1 AS uuid) AND NOT ghost_pending AND delivered_units = 2
                           AND billable_units = '2'""", jobId), n -> n == 1);
        assertThat(ledgerOfJobId(jobId)).isEqualTo(Map.of("reserve", -1_500L, "refund", 1_500L));
        assertThat(Fixtures.balance(tenant)).isEqualTo(10_000);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
        MoneyInvariants.ofApplication().assertHold(List.of(tenant), true);
    }

    /** A webhook signed with the sandbox's (fal's) key, posted to the proxy's own endpoint for the job. */
    private int fakeFalWebhook(String jobId, String requestId, String body) {
        byte[] raw = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return given().contentType(ContentType.JSON).body(raw)
                .headers(sandbox.signWebhook(requestId, raw, System.currentTimeMillis() / 1000))
                .post("/webhooks/fal/" + jobId).statusCode();
    }

    private Map<String, Long> ledgerOfJobId(String jobId) {
        Map<String, Long> out = new java.util.TreeMap<>();
        for (String kind : List.of("reserve", "refund", "release")) {
            long n = db.scalar("SELECT count(*) FROM ledger_entries WHERE job_id = CAST(?1 AS uuid) AND kind = ?2", jobId, kind);
            if (n > 0) {
                assertThat(n).as(kind + " entries").isEqualTo(1);
                out.put(kind, db.scalar("SELECT sum(amount) FROM ledger_entries WHERE job_id = CAST(?1 AS uuid) AND kind = ?2",
                        jobId, kind));
            }
        }
        return out;
    }
}
