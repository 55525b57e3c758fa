package io.creditproxy.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PriceListCsvTest {

    private static final String HEADER = String.join(",", PriceListCsv.COLUMNS) + "\n";

    private static String shippedFile() throws IOException {
        try (InputStream in = PriceListCsvTest.class.getClassLoader().getResourceAsStream("pricing/models.csv")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theShippedListRoundTripsByteForByte() throws IOException {
        String file = shippedFile();
        List<PriceListEntry> entries = PriceListCsv.read(new StringReader(file));
        assertThat(entries).hasSize(46);
        assertThat(PriceListCsv.write(entries)).isEqualTo(file);
        assertThat(PriceListCsv.read(new StringReader(PriceListCsv.write(entries)))).isEqualTo(entries);
    }

    @Test
    void theShippedListMirrorsTheSeedsTable() throws IOException {
        List<PriceListEntry> entries = PriceListCsv.read(new StringReader(shippedFile()));
        assertThat(entries.get(0)).isEqualTo(new PriceListEntry("fal-ai/flux-1/dev", "megapixel", new BigDecimal("0.025"),
                "num_images", 1, null, 1, 4, null, null, null, null, "画图", true, "image_size", "landscape_4_3", null, null));
        assertThat(entries).filteredOn(e -> e.id().equals("fal-ai/bytedance/seedream/v4/edit")).singleElement()
                .extracting(PriceListEntry::multiplierParam, PriceListEntry::maxMultiplier)
                .containsExactly("max_images", 6);
        assertThat(entries).filteredOn(e -> e.id().equals("fal-ai/kling-video/v1.6/standard/elements")).singleElement()
                .isEqualTo(new PriceListEntry("fal-ai/kling-video/v1.6/standard/elements", "second", new BigDecimal("0.045"),
                        "duration", 5, "5,10", null, null, null, null, null, null, "2 张图片合成视频", true));
        assertThat(entries).filteredOn(e -> e.id().equals("fal-ai/minimax/hailuo-02/pro/image-to-video")).singleElement()
                .isEqualTo(new PriceListEntry("fal-ai/minimax/hailuo-02/pro/image-to-video", "second", new BigDecimal("0.08"),
                        "duration", 6, "6,10", null, null, null, null, null, null, "图生视频", true));
        assertThat(entries).filteredOn(e -> e.id().equals("fal-ai/pixverse/v4.5/image-to-video/fast")).singleElement()
                .isEqualTo(new PriceListEntry("fal-ai/pixverse/v4.5/image-to-video/fast", "clip", new BigDecimal("0.6"),
                        "duration", 5, "5,8", null, null, 5, "resolution", "720p", "360p=1,540p=1,720p=4/3,1080p=8/3@5",
                        "快速图生视频", true));
    }

    @Test
    void awkwardValuesSurviveARoundTrip() {
        List<PriceListEntry> entries = List.of(
                new PriceListEntry("acme/a", "image", new BigDecimal("12345678.123456"), "num_images", 2, null, 2, null,
                        null, null, null, null, "commas, \"quotes\"\nand a new line", false),
                new PriceListEntry("acme/b", "clip", new BigDecimal("0.000001"), "duration", 4, "4,8,12", null, null, 4,
                        "size", "small", "small=1,large=3/2@4|8", null, true));
        String csv = PriceListCsv.write(entries);
        assertThat(csv).startsWith(HEADER);
        assertThat(PriceListCsv.read(new StringReader(csv))).isEqualTo(entries);
    }

    @Test
    void columnsMayComeInAnyOrderAndOptionalOnesMayBeLeftOut() {
        String csv = "usd_price,id,quantity_param,unit,default_quantity\n0.5,acme/c,num_images,image,1\n";
        assertThat(PriceListCsv.read(new StringReader(csv))).containsExactly(new PriceListEntry("acme/c", "image",
                new BigDecimal("0.5"), "num_images", 1, null, null, null, null, null, null, null, null, true));
    }

    @Test
    void aBadRowIsRefusedWithItsLineNumber() {
        String good = "acme/a,image,0.1,num_images,1,,1,4,,,,,,,,,,true\n";
        assertBad(HEADER + good + "acme/b,image,0,num_images,1,,1,4,,,,,,,,,,true\n", "line 3", "usd_price");
        assertBad(HEADER + good + "acme/b,video,0.1,num_images,1,,1,4,,,,,,,,,,true\n", "line 3", "unit");
        assertBad(HEADER + good + "acme/b,second,0.1,duration,7,\"5,10\",,,,,,,,,,,,true\n", "line 3", "default_quantity");
        assertBad(HEADER + good + "acme/b,clip,0.1,duration,5,\"5,8\",,,,,,,,,,,,true\n", "line 3", "clip_seconds");
        assertBad(HEADER + good + "acme/b,clip,0.1,duration,5,\"5,8\",,,5,resolution,4k,\"720p=4/3\",,,,,,true\n", "line 3", "default_resolution");
        assertBad(HEADER + good + "acme/b,clip,0.1,duration,5,\"5,8\",,,5,resolution,720p,\"720p=x\",,,,,,true\n", "line 3", "resolution_factors");
        assertBad(HEADER + good + "acme/b,image,0.1234567,num_images,1,,1,4,,,,,,,,,,true\n", "line 3", "usd_price");
        assertBad(HEADER + good + "acme/b,image,0.1,num_images,1,,1,4,,,,,,,,,,maybe\n", "line 3", "enabled");
        assertBad(HEADER + good + good, "line 3", "twice");
        assertBad(HEADER + good + "acme/b,megapixel,0.1,num_images,1,,1,4,,,,,,,,,,true\n", "line 3", "size_param");
        assertBad(HEADER + good + "acme/b,megapixel,0.1,num_images,1,,1,4,,,,,image_size,huge,,,,true\n", "line 3", "default_size");
        assertBad(HEADER + good + "acme/b,image,0.1,num_images,1,,1,4,,,,,image_size,,,,,true\n", "line 3", "megapixel only");
        assertBad(HEADER + good + "acme/b,image,0.1,num_images,1,,1,4,,,,,,,max_images,,,true\n", "line 3", "max_multiplier");
        assertBad(HEADER + good + "acme/b,second,0.1,duration,8,\"4s,6\",,,,,,,,,,,,true\n", "line 3", "allowed_quantities");
        assertBad(HEADER + "not a model id,image,0.1,num_images,1,,1,4,,,,,,,,,,true\n", "line 2", "id");
        assertBad("id,unit,usd_price,quantity_param,default_quantity,colour\n", "colour", "unknown column");
        assertBad("id,unit,usd_price,quantity_param\n", "default_quantity", "missing column");
    }

    private static void assertBad(String csv, String... fragments) {
        assertThatThrownBy(() -> PriceListCsv.read(new StringReader(csv)))
                .isInstanceOf(IllegalArgumentException.class)
                .message().contains(fragments);
    }
}
