package io.creditproxy.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditproxy.common.ApiException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The price table in the real PostgreSQL: loader, quotes through the cache, admins' changes. */
@QuarkusTest
class PricingServiceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Every model a test makes has this id prefix, and is removed after the test. */
    static final String TEST_PREFIX = "ptest-";

    @Inject
    PriceListService pricing;

    @Inject
    PriceTable table;

    @Inject
    EntityManager em;

    @AfterEach
    void removeTestModels() {
        QuarkusTransaction.requiringNew().run(() ->
                em.createNativeQuery("UPDATE models SET enabled = false WHERE id LIKE 'ptest-%'").executeUpdate());
        table.invalidate();
    }

    @Test
    void theLoaderPutAllTheSeedModelsInPostgres() {
        List<PriceListEntry> shipped = PriceTableLoader.readPriceList("pricing/models.csv");
        Set<String> ids = shipped.stream().map(PriceListEntry::id).collect(Collectors.toSet());
        Number count = QuarkusTransaction.requiringNew().call(() -> (Number) em
                .createNativeQuery("SELECT count(*) FROM models WHERE id = ANY(CAST(?1 AS text[]))")
                .setParameter(1, ids.toArray(String[]::new))
                .getSingleResult());
        // 43 on sale, FLUX.1 [dev] image-to-image priced but disabled, 2 listed unpriced (disabled)
        assertThat(count.intValue()).isEqualTo(46);
        assertThat(shipped.stream().filter(e -> e.usdPrice() != null && e.enabled()).count()).isEqualTo(43);
        assertThat(pricing.listModels()).extracting(PriceListEntry::id).containsAll(ids);
        for (String id : List.of("fal-ai/flux-1/dev", "fal-ai/kling-video/v2.1/master/text-to-video",
                "fal-ai/pixverse/v4.5/text-to-video")) {
            assertThat(pricing.model(id)).isEqualTo(shipped.stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow());
        }
        // a second start adds nothing
        assertThat(pricing.addMissingModels(shipped)).isZero();
    }

    @Test
    void theLoaderPricesAModelTheTableListsUnpricedButNeverOverwritesAPrice() {
        String id = testId("unpriced");
        PriceListEntry unpriced = new PriceListEntry(id, "image", null, "num_images", 1, null, 1, 4, null, null, null,
                null, "listed", false);
        assertThat(pricing.addMissingModels(List.of(unpriced))).isEqualTo(1);
        assertThat(pricing.model(id).usdPrice()).isNull();
        PriceListEntry priced = new PriceListEntry(id, "megapixel", new BigDecimal("0.03"), "num_images", 1, null, 1, 4,
                null, null, null, null, "priced", true, "image_size", "square", null, null);
        assertThat(pricing.addMissingModels(List.of(priced))).isEqualTo(1);
        assertThat(pricing.model(id)).isEqualTo(priced);
        assertThat(pricing.priceHistory(id)).hasSize(2);
        // once priced, a list with another price changes nothing
        PriceListEntry other = new PriceListEntry(id, "megapixel", new BigDecimal("0.01"), "num_images", 1, null, 1, 4,
                null, null, null, null, "cheaper", true, "image_size", "square", null, null);
        assertThat(pricing.addMissingModels(List.of(other))).isZero();
        assertThat(pricing.model(id)).isEqualTo(priced);
    }

    @Test
    void theLoaderNeverOverwritesWhatAnAdminChanged() {
        String id = testId("img");
        List<PriceListEntry> list = List.of(imageModel(id, "0.025"), imageModel(testId("other"), "0.5"));
        assertThat(pricing.addMissingModels(list)).isEqualTo(2);

        pricing.updateModel(id, new PriceListEntry(null, null, new BigDecimal("0.031"), null, null, null, null, null, null, null,
                null, null, "edited", false));
        assertThat(pricing.addMissingModels(list)).isZero();

        PriceListEntry kept = pricing.model(id);
        assertThat(kept.usdPrice()).isEqualByComparingTo("0.031");
        assertThat(kept.description()).isEqualTo("edited");
        assertThat(kept.enabled()).isFalse();
    }

    @Test
    void twoInstancesStartingTogetherAddEachModelOnce() throws Exception {
        List<PriceListEntry> list = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            list.add(imageModel(testId("m" + i), "0.01"));
        }
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> starts = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                starts.add(pool.submit(() -> {
                    go.await();
                    return pricing.addMissingModels(list);
                }));
            }
            go.countDown();
            int added = 0;
            for (Future<Integer> f : starts) {
                added += f.get(60, TimeUnit.SECONDS);
            }
            assertThat(added).isEqualTo(25);
        } finally {
            pool.shutdownNow();
        }
        assertThat(pricing.listModels()).extracting(PriceListEntry::id)
                .containsAll(list.stream().map(PriceListEntry::id).toList());
    }

    @Test
    void quotesUseThePricesAndSettingsInPostgres() {
        Quote q = table.quote("fal-ai/flux-1/dev", body("{\"prompt\":\"a cat\",\"num_images\":2}"));
        assertThat(q.credits()).isEqualTo(1_500);
        assertThat(q.quantity()).isEqualTo(2);
        assertThat(q.usdUnitPrice()).isEqualByComparingTo("0.025");
        assertThat(q.exchangeRate()).isEqualByComparingTo("3");
        assertThat(q.creditsPerCny()).isEqualByComparingTo("10000");
        assertThat(table.quote("fal-ai/pixverse/v4.5/text-to-video", body("{\"duration\":\"8\",\"resolution\":\"540p\"}")).credits())
                .isEqualTo(18_000);

        // a row written straight into the table is priced from it
        String id = testId("sql");
        sql("INSERT INTO models(id, unit, usd_price, quantity_param, default_quantity, allowed_quantities) "
                + "VALUES ('" + id + "', 'second', 0.07, 'duration', 4, '4,8')");
        table.invalidate();
        assertThat(table.quote(id, body("{\"duration\":8}")).credits()).isEqualTo(16_800);
        assertThatThrownBy(() -> table.quote(id, body("{\"duration\":5}")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(422));
    }

    @Test
    void quoteWorksFromABareWorkerThread() throws Exception {
        // the proxy prices on a Vert.x worker: no request context, no transaction
        table.invalidate();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Quote q = pool.submit(() -> table.quote("fal-ai/kling-video/v2.1/master/text-to-video", body("{}")))
                    .get(60, TimeUnit.SECONDS);
            assertThat(q.credits()).isEqualTo(42_000);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theExchangeRateIsAVersionedSetting() {
        String id = testId("rate");
        pricing.addMissingModels(List.of(imageModel(id, "0.003")));
        long before = pricing.rates().versionId();
        try {
            pricing.updateRates(new PricingViews.RatesUpdate(new BigDecimal("7.1234"), null));
            // 0.003 x 7.1234 x 10,000 = 213.702 -> 214, at once on this instance
            Quote q = table.quote(id, body("{}"));
            assertThat(q.credits()).isEqualTo(214);
            assertThat(q.exchangeRate()).isEqualByComparingTo("7.1234");
            assertThat(q.rateVersionId()).isGreaterThan(before);
            // the settings table follows, for its readers
            Number inSettings = QuarkusTransaction.requiringNew().call(() -> (Number) em
                    .createNativeQuery("SELECT value FROM settings WHERE name = 'exchange_rate'").getSingleResult());
            assertThat(new BigDecimal(inSettings.toString())).isEqualByComparingTo("7.1234");
        } finally {
            pricing.updateRates(new PricingViews.RatesUpdate(new BigDecimal("3"), null));
        }
        assertThat(table.quote(id, body("{}")).credits()).isEqualTo(90);
        assertThat(pricing.rateHistory(3)).extracting(PricingViews.Rates::exchangeRate)
                .usingElementComparator(BigDecimal::compareTo)
                .containsExactly(new BigDecimal("3"), new BigDecimal("7.1234"), new BigDecimal("3"));
    }

    @Test
    void aDisabledOrUnknownModelIs404() {
        String id = testId("off");
        sql("INSERT INTO models(id, unit, usd_price, quantity_param, default_quantity, min_quantity, max_quantity, enabled) "
                + "VALUES ('" + id + "', 'image', 0.02, 'num_images', 1, 1, 4, false)");
        table.invalidate();
        assertUnknown(id, "disabled");
        assertUnknown("fal-ai/no-such-model", "not priced");

        // an admin's change takes effect at once on this instance, without waiting for the cache
        pricing.updateModel(id, PriceListEntry.changeEnabled(true));
        assertThat(table.quote(id, body("{\"num_images\":3}")).credits()).isEqualTo(1_800);
        pricing.updateModel(id, PriceListEntry.changePrice(new BigDecimal("0.04")));
        assertThat(table.quote(id, body("{\"num_images\":3}")).credits()).isEqualTo(3_600);
        pricing.updateModel(id, PriceListEntry.changeEnabled(false));
        assertUnknown(id, "disabled");
    }

    @Test
    void aRowEditedIntoNonsenseIsRefusedWhileTheOthersStillSell() {
        String id = testId("broken");
        sql("INSERT INTO models(id, unit, usd_price, quantity_param, default_quantity, allowed_quantities, clip_seconds, "
                + "resolution_param, default_resolution, resolution_factors) "
                + "VALUES ('" + id + "', 'clip', 0.3, 'duration', 5, '5,8', 5, 'resolution', '4k', '720p=4/3')");
        table.invalidate();
        assertUnknown(id, "no valid price");
        assertThat(table.quote("fal-ai/flux-1/dev", body("{}")).credits()).isEqualTo(750);
    }

    @Test
    void adminsAddAndChangeModelsOnlyIntoValidPrices() {
        String id = testId("new");
        // without a price a model is listed, disabled, and cannot be enabled
        String unpriced = testId("unpriced");
        PriceListEntry listed = pricing.updateModel(unpriced, new PriceListEntry(null, "image", null, "num_images", 1, null, null, null, null, null, null, null, null, null));
        assertThat(listed.enabled()).isFalse();
        assertThat(listed.usdPrice()).isNull();
        assertThatThrownBy(() -> pricing.updateModel(unpriced, PriceListEntry.changeEnabled(true)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo("model_not_priced"));
        assertThatThrownBy(() -> table.quote(unpriced, body("{}")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.code()).isEqualTo("model_not_priced");
                });

        PriceListEntry created = pricing.updateModel(id, new PriceListEntry(null, "clip", new BigDecimal("0.25"), "duration", 5,
                "5,10", null, null, 5, "resolution", "540p", "540p=1,1080p=2@5", "test clip", null));
        assertThat(created.enabled()).isTrue();
        assertThat(pricing.model(id)).isEqualTo(created);
        assertThat(table.quote(id, body("{\"duration\":\"10\"}")).credits()).isEqualTo(15_000);
        assertThat(table.quote(id, body("{\"resolution\":\"1080p\"}")).credits()).isEqualTo(15_000);

        assertInvalid(id, PriceListEntry.changePrice(BigDecimal.ZERO), "usd_price");
        assertInvalid(id, PriceListEntry.changePrice(new BigDecimal("0.0000001")), "usd_price");
        assertInvalid(id, new PriceListEntry(null, "video", null, null, null, null, null, null, null, null, null, null, null, null), "unit");
        assertInvalid(id, new PriceListEntry(null, null, null, null, 7, null, null, null, null, null, null, null, null, null), "default_quantity");
        assertInvalid(id, new PriceListEntry(null, null, null, null, null, null, null, null, null, null, "720p", null, null, null), "default_resolution");
        assertInvalid(id, new PriceListEntry(null, null, null, null, null, null, null, null, null, null, null, "540p=0", null, null), "resolution_factors");
        assertInvalid("not a model id", PriceListEntry.changePrice(BigDecimal.ONE), "id");
        // nothing of the refused changes was kept
        assertThat(pricing.model(id)).isEqualTo(created);

        // clearing the resolution and switching to per-second pricing is one valid change
        PriceListEntry changed = pricing.updateModel(id, new PriceListEntry(null, "second", null, null, null, null, null, null, null,
                "", "", "", null, null));
        assertThat(changed.resolutionFactors()).isNull();
        assertThat(table.quote(id, body("{\"duration\":10}")).credits()).isEqualTo(75_000);

        assertThatThrownBy(() -> pricing.model(testId("absent")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
    }

    static String testId(String name) {
        return TEST_PREFIX + UUID.randomUUID().toString().substring(0, 8) + "/" + name;
    }

    static PriceListEntry imageModel(String id, String usd) {
        return new PriceListEntry(id, "image", new BigDecimal(usd), "num_images", 1, null, 1, 4, null, null, null, null,
                "test model", true);
    }

    private void sql(String statement) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(statement).executeUpdate());
    }

    private static JsonNode body(String json) {
        try {
            return JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private void assertUnknown(String id, String messagePart) {
        assertThatThrownBy(() -> table.quote(id, body("{}")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.code()).isEqualTo("unknown_model");
                    assertThat(e.getMessage()).contains(id).contains(messagePart);
                });
    }

    private void assertInvalid(String id, PriceListEntry update, String messagePart) {
        assertThatThrownBy(() -> pricing.updateModel(id, update))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.getMessage()).contains(messagePart);
                });
    }
}
