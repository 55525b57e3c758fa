package io.creditproxy.cache;

import static io.creditproxy.support.ProxyCalls.eventually;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditproxy.common.ApiException;
import io.creditproxy.limits.ControlsCache;
import io.creditproxy.limits.LimitsConfig;
import io.creditproxy.pricing.PricingConfig;
import io.creditproxy.pricing.PriceTable;
import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A second instance's caches, in the same JVM: a PriceTable and a ControlsCache of their own, with a cache TTL
 * of an hour (so only a message can refresh them), fed by their own Redis subscription on their own connection.
 * Changes made through this application's admin API must reach them within one second; a third cache with no
 * subscription shows that without the message the old value would stay.
 */
@QuarkusTest
class MultiInstanceInvalidationTest {

    private static final Duration ONE_SECOND = Duration.ofSeconds(1);
    private static final String FLUX = "fal-ai/flux-1/dev";

    @Inject
    EntityManager em;

    @Inject
    InvalidationBus bus;

    @Inject
    ObjectMapper json;

    @Inject
    Vertx vertx;

    PriceTable otherPricing;
    ControlsCache otherControls;
    PriceTable unsubscribed;
    InvalidationSubscriber otherInstance;
    /** pricing messages the other instance has heard */
    final java.util.concurrent.atomic.AtomicInteger heardPricing = new java.util.concurrent.atomic.AtomicInteger();

    @BeforeEach
    void startSecondInstance() {
        otherPricing = new PriceTable(em, pricingConfig(), vertx);
        unsubscribed = new PriceTable(em, pricingConfig(), vertx);
        otherControls = new ControlsCache(em, limitsConfig());
        otherInstance = bus.newSubscriber(message -> {
            if (message.concerns(Invalidation.PRICING)) {
                otherPricing.invalidate();
                heardPricing.incrementAndGet();
            }
            otherControls.apply(message);
        });
        otherInstance.start();
        eventually(Duration.ofSeconds(10), otherInstance::isSubscribed, subscribed -> subscribed);
        assertThat(bus.isSubscribed()).isTrue();
    }

    @AfterEach
    void stopSecondInstance() {
        otherInstance.stop();
    }

    @Test
    void aChangedPriceReachesTheOtherInstanceWithinOneSecond() {
        String model = newModel("0.01");
        assertThat(otherPricing.quote(model, json.createObjectNode()).credits()).isEqualTo(300);
        assertThat(unsubscribed.quote(model, json.createObjectNode()).credits()).isEqualTo(300);

        long changedAt = System.nanoTime();
        putModel(model, Map.of("usd_price", "0.02"));
        eventually(ONE_SECOND, () -> otherPricing.quote(model, json.createObjectNode()).credits(), c -> c == 600);
        assertThat(Duration.ofNanos(System.nanoTime() - changedAt)).isLessThan(ONE_SECOND.plusMillis(500));
        // without the message, an hour-long cache would still sell at the old price
        assertThat(unsubscribed.quote(model, json.createObjectNode()).credits()).isEqualTo(300);
    }

    @Test
    void aDisabledModelIsRefusedByTheOtherInstanceWithinOneSecond() {
        String model = newModel("0.01");
        assertThat(otherPricing.quote(model, json.createObjectNode()).credits()).isEqualTo(300);
        putModel(model, Map.of("enabled", false));
        eventually(ONE_SECOND, () -> {
            try {
                otherPricing.quote(model, json.createObjectNode());
                return "still sold";
            } catch (ApiException e) {
                return e.code();
            }
        }, code -> code.equals("unknown_model"));
        assertThatThrownBy(() -> otherPricing.quote(model, json.createObjectNode()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
    }

    @Test
    void aRevokedKeyAndAChangedMultiplierReachTheOtherInstanceWithinOneSecond() {
        long tenant = Fixtures.createTenant("other-instance");
        String key = Fixtures.issueKey(tenant);
        long keyId = ((Number) given().auth().oauth2(Fixtures.adminToken())
                .get("/admin/tenants/{id}/keys", tenant).then().statusCode(200).extract().path("[0].id")).longValue();
        assertThat(otherControls.key(keyId).revoked()).isFalse();
        assertThat(otherControls.tenant(tenant).priceMultiplier()).isEqualByComparingTo("1");

        Fixtures.revokeKey(key);
        eventually(ONE_SECOND, () -> otherControls.key(keyId).revoked(), revoked -> revoked);

        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON)
                .body(Map.of("price_multiplier", "0.8")).patch("/admin/tenants/{id}", tenant).then().statusCode(200);
        eventually(ONE_SECOND, () -> otherControls.tenant(tenant).priceMultiplier().toPlainString(), m -> m.equals("0.8"));
    }

    @Test
    void aResubscriptionDropsEverythingSinceMessagesMayHaveBeenMissed() {
        int heard = heardPricing.get();
        String model = newModel("0.01");
        // the new model's own message must have arrived first: heard later, it would drop the table cached here
        eventually(Duration.ofSeconds(5), heardPricing::get, n -> n > heard);
        assertThat(otherPricing.quote(model, json.createObjectNode()).credits()).isEqualTo(300);
        // a change the other instance does not hear about (it is not listening)
        otherInstance.stop();
        putModel(model, Map.of("usd_price", "0.03"));
        assertThat(otherPricing.quote(model, json.createObjectNode()).credits()).isEqualTo(300);
        // when it subscribes again it starts over
        otherInstance.start();
        eventually(Duration.ofSeconds(5), () -> otherPricing.quote(model, json.createObjectNode()).credits(), c -> c == 900);
    }

    private String newModel(String usd) {
        String id = "ptest-" + UUID.randomUUID().toString().substring(0, 8) + "/multi";
        putModel(id, Map.of("unit", "image", "usd_price", usd, "quantity_param", "num_images", "default_quantity", 1));
        return id;
    }

    private static void putModel(String id, Map<String, Object> body) {
        given().auth().oauth2(Fixtures.adminToken()).contentType(ContentType.JSON).body(body)
                .when().put("/admin/models/" + id).then().statusCode(200);
    }

    private static PricingConfig pricingConfig() {
        return new PricingConfig() {
            @Override
            public Duration cacheTtl() {
                return Duration.ofHours(1);
            }

            @Override
            public String priceList() {
                return "pricing/models.csv";
            }
        };
    }

    private static LimitsConfig limitsConfig() {
        return new LimitsConfig() {
            @Override
            public Duration controlsCacheTtl() {
                return Duration.ofHours(1);
            }

            @Override
            public Duration slotMaxAge() {
                return Duration.ofHours(2);
            }

            @Override
            public Duration concurrencyRetryAfter() {
                return Duration.ofSeconds(5);
            }
        };
    }
}
