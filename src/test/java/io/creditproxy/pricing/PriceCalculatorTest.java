package io.creditproxy.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditproxy.common.ApiException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Pins the prices of the shipped price list at the seeds' rate (3 CNY per USD, 10,000 credits per CNY). */
class PriceCalculatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final BigDecimal RATE = new BigDecimal("3");
    private static final BigDecimal PER_CNY = new BigDecimal("10000");
    // the priced models; the listed unpriced ones are never quoted
    private static final Map<String, PriceRule> RULES = PriceTableLoader.readPriceList("pricing/models.csv").stream()
            .filter(e -> e.usdPrice() != null)
            .map(PriceRule::parse)
            .collect(Collectors.toMap(PriceRule::id, Function.identity()));

    private static long credits(String model, String body) {
        return quote(model, body).credits();
    }

    private static Quote quote(String model, String body) {
        try {
            JsonNode node = JSON.readTree(body);
            return PriceCalculator.quote(RULES.get(model), node, RATE, PER_CNY);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void aTenantMultiplierIsPartOfTheOneExactProduct() {
        PriceRule flux = RULES.get("fal-ai/flux-1/dev");
        // 750 x 0.9 = 675; 90 x 1.2345 = 111.105 -> 112 (up); 750 x 4/3 x 0.3333 = 333.3 -> 334
        assertThat(PriceCalculator.quote(flux, null, RATE, PER_CNY, new BigDecimal("0.9")).credits()).isEqualTo(675);
        assertThat(PriceCalculator.quote(RULES.get("fal-ai/flux-1/schnell"), null, RATE, PER_CNY, new BigDecimal("1.2345")).credits())
                .isEqualTo(112);
        assertThat(PriceCalculator.credits(new BigDecimal("0.025"), 1, Fraction.parse("4/3"), RATE, PER_CNY, new BigDecimal("0.3333")))
                .isEqualTo(334);
        assertThat(PriceCalculator.quote(flux, null, RATE, PER_CNY, new BigDecimal("0.9")).priceMultiplier())
                .isEqualByComparingTo("0.9");
    }

    @Test
    void theUnpricedSeedModelsAreListedDisabled() {
        List<PriceListEntry> unpriced = PriceTableLoader.readPriceList("pricing/models.csv").stream()
                .filter(e -> e.usdPrice() == null).toList();
        assertThat(unpriced).hasSize(15).noneMatch(PriceListEntry::enabled);
        assertThat(unpriced).extracting(PriceListEntry::id).contains("fal-ai/nano-banana", "fal-ai/veo3",
                "fal-ai/bytedance/seedream/v4/text-to-image", "fal-ai/wan/v2.2-a14b/image-to-image", "fal-ai/qwen-image-edit-plus",
                "fal-ai/vidu/reference-to-image", "fal-ai/imagen4/preview", "fal-ai/kling-video/v2.5-turbo/pro/text-to-video",
                "fal-ai/flux-lora");
    }

    @Test
    void theListHasAllThirtyOneModelsOfTheSeeds() {
        assertThat(RULES).hasSize(31);
        assertThat(RULES.values()).allMatch(PriceRule::enabled);
        assertThat(RULES.values().stream().filter(r -> r.unit() == PriceUnit.image)).hasSize(11);
        assertThat(RULES.values().stream().filter(r -> r.unit() == PriceUnit.second)).hasSize(14);
        assertThat(RULES.values().stream().filter(r -> r.unit() == PriceUnit.clip)).hasSize(6);
    }

    @Test
    void imagesArePricedPerImage() {
        assertThat(credits("fal-ai/flux-1/dev", "{\"prompt\":\"a cat\"}")).isEqualTo(750);
        assertThat(credits("fal-ai/flux-1/dev", "{\"num_images\":4}")).isEqualTo(3_000);
        assertThat(credits("fal-ai/flux-1/schnell", "{}")).isEqualTo(90);
        assertThat(credits("fal-ai/flux-pro/kontext/max", "{}")).isEqualTo(2_400);
        assertThat(credits("fal-ai/flux-pro/kontext", "{\"num_images\":null}")).isEqualTo(1_200);

        Quote q = quote("fal-ai/flux-1/dev", "{\"num_images\":4}");
        assertThat(q).isEqualTo(new Quote("fal-ai/flux-1/dev", "image", 4, new BigDecimal("0.025"), "1", RATE, PER_CNY, 3_000));
    }

    @Test
    void videosArePricedPerSecondWithFalsDefaultDuration() {
        assertThat(credits("fal-ai/kling-video/v1.6/standard/text-to-video", "{}")).isEqualTo(6_750);
        assertThat(credits("fal-ai/kling-video/v1.6/standard/text-to-video", "{\"duration\":\"5\"}")).isEqualTo(6_750);
        assertThat(credits("fal-ai/kling-video/v1.6/standard/text-to-video", "{\"duration\":\"10\"}")).isEqualTo(13_500);
        assertThat(credits("fal-ai/kling-video/v1.6/standard/text-to-video", "{\"duration\":10}")).isEqualTo(13_500);
        assertThat(credits("fal-ai/kling-video/v2.1/master/text-to-video", "{}")).isEqualTo(42_000);
        assertThat(credits("fal-ai/minimax/hailuo-02/standard/text-to-video", "{}")).isEqualTo(8_100);
        assertThat(credits("fal-ai/minimax/hailuo-02/standard/text-to-video", "{\"duration\":\"10\"}")).isEqualTo(13_500);

        Quote q = quote("fal-ai/kling-video/v1.6/standard/text-to-video", "{\"duration\":\"10\"}");
        assertThat(q.unit()).isEqualTo("second");
        assertThat(q.quantity()).isEqualTo(10);
    }

    @Test
    void pixverseIsPricedPerFiveSecondClipTimesTheResolutionFactor() {
        String t2v = "fal-ai/pixverse/v4.5/text-to-video";
        assertThat(credits(t2v, "{\"resolution\":\"540p\",\"duration\":\"5\"}")).isEqualTo(9_000);
        assertThat(credits(t2v, "{\"resolution\":\"360p\"}")).isEqualTo(9_000);
        assertThat(credits(t2v, "{}")).isEqualTo(12_000);
        assertThat(credits(t2v, "{\"resolution\":\"720p\",\"duration\":5}")).isEqualTo(12_000);
        assertThat(credits(t2v, "{\"resolution\":\"540p\",\"duration\":\"8\"}")).isEqualTo(18_000);
        assertThat(credits(t2v, "{\"duration\":\"8\"}")).isEqualTo(24_000);
        assertThat(credits(t2v, "{\"resolution\":\"1080p\"}")).isEqualTo(24_000);
        assertThat(credits("fal-ai/pixverse/v4.5/text-to-video/fast", "{\"resolution\":\"540p\",\"duration\":\"5\"}")).isEqualTo(18_000);

        Quote q = quote(t2v, "{\"duration\":\"8\"}");
        assertThat(q.unit()).isEqualTo("clip");
        assertThat(q.quantity()).isEqualTo(2);
        assertThat(q.factor()).isEqualTo("4/3");
    }

    @Test
    void aFractionOfACreditIsRoundedUp() {
        // 0.000013 x 8/3 x 30,000 = 1.04 credits -> 2
        assertThat(PriceCalculator.credits(new BigDecimal("0.000013"), 1, Fraction.parse("8/3"), RATE, PER_CNY)).isEqualTo(2);
        // 0.00001 x 4/3 x 30,000 = 0.4 -> 1
        assertThat(PriceCalculator.credits(new BigDecimal("0.00001"), 1, Fraction.parse("4/3"), RATE, PER_CNY)).isEqualTo(1);
        // an exact product stays exact: 0.3 x 4/3 x 30,000 = 12,000, not 12,001 (a double gives 12000.000000000002)
        assertThat(PriceCalculator.credits(new BigDecimal("0.3"), 1, Fraction.parse("4/3"), RATE, PER_CNY)).isEqualTo(12_000);
        assertThat(0.3 * 4 / 3 * 30_000).isNotEqualTo(12_000.0);
        // a rate with decimals: 0.003 x 7.1234 x 10,000 = 213.702 -> 214
        assertThat(PriceCalculator.credits(new BigDecimal("0.003"), 1, Fraction.ONE, new BigDecimal("7.1234"), PER_CNY)).isEqualTo(214);
        // whole results are never bumped: 0.045 x 7 s x 30,000 = 9,450
        assertThat(PriceCalculator.credits(new BigDecimal("0.045"), 7, Fraction.ONE, RATE, PER_CNY)).isEqualTo(9_450);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "\"abc\"", "2.5", "7", "-5", "\"-5\"", "\"7\"", "\"05\"", "\" 5\"", "5.0", "true", "[5]",
            "{}", "\"\"", "99999999999"})
    void klingRefusesDurationsFalDoesNotAccept(String duration) {
        assertInvalid("fal-ai/kling-video/v1.6/standard/text-to-video", "{\"duration\":" + duration + "}", "duration");
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "\"5\"", "0", "-1", "\"2\"", "2.5", "\"abc\"", "1.0"})
    void hailuoRefusesDurationsOtherThanSixAndTen(String duration) {
        assertInvalid("fal-ai/minimax/hailuo-02/standard/text-to-video", "{\"duration\":" + duration + "}", "duration");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "5", "\"2\"", "-1", "2.5", "\"abc\"", "1.0", "true"})
    void fluxRefusesImageCountsOutsideOneToFour(String numImages) {
        assertInvalid("fal-ai/flux-1/dev", "{\"num_images\":" + numImages + "}", "num_images");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"duration\":\"10\"}|duration",
            "{\"duration\":7}|duration",
            "{\"duration\":\"abc\"}|duration",
            "{\"duration\":0}|duration",
            "{\"resolution\":\"4k\"}|resolution",
            "{\"resolution\":720}|resolution",
            "{\"resolution\":\"720P\"}|resolution",
            "{\"resolution\":\"1080p\",\"duration\":\"8\"}|duration",
            "{\"resolution\":\"1080p\",\"duration\":8}|duration"})
    void pixverseRefusesDurationsAndResolutionsFalDoesNotAccept(String body, String param) {
        assertInvalid("fal-ai/pixverse/v4.5/text-to-video", body, param);
    }

    @Test
    void aBodyThatIsNotAnObjectIsRefused() {
        assertInvalid("fal-ai/flux-1/dev", "[1,2]", "body");
        assertThat(PriceCalculator.quote(RULES.get("fal-ai/flux-1/dev"), null, RATE, PER_CNY).credits()).isEqualTo(750);
    }

    @Test
    void fractionsAreExactAndReduced() {
        assertThat(Fraction.parse("8/6").toString()).isEqualTo("4/3");
        assertThat(Fraction.parse("1.5").toString()).isEqualTo("3/2");
        assertThat(Fraction.parse("2").toString()).isEqualTo("2");
        for (String bad : List.of("0", "-1", "1/0", "x", "", "4/-3")) {
            assertThatThrownBy(() -> Fraction.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /**
     * The rules themselves, on models of the test's own (not the shipped list), one row a case: every unit, quantity
     * defaults, enumerated values and ranges, the clip count, resolution factors and the quantities allowed at them,
     * rounding up to the next credit, the tenant multiplier. At 3 CNY per USD and 10,000 credits per CNY, 1 USD is
     * 30,000 credits. A rule change shows here in milliseconds.
     */
    private static final Map<String, PriceRule> TABLE_RULES = Map.of(
            // per image, 1 to 4, default 1
            "image", rule("image", "0.025", "num_images", 1, null, 1, 4, null, null, null, null),
            // per image, at least 2, no upper bound
            "image-open", rule("image", "0.003", "num_images", 2, null, 2, null, null, null, null, null),
            // a millionth of a dollar: 0.03 credits an image
            "image-tiny", rule("image", "0.000001", "num_images", 1, null, 1, 4, null, null, null, null),
            // per second, fal's enumerated durations "5" and "10", default 5
            "second-enum", rule("second", "0.045", "duration", 5, "5,10", null, null, null, null, null, null),
            // per second, 1 to 15 s, default 6
            "second-range", rule("second", "0.08", "duration", 6, null, 1, 15, null, null, null, null),
            // per 5 s clip of durations "5" and "8", at a resolution factor; 1080p only for 5 s
            "clip", rule("clip", "0.3", "duration", 5, "5,8", null, null, 5, "resolution", "540p",
                    "360p=1,540p=1,720p=4/3,1080p=8/3@5"),
            // a clip price whose 4/3 product is not whole
            "clip-odd", rule("clip", "0.01001", "duration", 5, "5,10", null, null, 5, "resolution", "540p", "540p=1,720p=4/3"));

    @ParameterizedTest(name = "{0} {1} x{2} -> {3} {4} {5}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # rule       | body                                     | multiplier | units | factor | credits
            image        | {}                                       | 1          | 1     | 1      | 750
            image        | {"num_images":null}                      | 1          | 1     | 1      | 750
            image        | {"num_images":3}                         | 1          | 3     | 1      | 2250
            image        | {"num_images":4}                         | 1          | 4     | 1      | 3000
            image        | {"num_images":5}                         | 1          | -     | -      | 422 num_images
            image        | {"num_images":0}                         | 1          | -     | -      | 422 num_images
            image        | {"num_images":"2"}                       | 1          | -     | -      | 422 num_images
            image        | {"num_images":2.0}                       | 1          | -     | -      | 422 num_images
            image        | {"num_images":2}                         | 0.9        | 2     | 1      | 1350
            image        | {"num_images":1}                         | 1.2        | 1     | 1      | 900
            image        | [1]                                      | 1          | -     | -      | 422 body
            image-open   | {}                                       | 1          | 2     | 1      | 180
            image-open   | {"num_images":1}                         | 1          | -     | -      | 422 num_images
            image-open   | {"num_images":1000}                      | 1          | 1000  | 1      | 90000
            image-open   | {}                                       | 1.2345     | 2     | 1      | 223
            image-tiny   | {}                                       | 1          | 1     | 1      | 1
            image-tiny   | {"num_images":4}                         | 1          | 4     | 1      | 1
            image-tiny   | {"num_images":4}                         | 0.0001     | 4     | 1      | 1
            second-enum  | {}                                       | 1          | 5     | 1      | 6750
            second-enum  | {"duration":"10"}                        | 1          | 10    | 1      | 13500
            second-enum  | {"duration":10}                          | 1          | 10    | 1      | 13500
            second-enum  | {"duration":"7"}                         | 1          | -     | -      | 422 duration
            second-enum  | {"duration":7}                           | 1          | -     | -      | 422 duration
            second-enum  | {"duration":"abc"}                       | 1          | -     | -      | 422 duration
            second-range | {}                                       | 1          | 6     | 1      | 14400
            second-range | {"duration":1}                           | 1          | 1     | 1      | 2400
            second-range | {"duration":15}                          | 1          | 15    | 1      | 36000
            second-range | {"duration":16}                          | 1          | -     | -      | 422 duration
            second-range | {"duration":"6"}                         | 1          | -     | -      | 422 duration
            clip         | {}                                       | 1          | 1     | 1      | 9000
            clip         | {"duration":"8"}                         | 1          | 2     | 1      | 18000
            clip         | {"resolution":"360p"}                    | 1          | 1     | 1      | 9000
            clip         | {"resolution":"720p"}                    | 1          | 1     | 4/3    | 12000
            clip         | {"resolution":"720p","duration":8}       | 1          | 2     | 4/3    | 24000
            clip         | {"resolution":"1080p"}                   | 1          | 1     | 8/3    | 24000
            clip         | {"resolution":"1080p"}                   | 0.5        | 1     | 8/3    | 12000
            clip         | {"resolution":"1080p","duration":"8"}    | 1          | -     | -      | 422 duration
            clip         | {"resolution":"4k"}                      | 1          | -     | -      | 422 resolution
            clip         | {"resolution":720}                       | 1          | -     | -      | 422 resolution
            clip-odd     | {}                                       | 1          | 1     | 1      | 301
            clip-odd     | {"resolution":"720p"}                    | 1          | 1     | 4/3    | 401
            clip-odd     | {"resolution":"720p","duration":"10"}    | 1          | 2     | 4/3    | 801
            clip-odd     | {"resolution":"720p","duration":"10"}    | 0.75       | 2     | 4/3    | 601
            """)
    void theRuleTable(String rule, String body, String multiplier, Integer units, String factor, String expected)
            throws Exception {
        PriceRule r = TABLE_RULES.get(rule);
        JsonNode node = JSON.readTree(body);
        BigDecimal m = new BigDecimal(multiplier);
        if (expected.startsWith("422 ")) {
            String param = expected.substring(4);
            assertThatThrownBy(() -> PriceCalculator.quote(r, node, RATE, PER_CNY, m))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(422);
                        assertThat(e.code()).isEqualTo("invalid_parameter");
                        assertThat(e.details()).containsEntry("param", param);
                    });
            return;
        }
        Quote q = PriceCalculator.quote(r, node, RATE, PER_CNY, m);
        assertThat(q.credits()).isEqualTo(Long.parseLong(expected));
        assertThat(q.quantity()).isEqualTo(units);
        assertThat(q.factor()).isEqualTo(factor);
        assertThat(q.unit()).isEqualTo(r.unit().name());
        assertThat(q.usdUnitPrice()).isEqualByComparingTo(r.usdPrice());
        assertThat(q.priceMultiplier()).isEqualByComparingTo(m);
    }

    private static PriceRule rule(String unit, String usd, String quantityParam, int defaultQuantity, String allowed,
                                  Integer min, Integer max, Integer clipSeconds, String resolutionParam,
                                  String defaultResolution, String factors) {
        return PriceRule.parse(new PriceListEntry("test/" + unit, unit, new BigDecimal(usd), quantityParam, defaultQuantity,
                allowed, min, max, clipSeconds, resolutionParam, defaultResolution, factors, null, true));
    }

    private static void assertInvalid(String model, String body, String param) {
        assertThatThrownBy(() -> quote(model, body))
                .as(body)
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.code()).isEqualTo("invalid_parameter");
                    assertThat(e.details()).containsEntry("param", param);
                    assertThat(e.getMessage()).contains(param);
                });
    }
}
