package io.creditproxy.settlement;

import static io.creditproxy.support.ProxyCalls.eventually;
import static io.creditproxy.support.ProxyCalls.get;
import static io.creditproxy.support.ProxyCalls.submit;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditproxy.sandbox.FalBilling;
import io.creditproxy.settlement.SettlementSupport.Settled;
import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rule "charged >= fal's bill" end to end, through the real proxy and the simulator: what the tenant's balance
 * and ledger lose for a job is at least fal's bill (the simulator's X-Fal-Billable-Units, priced by its own copy of
 * fal's prices) at the sale rate, and a refused input moves no credit.
 */
@QuarkusTest
class FalBillEndToEndTest {

    static final Duration WAIT = Duration.ofSeconds(45);

    @Inject
    SettlementSupport db;

    static long saleCredits(BigDecimal usd) {
        return usd.multiply(BigDecimal.valueOf(30_000)).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    long tenant(long credits) {
        long id = Fixtures.createTenant("fal-bill");
        Fixtures.topUp(id, credits);
        return id;
    }

    /** Submits, waits for the settlement, and checks the charge against fal's bill; returns what was charged. */
    long chargedAndCovered(String key, String model, String body) {
        Response r = submit(key, model, body);
        r.then().statusCode(200);
        String requestId = r.jsonPath().getString("request_id");
        Settled s = db.awaitSettlement(requestId, WAIT);
        assertThat(s.outcome()).as("%s %s", model, body).isEqualTo("posted");
        Response result = eventually(WAIT, () -> get(key, r.jsonPath().getString("response_url")), x -> x.statusCode() == 200);
        FalBilling.Bill bill = FalBilling.bill(model, body).orElseThrow();
        assertThat(result.getHeader("X-Fal-Billable-Units")).as("fal's units for %s", model)
                .isEqualTo(Long.toString(bill.units()));
        assertThat(s.charged()).as("%s %s: charged vs fal's %s USD", model, body, bill.usd())
                .isGreaterThanOrEqualTo(saleCredits(bill.usd()));
        return s.charged();
    }

    @Test
    void fourImagesOf4096SquaredOnFluxDevCostFalsSixtyEightMegapixels() {
        long tenant = tenant(100_000);
        String key = Fixtures.issueKey(tenant);
        String body = "{\"prompt\":\"x\",\"num_images\":4,\"image_size\":{\"width\":4096,\"height\":4096}}";
        long charged = chargedAndCovered(key, "fal-ai/flux-1/dev", body);
        // 4 x ceil(16.78 MP) = 68 MP x $0.025 x 3 x 10,000
        assertThat(charged).isEqualTo(51_000);
        assertThat(Fixtures.balance(tenant)).isEqualTo(49_000);
        assertThat(Fixtures.ledger(tenant)).extracting(e -> e.get("kind"), e -> ((Number) e.get("amount")).longValue())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("reserve", -51_000L),
                        org.assertj.core.groups.Tuple.tuple("topup", 100_000L));
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }

    @Test
    void aSampleOfTrickyInputsIsChargedAtLeastFalsBillOrRefusedWithoutACharge() {
        long tenant = tenant(2_000_000);
        String key = Fixtures.issueKey(tenant);
        List<String[]> sample = List.of(
                new String[] {"fal-ai/flux-1/dev", "{\"num_images\":\"3\",\"image_size\":\"square_hd\"}"},
                new String[] {"fal-ai/flux-1/schnell", "{\"num_images\":1,\"num_images\":4.0,\"image_size\":{\"width\":\"2048\",\"height\":1536}}"},
                new String[] {"fal-ai/flux-lora", "{\"num_images\":true,\"image_size\":{\"width\":1500,\"height\":1500,\"width\":3000}}"},
                new String[] {"fal-ai/veo3/fast", "{\"duration\":\"6s\",\"generate_audio\":false,\"generate_audio\":true}"},
                new String[] {"fal-ai/veo3", "{\"duration\":\"4s\",\"generate_audio\":false}"},
                new String[] {"fal-ai/bytedance/seedream/v4/text-to-image", "{\"num_images\":2,\"max_images\":\"3\"}"},
                new String[] {"fal-ai/minimax/hailuo-02/standard/text-to-video", "{\"duration\":\"10\",\"resolution\":\"512P\"}"},
                new String[] {"fal-ai/kling-video/v2.5-turbo/pro/text-to-video", "{\"duration\":\"10\"}"},
                new String[] {"fal-ai/pixverse/v4.5/text-to-video", "{\"duration\":\"8\",\"resolution\":\"540p\"}"},
                new String[] {"fal-ai/nano-banana", "{\"num_images\":\" 2 \"}"});
        long expected = 2_000_000;
        for (String[] c : sample) {
            expected -= chargedAndCovered(key, c[0], c[1]);
            assertThat(Fixtures.balance(tenant)).isEqualTo(expected);
        }
        // refused before any charge: 422 naming the field fal would read and the table cannot price
        Map<String, String[]> refused = Map.of(
                "image_size", new String[] {"fal-ai/flux-1/dev", "{\"image_size\":{\"width\":20000,\"height\":20000}}"},
                "generate_audio", new String[] {"fal-ai/veo3", "{\"generate_audio\":\"yes\"}"},
                "resolution", new String[] {"fal-ai/imagen4/preview", "{\"resolution\":\"2K\"}"},
                "max_images", new String[] {"fal-ai/bytedance/seedream/v4/edit", "{\"max_images\":7}"});
        refused.forEach((param, c) -> {
            Response r = submit(key, c[0], c[1]);
            r.then().statusCode(422);
            assertThat(r.jsonPath().getString("error.code")).isEqualTo("invalid_parameter");
            assertThat(r.jsonPath().getString("error.param")).isEqualTo(param);
        });
        Response required = submit(key, "fal-ai/qwen-image-edit-plus", "{\"prompt\":\"x\",\"image_urls\":[\"https://x/a.png\"]}");
        required.then().statusCode(422);
        assertThat(required.jsonPath().getString("error.param")).isEqualTo("image_size");
        assertThat(Fixtures.balance(tenant)).isEqualTo(expected);
        Fixtures.assertBalanceEqualsLedgerSum(tenant);
    }
}
