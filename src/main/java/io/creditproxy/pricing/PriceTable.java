package io.creditproxy.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.creditproxy.cache.Caches;
import io.creditproxy.cache.Invalidation;
import io.creditproxy.common.ApiException;
import io.creditproxy.common.Blocking;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * Where a submit's price is computed: {@link #quote} (and the tenants' catalog) from the price table and the rates,
 * held in this process. Administration of the table is {@link PriceListService}'s.
 *
 * <p>{@link #quote} is on every submit's hot path, so the whole table and the rates are one cached snapshot
 * (Caffeine): kept at most {@code pricing.cache-ttl} (2 s) after it was read, and read again in the background once
 * it is half that old and still in use, so a quote never waits for PostgreSQL in steady state. Every change
 * publishes an {@link Invalidation}: this instance drops the snapshot at once and again after the commit, the others
 * when the Redis message arrives (a load in flight when it is dropped is not kept); the TTL is the safety net for a
 * lost message.
 */
@ApplicationScoped
public class PriceTable {

    private static final Logger LOG = Logger.getLogger(PriceTable.class);
    private static final String SNAPSHOT = "price-table";

    /** What one read of the database gives: rules by model id, broken rows (with why), unpriced models, the rates. */
    private record Snapshot(Map<String, PriceRule> rules, Map<String, String> broken, Set<String> unpriced,
                            Map<String, Long> versions, BigDecimal exchangeRate, BigDecimal creditsPerCny,
                            long rateVersionId) {
    }

    private final EntityManager em;
    private final AsyncLoadingCache<String, Snapshot> snapshot;

    public PriceTable(EntityManager em, PricingConfig config, Vertx vertx) {
        this.em = em;
        Executor workers = Blocking.executor(vertx);
        this.snapshot = Caffeine.newBuilder()
                .executor(Caches.UPKEEP)
                .expireAfterWrite(config.cacheTtl())
                .refreshAfterWrite(config.cacheTtl().dividedBy(2))
                // the refresh reads the database on the worker pool
                .buildAsync((key, ignored) -> CompletableFuture.supplyAsync(this::load, workers));
    }

    /**
     * A quote at list price.
     *
     * @param body the submit's JSON body (an object)
     * @throws ApiException 404 unknown_model for an unknown or disabled model, 404 model_not_priced for a listed but
     *                      unpriced one, 422 invalid_parameter for a bad quantity or resolution
     */
    public Quote quote(String modelId, JsonNode body) {
        return quote(modelId, body, BigDecimal.ONE);
    }

    /** A quote at a tenant's price multiplier (0.9 = 10 % off, 1.2 = 20 % on top), exact before the ceiling. */
    public Quote quote(String modelId, JsonNode body, BigDecimal multiplier) {
        Snapshot s = current();
        PriceRule rule = rule(s, modelId);
        return PriceCalculator.quote(rule, body, s.exchangeRate(), s.creditsPerCny(), multiplier == null ? BigDecimal.ONE : multiplier)
                .withVersions(s.versions().get(rule.id()), s.rateVersionId());
    }

    /**
     * A quote for a key in a price group: list price x the tenant's multiplier x the group's (one exact product before
     * the ceiling); both multipliers and the group are recorded on the quote, to be frozen on the job.
     */
    public Quote quote(String modelId, JsonNode body, BigDecimal tenantMultiplier, Long groupId, BigDecimal groupMultiplier) {
        BigDecimal tenant = tenantMultiplier == null ? BigDecimal.ONE : tenantMultiplier;
        BigDecimal group = groupMultiplier == null ? BigDecimal.ONE : groupMultiplier;
        return quote(modelId, body, PriceCalculator.combined(tenant, group)).withMultipliers(tenant, groupId, group);
    }

    /** Drops the cached table and rates: the next quote reads the database. */
    public void invalidate() {
        snapshot.synchronous().invalidateAll();
    }

    void onInvalidation(@Observes Invalidation invalidation) {
        if (invalidation.concerns(Invalidation.PRICING)) {
            invalidate();
        }
    }

    /** Credits per CNY in force. */
    public BigDecimal creditsPerCny() {
        return current().creditsPerCny();
    }

    /** What tenants may buy: enabled models, with credits at the default parameters, from the cache. */
    public ModelOffer.Catalog catalog() {
        return catalog(BigDecimal.ONE);
    }

    /** The catalog with a tenant's price multiplier in the credits (USD prices stay fal's). */
    public ModelOffer.Catalog catalog(BigDecimal multiplier) {
        Snapshot s = current();
        BigDecimal m = multiplier == null ? BigDecimal.ONE : multiplier;
        List<ModelOffer> offers = new ArrayList<>();
        s.rules().values().stream()
                .filter(PriceRule::enabled)
                .sorted(Comparator.comparing(PriceRule::id))
                .forEach(r -> offers.add(offer(r, s, m)));
        return new ModelOffer.Catalog(s.exchangeRate().stripTrailingZeros().toPlainString(),
                s.creditsPerCny().stripTrailingZeros().toPlainString(), offers);
    }

    private Snapshot current() {
        return Caches.get(snapshot, SNAPSHOT, key -> load());
    }

    private Snapshot load() {
        return QuarkusTransaction.joiningExisting().call(this::read);
    }

    private Snapshot read() {
        Map<String, PriceRule> rules = new HashMap<>();
        Map<String, String> broken = new HashMap<>();
        Map<String, Long> versions = new HashMap<>();
        Set<String> unpriced = new HashSet<>();
        for (ModelPrice m : em.createQuery("FROM ModelPrice", ModelPrice.class).getResultList()) {
            if (m.usdPrice == null) {
                unpriced.add(m.id);
            } else {
                try {
                    rules.put(m.id, PriceRule.parse(m.toEntry()));
                    if (m.priceVersionId != null) {
                        versions.put(m.id, m.priceVersionId);
                    }
                } catch (IllegalArgumentException e) {
                    // a row edited by hand into something unusable: refuse that model, keep selling the others
                    broken.put(m.id, e.getMessage());
                }
            }
            em.detach(m);
        }
        if (!broken.isEmpty()) {
            LOG.warnf("price table: %d model(s) unusable and refused: %s", broken.size(), broken);
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                        "SELECT id, exchange_rate, credits_per_cny FROM rate_versions ORDER BY id DESC LIMIT 1")
                .getResultList();
        if (rows.isEmpty()) {
            // never sell at a made-up rate
            throw new IllegalStateException("rate_versions is empty: the exchange rate and credits per CNY must be set");
        }
        Object[] r = rows.get(0);
        return new Snapshot(Map.copyOf(rules), Map.copyOf(broken), Set.copyOf(unpriced), Map.copyOf(versions),
                (BigDecimal) r[1], (BigDecimal) r[2], ((Number) r[0]).longValue());
    }

    private static PriceRule rule(Snapshot s, String modelId) {
        PriceRule r = modelId == null ? null : s.rules().get(modelId);
        if (r == null) {
            if (modelId != null && s.unpriced().contains(modelId)) {
                throw ApiException.notFound("model_not_priced", "Model '" + modelId + "' is listed but has no price on this proxy and cannot be used.");
            }
            if (modelId != null && s.broken().containsKey(modelId)) {
                throw ApiException.notFound("unknown_model", "Model '" + modelId + "' has no valid price on this proxy and cannot be used.");
            }
            throw unknownModel(modelId);
        }
        if (!r.enabled()) {
            throw ApiException.notFound("unknown_model", "Model '" + modelId + "' is disabled on this proxy.");
        }
        return r;
    }

    static ApiException unknownModel(String modelId) {
        String shown = modelId == null ? "" : modelId.length() > 200 ? modelId.substring(0, 200) + "..." : modelId;
        return ApiException.notFound("unknown_model",
                "Model '" + shown + "' is not priced on this proxy; GET /v1/models lists the models on sale.");
    }

    private static String presetName(ImageSizes.Size size) {
        for (String name : ImageSizes.presetNames()) {
            if (ImageSizes.preset(name).equals(size)) {
                return name;
            }
        }
        return size.toString();
    }

    private static ModelOffer offer(PriceRule r, Snapshot s, BigDecimal multiplier) {
        long perUnit = PriceCalculator.quoteUnits(r, 1, PriceCalculator.defaultFactor(r), s.exchangeRate(), s.creditsPerCny(), multiplier).credits();
        boolean sizeRequired = r.unit() == PriceUnit.megapixel && r.defaultSize() == null;
        Long atDefaults = sizeRequired ? null
                : PriceCalculator.quote(r, null, s.exchangeRate(), s.creditsPerCny(), multiplier).credits();
        boolean range = r.allowedQuantities() == null;
        return new ModelOffer(r.id(), r.unit().name(), r.usdPrice().toPlainString(), perUnit, atDefaults,
                r.quantityParam(), r.defaultQuantity(), r.allowedQuantities(),
                range ? r.minQuantity() : null, range ? r.maxQuantity() : null, r.clipSeconds(),
                r.resolutionParam(), r.defaultResolution(),
                r.resolutionParam() == null ? null : List.copyOf(r.resolutions().keySet()), r.description(),
                r.sizeParam(), r.defaultSize() == null ? null : presetName(r.defaultSize()), r.multiplierParam(),
                r.maxMultiplier());
    }
}
