package io.creditproxy.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditproxy.common.ApiException;
import io.creditproxy.sandbox.FalBilling;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The rule "every input fal accepts costs the tenant at least fal's bill at the sale rate", property-style: for every
 * enabled model of the shipped price list, thousands of random bodies an attacker could send (sizes, counts,
 * durations, resolutions, audio, repeated keys, numbers as strings, floats and booleans, values out of range) are
 * priced by the proxy ({@link PriceCalculator}, as {@code ProxyRoutes} parses a body) and billed by the simulator's
 * independent copy of fal's prices ({@link FalBilling}, which reads them as fal's pydantic does). Each input is either
 * refused by the proxy with a 4xx before any charge, or priced at no less than fal's bill x 3 x 10,000.
 */
class FalBillCoverageTest {

    private static final BigDecimal RATE = new BigDecimal("3");
    private static final BigDecimal PER_CNY = new BigDecimal("10000");
    private static final int INPUTS_PER_MODEL = 3_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    static List<PriceRule> enabledRules() {
        return PriceTableLoader.readPriceList("pricing/models.csv").stream()
                .filter(e -> e.usdPrice() != null && e.enabled())
                .map(PriceRule::parse)
                .toList();
    }

    /** fal's bill at the sale rate, in credits (rounded up, like every price). */
    static long saleCredits(BigDecimal usd) {
        return usd.multiply(RATE).multiply(PER_CNY).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    @Test
    void everyEnabledModelHasAnIndependentFalPrice() {
        assertThat(enabledRules()).extracting(PriceRule::id).allSatisfy(id -> assertThat(FalBilling.knows(id))
                .as("the simulator's fal price book lists %s", id).isTrue());
    }

    @Test
    void noInputFalAcceptsCostsTheTenantLessThanFalsBill() throws Exception {
        Random random = new Random(20261202L);
        int refused = 0;
        int priced = 0;
        int falRefused = 0;
        for (PriceRule rule : enabledRules()) {
            FalInputGenerator gen = new FalInputGenerator(random);
            for (int i = 0; i < INPUTS_PER_MODEL; i++) {
                String body = gen.body(rule);
                Outcome o = check(rule, body);
                switch (o) {
                    case REFUSED -> refused++;
                    case PRICED -> priced++;
                    case FAL_REFUSES -> falRefused++;
                }
            }
        }
        // the generator reaches all three cases, so the property is not vacuous
        assertThat(priced).isGreaterThan(10_000);
        assertThat(refused).isGreaterThan(1_000);
        assertThat(falRefused).isGreaterThan(100);
    }

    enum Outcome { REFUSED, PRICED, FAL_REFUSES }

    /** Checks one body against one model; fails the test when the proxy would charge less than fal bills. */
    static Outcome check(PriceRule rule, String body) throws Exception {
        Optional<FalBilling.Bill> bill = FalBilling.bill(rule.id(), body);
        Quote quote;
        try {
            JsonNode node = JSON.readTree(body);
            quote = PriceCalculator.quote(rule, node, RATE, PER_CNY);
        } catch (ApiException e) {
            assertThat(e.status()).as("refusal of %s %s", rule.id(), body).isBetween(400, 499);
            return Outcome.REFUSED;
        }
        if (bill.isEmpty()) {
            return Outcome.FAL_REFUSES;
        }
        long falSale = saleCredits(bill.get().usd());
        if (quote.credits() < falSale) {
            fail("%s %s: the proxy reserves %d credits, fal bills %s (%d %s) = %d credits at the sale rate",
                    rule.id(), body, quote.credits(), bill.get().usd().toPlainString(), bill.get().units(),
                    bill.get().unit(), falSale);
        }
        return Outcome.PRICED;
    }

    @Test
    void fourImagesOf4096SquaredOnFluxDevCostAtLeastFalsSixtyEightMegapixels() throws Exception {
        PriceRule flux = enabledRules().stream().filter(r -> r.id().equals("fal-ai/flux-1/dev")).findFirst().orElseThrow();
        String body = "{\"prompt\":\"x\",\"num_images\":4,\"image_size\":{\"width\":4096,\"height\":4096}}";
        FalBilling.Bill bill = FalBilling.bill(flux.id(), body).orElseThrow();
        assertThat(bill.units()).isEqualTo(68);
        assertThat(saleCredits(bill.usd())).isEqualTo(51_000);
        assertThat(PriceCalculator.quote(flux, JSON.readTree(body), RATE, PER_CNY).credits()).isEqualTo(51_000);
        assertThat(check(flux, body)).isEqualTo(Outcome.PRICED);
    }

    @Test
    void knownTricksArePricedAsFalReadsThemOrRefused() throws Exception {
        List<String[]> cases = new ArrayList<>();
        // model, body
        cases.add(new String[] {"fal-ai/flux-1/dev", "{\"num_images\":1,\"num_images\":4,\"image_size\":\"square_hd\"}"});
        cases.add(new String[] {"fal-ai/flux-1/dev", "{\"num_images\":\"4\",\"image_size\":{\"width\":\"4096\",\"height\":4096.0}}"});
        cases.add(new String[] {"fal-ai/flux-1/dev", "{\"num_images\":true,\"image_size\":{\"width\":14142,\"height\":14142}}"});
        cases.add(new String[] {"fal-ai/flux-1/dev", "{\"image_size\":{\"width\":20000,\"height\":20000}}"});
        cases.add(new String[] {"fal-ai/flux-1/dev", "{\"image_size\":{\"width\":4096}}"});
        cases.add(new String[] {"fal-ai/veo3", "{\"generate_audio\":false,\"generate_audio\":true}"});
        cases.add(new String[] {"fal-ai/veo3", "{\"generate_audio\":\"yes\"}"});
        cases.add(new String[] {"fal-ai/veo3", "{\"generate_audio\":0,\"duration\":\"8s\"}"});
        cases.add(new String[] {"fal-ai/bytedance/seedream/v4/text-to-image", "{\"num_images\":6,\"max_images\":\"6\"}"});
        cases.add(new String[] {"fal-ai/qwen-image-edit-plus", "{\"num_images\":2}"});
        cases.add(new String[] {"fal-ai/imagen4/preview", "{\"resolution\":\"2K\"}"});
        for (String[] c : cases) {
            PriceRule rule = enabledRules().stream().filter(r -> r.id().equals(c[0])).findFirst().orElseThrow();
            check(rule, c[1]);
        }
    }
}
