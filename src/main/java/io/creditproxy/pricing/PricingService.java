package io.creditproxy.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import io.creditproxy.audit.AuditLog;
import io.creditproxy.cache.Invalidation;
import io.creditproxy.cache.InvalidationBus;
import io.creditproxy.common.ApiException;
import io.creditproxy.common.Timestamps;
import io.creditproxy.pricing.PricingViews.ImportResult;
import io.creditproxy.pricing.PricingViews.ModelChange;
import io.creditproxy.pricing.PricingViews.PriceVersion;
import io.creditproxy.pricing.PricingViews.Rates;
import io.creditproxy.pricing.PricingViews.RatesUpdate;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import java.io.StringReader;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * Prices submits from the price table in PostgreSQL, and lets admins read and change that table, its history and
 * the rates.
 *
 * <p>{@link #quote} is on every submit's hot path, so the whole table and the rates are kept in this process for
 * {@code pricing.cache-ttl} (2 s). Every change publishes an {@link Invalidation} through the {@link InvalidationBus}:
 * this instance drops its copy at once and again after the commit, the others when the Redis message arrives; the
 * TTL is the safety net for a lost message. Reads for admins always go to the database.
 *
 * <p>Price history: every change of what a model costs (price, unit, clip length, resolution factors) appends a
 * {@code model_price_versions} row, every change of the rates a {@code rate_versions} row, both effective from
 * their commit; a quote names the versions it used, and the job keeps them.
 */
@ApplicationScoped
public class PricingService {

    private static final Logger LOG = Logger.getLogger(PricingService.class);
    static final String EXCHANGE_RATE = "exchange_rate";
    static final String CREDITS_PER_CNY = "credits_per_cny";

    /** What one read of the database gives: rules by model id, broken rows (with why), unpriced models, the rates. */
    private record Snapshot(Map<String, PriceRule> rules, Map<String, String> broken, Set<String> unpriced,
                            Map<String, Long> versions, BigDecimal exchangeRate, BigDecimal creditsPerCny,
                            long rateVersionId, long loadedAtNanos) {
    }

    private final EntityManager em;
    private final InvalidationBus bus;
    private final AuditLog audit;
    private final long ttlNanos;
    private final ReentrantLock reloadLock = new ReentrantLock();
    // bumped by invalidate(), so a load that began before an invalidation is not kept as fresh
    private final AtomicLong generation = new AtomicLong();
    private volatile Snapshot snapshot;

    public PricingService(EntityManager em, PricingConfig config, InvalidationBus bus, AuditLog audit) {
        this.em = em;
        this.bus = bus;
        this.audit = audit;
        this.ttlNanos = config.cacheTtl().toNanos();
    }

    /**
     * A quote at list price.
     *
     * @param body the submit's JSON body (an object)
     * @throws io.creditproxy.common.ApiException 404 unknown_model for an unknown or disabled model, 404
     *         model_not_priced for a listed but unpriced one, 422 invalid_parameter for a bad quantity or resolution
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

    /** Drops the cached table and rates: the next quote reads the database. */
    public void invalidate() {
        generation.incrementAndGet();
        snapshot = null;
    }

    void onInvalidation(@Observes Invalidation invalidation) {
        if (invalidation.concerns(Invalidation.PRICING)) {
            invalidate();
        }
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

    // ---- admins: models -----------------------------------------------------------------------------------

    /** Every model, enabled or not, priced or not, straight from the database. */
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
     * Changes a model (or adds it, when the id is new and the required fields are given), validated as a whole,
     * audited, with a new price version when what it costs changed. Every instance drops its cache after the commit.
     *
     * @throws ApiException 422 invalid_parameter when the result would not be a usable price, 422 model_not_priced
     *                      when an unpriced model would be enabled
     */
    @Transactional
    public PriceListEntry updateModel(String id, PriceListEntry update) {
        if (update == null) {
            throw ApiException.invalidParameter("The body must be a JSON object with the fields to change.");
        }
        ModelPrice m = id == null ? null : em.find(ModelPrice.class, id, LockModeType.PESSIMISTIC_WRITE);
        PriceListEntry before = m == null ? null : m.toEntry();
        PriceListEntry next = update.appliedTo(id, before);
        validate(next);
        return save(id, m, next, before == null ? "model.create" : "model.update");
    }

    /** Writes one model (m null = a new one), its price version when needed, and the audit line. */
    private PriceListEntry save(String id, ModelPrice m, PriceListEntry next, String action) {
        PriceListEntry before = m == null ? null : m.toEntry();
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
        if (before == null || priceChanged(before, next)) {
            m.priceVersionId = insertVersion(next, audit.currentActor());
            em.flush();
        }
        PriceListEntry after = m.toEntry();
        if (!after.equals(before)) {
            audit.record(action, null, id, "model:" + id, before, after);
        }
        bus.publish(Invalidation.pricing());
        return after;
    }

    /** The versions of a model's price, newest first. @throws ApiException 404 unknown_model */
    @Transactional
    public List<PriceVersion> priceHistory(String modelId) {
        model(modelId);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        SELECT id, model_id, unit, usd_price, clip_seconds, resolution_factors, effective_at, created_by
                        FROM model_price_versions WHERE model_id = ?1 ORDER BY id DESC""")
                .setParameter(1, modelId)
                .getResultList();
        return rows.stream().map(r -> new PriceVersion(((Number) r[0]).longValue(), (String) r[1], (String) r[2],
                r[3] == null ? null : PriceListEntry.normalize((BigDecimal) r[3]),
                r[4] == null ? null : ((Number) r[4]).intValue(), (String) r[5], Timestamps.offset(r[6]), (String) r[7])).toList();
    }

    /**
     * Adds the models of a price list that the table does not have yet; never touches an existing row, so what
     * admins changed stays. One statement per model with ON CONFLICT DO NOTHING, in id order, so instances that
     * start together neither fail nor deadlock. Each added model gets its first price version.
     *
     * @return how many models were added
     */
    @Transactional
    public int addMissingModels(List<PriceListEntry> entries) {
        int added = 0;
        List<PriceListEntry> sorted = entries.stream().sorted(Comparator.comparing(PriceListEntry::id)).toList();
        for (PriceListEntry e : sorted) {
            PriceRule.validate(e);
            @SuppressWarnings("unchecked")
            List<Object> inserted = em.createNativeQuery("""
                            INSERT INTO models(id, unit, usd_price, quantity_param, default_quantity, allowed_quantities,
                                               min_quantity, max_quantity, clip_seconds, resolution_param,
                                               default_resolution, resolution_factors, description, enabled)
                            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                            ON CONFLICT (id) DO NOTHING RETURNING id""")
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
                    .getResultList();
            if (!inserted.isEmpty()) {
                long version = insertVersion(e, "price-list");
                em.createNativeQuery("UPDATE models SET price_version_id = ?1 WHERE id = ?2")
                        .setParameter(1, version)
                        .setParameter(2, e.id())
                        .executeUpdate();
                added++;
            }
        }
        if (added > 0) {
            bus.publish(Invalidation.pricing());
        }
        return added;
    }

    // ---- admins: import and export ------------------------------------------------------------------------

    /** The whole table in the pricing/models.csv format. */
    @Transactional
    public String exportCsv() {
        return PriceListCsv.write(listModels());
    }

    /**
     * Compares a price list (pricing/models.csv format) with the table and, when {@code apply}, writes the
     * difference in one transaction: new models are added, changed ones updated (with price versions and audit
     * lines); models missing from the file are reported, never deleted.
     *
     * @throws ApiException 422 invalid_price_list naming the line of the first bad row
     */
    @Transactional
    public ImportResult importCsv(String csv, boolean apply) {
        List<PriceListEntry> entries;
        try {
            entries = PriceListCsv.read(new StringReader(csv == null ? "" : csv));
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw new ApiException(422, "invalid_price_list", e.getMessage());
        }
        if (entries.isEmpty()) {
            throw new ApiException(422, "invalid_price_list", "The price list has no models.");
        }
        Map<String, ModelPrice> current = new HashMap<>();
        List<ModelPrice> rows = apply
                ? em.createQuery("FROM ModelPrice ORDER BY id", ModelPrice.class).setLockMode(LockModeType.PESSIMISTIC_WRITE).getResultList()
                : em.createQuery("FROM ModelPrice ORDER BY id", ModelPrice.class).getResultList();
        for (ModelPrice m : rows) {
            current.put(m.id, m);
        }
        List<PriceListEntry> added = new ArrayList<>();
        List<ModelChange> changed = new ArrayList<>();
        int unchanged = 0;
        Set<String> named = new HashSet<>();
        for (PriceListEntry e : entries.stream().sorted(Comparator.comparing(PriceListEntry::id)).toList()) {
            named.add(e.id());
            ModelPrice m = current.get(e.id());
            if (m == null) {
                added.add(e);
                continue;
            }
            PriceListEntry before = m.toEntry();
            List<String> fields = differences(before, e);
            if (fields.isEmpty()) {
                unchanged++;
            } else {
                changed.add(new ModelChange(e.id(), fields, before, e));
            }
        }
        List<String> notInFile = current.keySet().stream().filter(id -> !named.contains(id)).sorted().toList();
        if (apply) {
            for (PriceListEntry e : added) {
                save(e.id(), null, e, "model.import");
            }
            for (ModelChange c : changed) {
                save(c.id(), current.get(c.id()), c.after(), "model.import");
            }
            LOG.infof("price list imported: %d added, %d changed, %d unchanged", added.size(), changed.size(), unchanged);
        }
        return new ImportResult(apply, added, changed, unchanged, notInFile);
    }

    // ---- admins: rates ------------------------------------------------------------------------------------

    @Transactional
    public Rates rates() {
        return rateHistory(1).get(0);
    }

    /** The versions of the rates, newest first. */
    @Transactional
    public List<Rates> rateHistory(int limit) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        SELECT id, exchange_rate, credits_per_cny, effective_at, created_by
                        FROM rate_versions ORDER BY id DESC LIMIT ?1""")
                .setParameter(1, limit)
                .getResultList();
        return rows.stream().map(r -> new Rates(PriceListEntry.normalize((BigDecimal) r[1]),
                PriceListEntry.normalize((BigDecimal) r[2]), ((Number) r[0]).longValue(), Timestamps.offset(r[3]), (String) r[4])).toList();
    }

    /**
     * A new version of the exchange rate and credits per CNY, effective at its commit for every new quote
     * (running jobs keep theirs).
     *
     * @throws ApiException 422 for a value that is not a positive numeric(20,8)
     */
    @Transactional
    public Rates updateRates(RatesUpdate update) {
        if (update == null || (update.exchangeRate() == null && update.creditsPerCny() == null)) {
            throw ApiException.invalidParameter("Give exchange_rate and/or credits_per_cny.");
        }
        // one writer at a time, so that versions follow each other
        em.createNativeQuery("SELECT pg_advisory_xact_lock(?1)").setParameter(1, 0x63705f7261746573L).getSingleResult();
        Rates before = rates();
        BigDecimal rate = update.exchangeRate() == null ? before.exchangeRate() : requireRate("exchange_rate", update.exchangeRate());
        BigDecimal perCny = update.creditsPerCny() == null ? before.creditsPerCny() : requireRate("credits_per_cny", update.creditsPerCny());
        if (rate.compareTo(before.exchangeRate()) == 0 && perCny.compareTo(before.creditsPerCny()) == 0) {
            return before;
        }
        em.createNativeQuery("INSERT INTO rate_versions(exchange_rate, credits_per_cny, created_by) VALUES (?1, ?2, ?3)")
                .setParameter(1, rate)
                .setParameter(2, perCny)
                .setParameter(3, audit.currentActor())
                .executeUpdate();
        em.createNativeQuery("UPDATE settings SET value = ?1, updated_at = now() WHERE name = ?2")
                .setParameter(1, rate).setParameter(2, EXCHANGE_RATE).executeUpdate();
        em.createNativeQuery("UPDATE settings SET value = ?1, updated_at = now() WHERE name = ?2")
                .setParameter(1, perCny).setParameter(2, CREDITS_PER_CNY).executeUpdate();
        Rates after = rates();
        audit.record("rates.update", null, null, "rates", before, after);
        bus.publish(Invalidation.pricing());
        return after;
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

    /**
     * Reloads the table in the background once it is past half its TTL, so that a quote never waits for PostgreSQL
     * in steady state (every submit used to queue behind the one reader reloading it, every 2 s). The TTL still
     * bounds staleness when an invalidation is lost; one that races with this reload wins (the reload is dropped).
     */
    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refreshAhead() {
        Snapshot s = snapshot;
        if (s == null || System.nanoTime() - s.loadedAtNanos() < ttlNanos / 2) {
            return;
        }
        long gen = generation.get();
        Snapshot fresh = QuarkusTransaction.requiringNew().call(this::load);
        if (generation.get() == gen) {
            snapshot = fresh;
        }
    }

    private Snapshot load() {
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
                (BigDecimal) r[1], (BigDecimal) r[2], ((Number) r[0]).longValue(), System.nanoTime());
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static void validate(PriceListEntry next) {
        if (next.usdPrice() == null && next.enabled()) {
            throw new ApiException(422, "model_not_priced", "Model '" + next.id() + "' has no usd_price; "
                    + "it cannot be enabled until it is priced.");
        }
        try {
            PriceRule.validate(next);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidParameter(e.getMessage());
        }
    }

    private long insertVersion(PriceListEntry e, String createdBy) {
        return ((Number) em.createNativeQuery("""
                        INSERT INTO model_price_versions(model_id, unit, usd_price, clip_seconds, resolution_factors, created_by)
                        VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id""")
                .setParameter(1, e.id())
                .setParameter(2, e.unit())
                .setParameter(3, e.usdPrice())
                .setParameter(4, e.clipSeconds())
                .setParameter(5, e.resolutionFactors())
                .setParameter(6, createdBy)
                .getSingleResult()).longValue();
    }

    /** true when what the model costs changed (what a price version records) */
    private static boolean priceChanged(PriceListEntry a, PriceListEntry b) {
        return !Objects.equals(a.unit(), b.unit()) || !Objects.equals(a.usdPrice(), b.usdPrice())
                || !Objects.equals(a.clipSeconds(), b.clipSeconds())
                || !Objects.equals(a.resolutionFactors(), b.resolutionFactors());
    }

    private static List<String> differences(PriceListEntry a, PriceListEntry b) {
        List<String> out = new ArrayList<>();
        diff(out, "unit", a.unit(), b.unit());
        diff(out, "usd_price", a.usdPrice(), b.usdPrice());
        diff(out, "quantity_param", a.quantityParam(), b.quantityParam());
        diff(out, "default_quantity", a.defaultQuantity(), b.defaultQuantity());
        diff(out, "allowed_quantities", a.allowedQuantities(), b.allowedQuantities());
        diff(out, "min_quantity", a.minQuantity(), b.minQuantity());
        diff(out, "max_quantity", a.maxQuantity(), b.maxQuantity());
        diff(out, "clip_seconds", a.clipSeconds(), b.clipSeconds());
        diff(out, "resolution_param", a.resolutionParam(), b.resolutionParam());
        diff(out, "default_resolution", a.defaultResolution(), b.defaultResolution());
        diff(out, "resolution_factors", a.resolutionFactors(), b.resolutionFactors());
        diff(out, "description", a.description(), b.description());
        diff(out, "enabled", a.enabled(), b.enabled());
        return out;
    }

    private static void diff(List<String> out, String name, Object a, Object b) {
        if (!Objects.equals(a, b)) {
            out.add(name);
        }
    }

    private static BigDecimal requireRate(String name, BigDecimal v) {
        if (v.signum() <= 0 || v.scale() > 8 || v.precision() - v.scale() > 12) {
            throw ApiException.invalidParameter(name + " must be greater than 0 with at most 12 digits before and 8 after the decimal point");
        }
        return v;
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

    private static ApiException unknownModel(String modelId) {
        String shown = modelId == null ? "" : modelId.length() > 200 ? modelId.substring(0, 200) + "..." : modelId;
        return ApiException.notFound("unknown_model",
                "Model '" + shown + "' is not priced on this proxy; GET /v1/models lists the models on sale.");
    }

    private static ModelOffer offer(PriceRule r, Snapshot s, BigDecimal multiplier) {
        long perUnit = PriceCalculator.quoteUnits(r, 1, PriceCalculator.defaultFactor(r), s.exchangeRate(), s.creditsPerCny(), multiplier).credits();
        long atDefaults = PriceCalculator.quote(r, null, s.exchangeRate(), s.creditsPerCny(), multiplier).credits();
        boolean range = r.allowedQuantities() == null;
        return new ModelOffer(r.id(), r.unit().name(), r.usdPrice().toPlainString(), perUnit, atDefaults,
                r.quantityParam(), r.defaultQuantity(), r.allowedQuantities(),
                range ? r.minQuantity() : null, range ? r.maxQuantity() : null, r.clipSeconds(),
                r.resolutionParam(), r.defaultResolution(),
                r.resolutionParam() == null ? null : List.copyOf(r.resolutions().keySet()), r.description());
    }
}
