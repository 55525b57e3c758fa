package io.creditproxy.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import io.creditproxy.common.ApiException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * Prices submits from the price table in PostgreSQL, and lets admins read and change that table.
 *
 * <p>{@link #quote} is on every submit's hot path, so the whole table and the two settings are kept in this
 * process for {@code pricing.cache-ttl} (2 s); {@link #invalidate()} drops them at once (after an admin's change
 * here, and later on a Redis message from another instance). Reads for admins always go to the database.
 */
@ApplicationScoped
public class PricingService {

    private static final Logger LOG = Logger.getLogger(PricingService.class);
    static final String EXCHANGE_RATE = "exchange_rate";
    static final String CREDITS_PER_CNY = "credits_per_cny";

    /** What one read of the database gives: rules by model id, broken rows (with why), the settings. */
    private record Snapshot(Map<String, PriceRule> rules, Map<String, String> broken, BigDecimal exchangeRate,
                            BigDecimal creditsPerCny, long loadedAtNanos) {
    }

    private final EntityManager em;
    private final TransactionSynchronizationRegistry txRegistry;
    private final long ttlNanos;
    private final ReentrantLock reloadLock = new ReentrantLock();
    // bumped by invalidate(), so a load that began before an invalidation is not kept as fresh
    private final AtomicLong generation = new AtomicLong();
    private volatile Snapshot snapshot;

    public PricingService(EntityManager em, TransactionSynchronizationRegistry txRegistry, PricingConfig config) {
        this.em = em;
        this.txRegistry = txRegistry;
        this.ttlNanos = config.cacheTtl().toNanos();
    }

    /**
     * @param body the submit's JSON body (an object)
     * @throws io.creditproxy.common.ApiException 404 unknown_model for an unknown or disabled model,
     *         422 invalid_parameter for a bad quantity or resolution
     */
    public Quote quote(String modelId, JsonNode body) {
        Snapshot s = current();
        return PriceCalculator.quote(rule(s, modelId), body, s.exchangeRate(), s.creditsPerCny());
    }

    /** Drops the cached table and settings: the next quote reads the database. */
    public void invalidate() {
        generation.incrementAndGet();
        snapshot = null;
    }

    /** What tenants may buy: enabled models, with credits at the default parameters, from the cache. */
    public ModelOffer.Catalog catalog() {
        Snapshot s = current();
        List<ModelOffer> offers = new ArrayList<>();
        s.rules().values().stream()
                .filter(PriceRule::enabled)
                .sorted(Comparator.comparing(PriceRule::id))
                .forEach(r -> offers.add(offer(r, s)));
        return new ModelOffer.Catalog(s.exchangeRate().stripTrailingZeros().toPlainString(),
                s.creditsPerCny().stripTrailingZeros().toPlainString(), offers);
    }

    // ---- admins -------------------------------------------------------------------------------------------

    /** Every model, enabled or not, straight from the database. */
    @Transactional
    public List<PriceListEntry> listModels() {
        return em.createQuery("FROM ModelPrice ORDER BY id", ModelPrice.class).getResultStream()
                .map(ModelPrice::toEntry)
                .toList();
    }

    /** @throws ApiException 404 unknown_model */
    @Transactional
    public PriceListEntry model(String id) {
        ModelPrice m = id == null ? null : em.find(ModelPrice.class, id);
        if (m == null) {
            throw unknownModel(id);
        }
        return m.toEntry();
    }

    /**
     * Changes a model (or adds it, when the id is new and the required fields are given), validated as a whole.
     * The cache is dropped once the change is committed, so no reader can cache the old row again.
     *
     * @throws ApiException 422 invalid_parameter when the result would not be a usable price
     */
    @Transactional
    public PriceListEntry updateModel(String id, ModelUpdate update) {
        if (update == null) {
            throw ApiException.invalidParameter("The body must be a JSON object with the fields to change.");
        }
        ModelPrice m = id == null ? null : em.find(ModelPrice.class, id, LockModeType.PESSIMISTIC_WRITE);
        PriceListEntry next = update.applyTo(id, m == null ? null : m.toEntry());
        try {
            PriceRule.parse(next);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidParameter(e.getMessage());
        }
        if (m == null) {
            m = new ModelPrice();
            m.id = id;
            m.copyFrom(next);
            m.updatedAt = OffsetDateTime.now();
            em.persist(m);
            try {
                em.flush();
            } catch (PersistenceException e) {
                throw ApiException.conflict("model_exists", "Model '" + id + "' was added at the same time by someone else; read it and try again.");
            }
            LOG.infof("model %s added by an admin", id);
        } else {
            m.copyFrom(next);
            m.updatedAt = OffsetDateTime.now();
        }
        em.flush();
        invalidateAfterCommit();
        return m.toEntry();
    }

    /**
     * Adds the models of a price list that the table does not have yet; never touches an existing row, so what
     * admins changed stays. One statement per model with ON CONFLICT DO NOTHING, in id order, so instances that
     * start together neither fail nor deadlock.
     *
     * @return how many models were added
     */
    @Transactional
    public int addMissingModels(List<PriceListEntry> entries) {
        int added = 0;
        List<PriceListEntry> sorted = entries.stream().sorted(Comparator.comparing(PriceListEntry::id)).toList();
        for (PriceListEntry e : sorted) {
            PriceRule.parse(e);
            added += em.createNativeQuery("""
                            INSERT INTO models(id, unit, usd_price, quantity_param, default_quantity, allowed_quantities,
                                               min_quantity, max_quantity, clip_seconds, resolution_param,
                                               default_resolution, resolution_factors, description, enabled)
                            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                            ON CONFLICT (id) DO NOTHING""")
                    .setParameter(1, e.id())
                    .setParameter(2, e.unit())
                    .setParameter(3, e.usdPrice())
                    .setParameter(4, e.quantityParam())
                    .setParameter(5, e.defaultQuantity())
                    .setParameter(6, e.allowedQuantities())
                    .setParameter(7, e.minQuantity())
                    .setParameter(8, e.maxQuantity())
                    .setParameter(9, e.clipSeconds())
                    .setParameter(10, e.resolutionParam())
                    .setParameter(11, e.defaultResolution())
                    .setParameter(12, e.resolutionFactors())
                    .setParameter(13, e.description())
                    .setParameter(14, e.enabled())
                    .executeUpdate();
        }
        if (added > 0) {
            invalidateAfterCommit();
        }
        return added;
    }

    // ---- the cache ----------------------------------------------------------------------------------------

    private Snapshot current() {
        Snapshot s = snapshot;
        if (s != null && System.nanoTime() - s.loadedAtNanos() < ttlNanos) {
            return s;
        }
        // one reader reloads; the others wait for it rather than all hitting the database at once
        reloadLock.lock();
        try {
            s = snapshot;
            if (s != null && System.nanoTime() - s.loadedAtNanos() < ttlNanos) {
                return s;
            }
            long gen = generation.get();
            s = QuarkusTransaction.joiningExisting().call(this::load);
            if (generation.get() == gen) {
                snapshot = s;
            }
            return s;
        } finally {
            reloadLock.unlock();
        }
    }

    private Snapshot load() {
        Map<String, PriceRule> rules = new HashMap<>();
        Map<String, String> broken = new HashMap<>();
        for (ModelPrice m : em.createQuery("FROM ModelPrice", ModelPrice.class).getResultList()) {
            try {
                rules.put(m.id, PriceRule.parse(m.toEntry()));
            } catch (IllegalArgumentException e) {
                // a row edited by hand into something unusable: refuse that model, keep selling the others
                broken.put(m.id, e.getMessage());
            }
            em.detach(m);
        }
        if (!broken.isEmpty()) {
            LOG.warnf("price table: %d model(s) unusable and refused: %s", broken.size(), broken);
        }
        Map<String, BigDecimal> settings = new HashMap<>();
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT name, value FROM settings WHERE name IN (?1, ?2)")
                .setParameter(1, EXCHANGE_RATE)
                .setParameter(2, CREDITS_PER_CNY)
                .getResultList();
        for (Object[] row : rows) {
            settings.put((String) row[0], (BigDecimal) row[1]);
        }
        BigDecimal rate = settings.get(EXCHANGE_RATE);
        BigDecimal perCny = settings.get(CREDITS_PER_CNY);
        if (rate == null || perCny == null) {
            // never sell at a made-up rate
            throw new IllegalStateException("settings exchange_rate and credits_per_cny must both be set");
        }
        return new Snapshot(Map.copyOf(rules), Map.copyOf(broken), rate, perCny, System.nanoTime());
    }

    private void invalidateAfterCommit() {
        invalidate();
        txRegistry.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    invalidate();
                }
            }
        });
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static PriceRule rule(Snapshot s, String modelId) {
        PriceRule r = modelId == null ? null : s.rules().get(modelId);
        if (r == null) {
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

    private static ApiException unknownModel(String modelId) {
        String shown = modelId == null ? "" : modelId.length() > 200 ? modelId.substring(0, 200) + "..." : modelId;
        return ApiException.notFound("unknown_model",
                "Model '" + shown + "' is not priced on this proxy; GET /v1/models lists the models on sale.");
    }

    private static ModelOffer offer(PriceRule r, Snapshot s) {
        long perUnit = PriceCalculator.quoteUnits(r, 1, PriceCalculator.defaultFactor(r), s.exchangeRate(), s.creditsPerCny()).credits();
        long atDefaults = PriceCalculator.quote(r, null, s.exchangeRate(), s.creditsPerCny()).credits();
        boolean range = r.allowedQuantities() == null;
        return new ModelOffer(r.id(), r.unit().name(), r.usdPrice().toPlainString(), perUnit, atDefaults,
                r.quantityParam(), r.defaultQuantity(), r.allowedQuantities(),
                range ? r.minQuantity() : null, range ? r.maxQuantity() : null, r.clipSeconds(),
                r.resolutionParam(), r.defaultResolution(),
                r.resolutionParam() == null ? null : List.copyOf(r.resolutions().keySet()), r.description());
    }
}
