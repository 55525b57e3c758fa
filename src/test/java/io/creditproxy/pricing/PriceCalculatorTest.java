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
    void theSeedModelsArePricedExceptTwoFalPublishesNoVerifiablePriceFor() {
        List<PriceListEntry> unpriced = PriceTableLoader.readPriceList("pricing/models.csv").stream()
                .filter(e -> e.usdPrice() == null).toList();
        assertThat(unpriced).noneMatch(PriceListEntry::enabled).extracting(PriceListEntry::id)
                .containsExactlyInAnyOrder("fal-ai/wan/v2.2-a14b/image-to-image", "fal-ai/qwen-image-edit-lora");
        assertThat(RULES.keySet()).contains("fal-ai/nano-banana", "fal-ai/nano-banana/edit", "fal-ai/veo3",
                "fal-ai/veo3/fast", "fal-ai/veo3/image-to-video", "fal-ai/bytedance/seedream/v4/text-to-image",
                "fal-ai/bytedance/seedream/v4/edit", "fal-ai/qwen-image-edit-plus", "fal-ai/vidu/reference-to-image",
                "fal-ai/imagen4/preview", "fal-ai/kling-video/v2.5-turbo/pro/text-to-video",
                "fal-ai/kling-video/v2.5-turbo/pro/image-to-video", "fal-ai/flux-lora");
    }

    @Test
    void theListHasTheSeedsModelsWithFalsUnits() {
        assertThat(RULES).hasSize(44);
        // FLUX.1 [dev] image-to-image sizes its output from the input image, which the proxy cannot see: not on sale
        assertThat(RULES.values()).filteredOn(r -> !r.enabled()).extracting(PriceRule::id)
                .containsExactly("fal-ai/flux-1/dev/image-to-image");
        assertThat(RULES.values().stream().filter(r -> r.unit() == PriceUnit.megapixel)).hasSize(7);
        assertThat(RULES.values().stream().filter(r -> r.unit() == PriceUnit.image)).hasSize(12);
        assertThat(RULES.values().stream().filter(r -> r.unit() == PriceUnit.second)).hasSize(19);
        assertThat(RULES.values().stream().filter(r -> r.unit() == PriceUnit.clip)).hasSize(6);
    }

    @Test
    void fluxIsPricedPerMegapixelRoundedUpPerImage() {
        // fal's default landscape_4_3, 1024x768 = 0.79 MP -> 1 MP x $0.025 x 3 x 10,000 = 750, as the seeds say
        assertThat(credits("fal-ai/flux-1/dev", "{\"prompt\":\"a cat\"}")).isEqualTo(750);
        // square_hd 1024x1024 = 1.05 MP -> 2 MP
        assertThat(credits("fal-ai/flux-1/dev", "{\"image_size\":\"square_hd\"}")).isEqualTo(1_500);
        // the case: 4 x 4096x4096 = 4 x ceil(16.78) = 68 MP -> 51,000 credits, not 3,000
        assertThat(credits("fal-ai/flux-1/dev", "{\"num_images\":4,\"image_size\":{\"width\":4096,\"height\":4096}}"))
                .isEqualTo(51_000);
        assertThat(credits("fal-ai/flux-1/schnell", "{\"image_size\":{\"width\":2000,\"height\":2000}}")).isEqualTo(360);
        assertThat(credits("fal-ai/flux-lora", "{}")).isEqualTo(1_050);
        Quote q = quote("fal-ai/flux-1/dev", "{\"num_images\":4}");
        assertThat(q).isEqualTo(new Quote("fal-ai/flux-1/dev", "megapixel", 4, new BigDecimal("0.025"), "1", RATE, PER_CNY, 3_000));
        // a model whose output follows its input image needs image_size
        assertInvalid("fal-ai/qwen-image-edit-plus", "{\"num_images\":1}", "image_size");
        assertThat(credits("fal-ai/qwen-image-edit-plus", "{\"image_size\":\"square\"}")).isEqualTo(900);
    }

    @Test
    void veo3IsPricedPerSecondWithAndWithoutAudio() {
        // default 8s with audio: 8 x $0.40 = $3.20 -> 96,000; without: 8 x $0.20
        assertThat(credits("fal-ai/veo3", "{}")).isEqualTo(96_000);
        assertThat(credits("fal-ai/veo3", "{\"generate_audio\":false}")).isEqualTo(48_000);
        assertThat(credits("fal-ai/veo3", "{\"generate_audio\":\"false\",\"duration\":\"4s\"}")).isEqualTo(24_000);
        assertThat(credits("fal-ai/veo3/fast", "{\"duration\":\"6s\"}")).isEqualTo(27_000);
        // fal reads "yes" and 0 as booleans; the table names true/false only, so they are refused, never guessed
        assertInvalid("fal-ai/veo3", "{\"generate_audio\":\"yes\"}", "generate_audio");
        assertInvalid("fal-ai/veo3", "{\"generate_audio\":0}", "generate_audio");
        assertInvalid("fal-ai/veo3", "{\"duration\":\"5s\"}", "duration");
        assertInvalid("fal-ai/veo3/image-to-video", "{\"duration\":\"4s\"}", "duration");
    }

    @Test
    void seedreamIsPricedPerImageTimesMaxImages() {
        assertThat(credits("fal-ai/bytedance/seedream/v4/text-to-image", "{}")).isEqualTo(900);
        assertThat(credits("fal-ai/bytedance/seedream/v4/text-to-image", "{\"num_images\":6,\"max_images\":\"6\"}"))
                .isEqualTo(32_400);
        assertInvalid("fal-ai/bytedance/seedream/v4/edit", "{\"max_images\":7}", "max_images");
        assertInvalid("fal-ai/imagen4/preview", "{\"resolution\":\"2K\"}", "resolution");
    }

    @Test
    void imagesArePricedPerImage() {
        assertThat(credits("fal-ai/flux-pro/kontext/max", "{}")).isEqualTo(2_400);
        assertThat(credits("fal-ai/flux-pro/kontext", "{\"num_images\":null}")).isEqualTo(1_200);
        assertThat(credits("fal-ai/nano-banana", "{\"num_images\":\"2\"}")).isEqualTo(2_340);
        Quote q = quote("fal-ai/flux-pro/kontext", "{\"num_images\":4}");
        assertThat(q).isEqualTo(new Quote("fal-ai/flux-pro/kontext", "image", 4, new BigDecimal("0.04"), "1", RATE, PER_CNY, 4_800));
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
    @ValueSource(strings = {"0", "5", "\"5\"", "-1", "2.5", "\"2.5\"", "\"abc\"", "false", "\"1e1\"", "[1]", "99999999999"})
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
    private static final Map<String, PriceRule> BASE_RULES = Map.of(
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

    /** Megapixels, boolean options, spelled durations and a multiplier field. */
    private static final Map<String, PriceRule> FAL_UNIT_RULES = Map.of(
            // per megapixel of each image, rounded up, at fal's default landscape_4_3
            "megapixel", extended("megapixel", "0.025", "num_images", 1, null, 1, 4, null, null, null, "image_size",
                    "landscape_4_3", null, null),
            // per megapixel, the size required (fal would size the output from an input image)
            "mp-required", extended("megapixel", "0.025", "num_images", 1, null, 1, 4, null, null, null, "image_size",
                    null, null, null),
            // per second, fal's "4s"/"6s"/"8s", twice the price with audio (the default)
            "audio", extended("second", "0.2", "duration", 8, "4s,6s,8s", null, null, "generate_audio", "true",
                    "false=1,true=2", null, null, null, null),
            // per image, times max_images
            "multiplied", extended("image", "0.03", "num_images", 1, null, 1, 6, null, null, null, null, null,
                    "max_images", 6));

    private static final Map<String, PriceRule> TABLE_RULES = new java.util.HashMap<>(BASE_RULES);

    static {
        TABLE_RULES.putAll(FAL_UNIT_RULES);
    }

    @ParameterizedTest(name = "{0} {1} x{2} -> {3} {4} {5}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # rule       | body                                     | multiplier | units | factor | credits
            image        | {}                                       | 1          | 1     | 1      | 750
            image        | {"num_images":null}                      | 1          | 1     | 1      | 750
            image        | {"num_images":3}                         | 1          | 3     | 1      | 2250
            image        | {"num_images":4}                         | 1          | 4     | 1      | 3000
            image        | {"num_images":5}                         | 1          | -     | -      | 422 num_images
            image        | {"num_images":0}                         | 1          | -     | -      | 422 num_images
            image        | {"num_images":"2"}                       | 1          | 2     | 1      | 1500
            image        | {"num_images":" 3 "}                     | 1          | 3     | 1      | 2250
            image        | {"num_images":"2.00"}                    | 1          | 2     | 1      | 1500
            image        | {"num_images":2.0}                       | 1          | 2     | 1      | 1500
            image        | {"num_images":true}                      | 1          | 1     | 1      | 750
            image        | {"num_images":1,"num_images":4}          | 1          | 4     | 1      | 3000
            image        | {"num_images":2.5}                       | 1          | -     | -      | 422 num_images
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
            second-range | {"duration":"6"}                         | 1          | 6     | 1      | 14400
            second-range | {"duration":"6.5"}                       | 1          | -     | -      | 422 duration
            megapixel    | {}                                       | 1          | 1     | 1      | 750
            megapixel    | {"image_size":"square_hd"}               | 1          | 2     | 1      | 1500
            megapixel    | {"image_size":"square"}                  | 1          | 1     | 1      | 750
            megapixel    | {"num_images":4,"image_size":{"width":4096,"height":4096}} | 1 | 68 | 1 | 51000
            megapixel    | {"image_size":{"width":"1000","height":1000.0}} | 1   | 1     | 1      | 750
            megapixel    | {"image_size":{"width":1001,"height":1000}} | 1       | 2     | 1      | 1500
            megapixel    | {"image_size":{"width":9,"width":4000,"height":4000}} | 1 | 16 | 1   | 12000
            megapixel    | {"image_size":{"width":4096}}            | 1          | -     | -      | 422 image_size
            megapixel    | {"image_size":{"width":14143,"height":1}} | 1         | -     | -      | 422 image_size
            megapixel    | {"image_size":{"width":0,"height":100}}  | 1          | -     | -      | 422 image_size
            megapixel    | {"image_size":"Square_HD"}               | 1          | -     | -      | 422 image_size
            megapixel    | {"image_size":1024}                      | 1          | -     | -      | 422 image_size
            megapixel    | {"num_images":5}                         | 1          | -     | -      | 422 num_images
            mp-required  | {}                                       | 1          | -     | -      | 422 image_size
            mp-required  | {"image_size":null}                      | 1          | -     | -      | 422 image_size
            mp-required  | {"image_size":"landscape_16_9"}          | 1          | 1     | 1      | 750
            audio        | {}                                       | 1          | 8     | 2      | 96000
            audio        | {"generate_audio":false}                 | 1          | 8     | 1      | 48000
            audio        | {"generate_audio":"true","duration":"4s"} | 1         | 4     | 2      | 48000
            audio        | {"duration":6}                           | 1          | 6     | 2      | 72000
            audio        | {"duration":"6"}                         | 1          | -     | -      | 422 duration
            audio        | {"generate_audio":"yes"}                 | 1          | -     | -      | 422 generate_audio
            audio        | {"generate_audio":1}                     | 1          | -     | -      | 422 generate_audio
            multiplied   | {}                                       | 1          | 1     | 1      | 900
            multiplied   | {"num_images":6,"max_images":6}          | 1          | 36    | 1      | 32400
            multiplied   | {"max_images":"2"}                       | 1          | 2     | 1      | 1800
            multiplied   | {"max_images":true}                      | 1          | 1     | 1      | 900
            multiplied   | {"max_images":7}                         | 1          | -     | -      | 422 max_images
            multiplied   | {"max_images":0}                         | 1          | -     | -      | 422 max_images
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

    private static PriceRule extended(String unit, String usd, String quantityParam, int defaultQuantity, String allowed,
                                      Integer min, Integer max, String resolutionParam, String defaultResolution,
                                      String factors, String sizeParam, String defaultSize, String multiplierParam,
                                      Integer maxMultiplier) {
        return PriceRule.parse(new PriceListEntry("test/" + unit, unit, new BigDecimal(usd), quantityParam, defaultQuantity,
                allowed, min, max, null, resolutionParam, defaultResolution, factors, null, true, sizeParam, defaultSize,
                multiplierParam, maxMultiplier));
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
