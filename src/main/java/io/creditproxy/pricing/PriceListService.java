package io.creditproxy.pricing;

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
import jakarta.enterprise.context.ApplicationScoped;
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
import org.jboss.logging.Logger;

/**
 * The price list as admins keep it: models (add, change, enable), price history, CSV import and export, the rates.
 * Reads always go to the database; every change is audited and published as an {@link Invalidation}, so that every
 * instance's {@link PriceTable} (where quotes are computed) drops its copy.
 *
 * <p>Price history: every change of what a model costs (price, unit, clip length, resolution factors) appends a
 * {@code model_price_versions} row, every change of the rates a {@code rate_versions} row, both effective from
 * their commit; a quote names the versions it used, and the job keeps them.
 */
@ApplicationScoped
public class PriceListService {

    private static final Logger LOG = Logger.getLogger(PriceListService.class);
    static final String EXCHANGE_RATE = "exchange_rate";
    static final String CREDITS_PER_CNY = "credits_per_cny";
    static final String COST_RATE = "cost_rate";

    private final EntityManager em;
    private final InvalidationBus bus;
    private final AuditLog audit;

    public PriceListService(EntityManager em, InvalidationBus bus, AuditLog audit) {
        this.em = em;
        this.bus = bus;
        this.audit = audit;
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
            throw PriceTable.unknownModel(id);
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
     * Adds the models of a price list that the table does not have yet, and prices the ones the table lists unpriced
     * when the list has a price for them; never touches a priced row, so what admins changed stays. One statement per
     * model (ON CONFLICT DO NOTHING; UPDATE ... WHERE usd_price IS NULL), in id order, so instances that start
     * together neither fail nor deadlock. Each added or newly priced model gets a price version.
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
            List<Object> inserted = bindRow(em.createNativeQuery("""
                            INSERT INTO models(id, unit, usd_price, quantity_param, default_quantity, allowed_quantities,
                                               min_quantity, max_quantity, clip_seconds, resolution_param,
                                               default_resolution, resolution_factors, description, enabled,
                                               size_param, default_size, multiplier_param, max_multiplier)
                            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
                            ON CONFLICT (id) DO NOTHING RETURNING id"""), e)
                    .getResultList();
            if (inserted.isEmpty() && e.usdPrice() != null) {
                // a model the table lists unpriced takes the list's price: there is no admin's price to keep
                inserted = pricedFromList(e);
            }
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

    @SuppressWarnings("unchecked")
    private List<Object> pricedFromList(PriceListEntry e) {
        return bindRow(em.createNativeQuery("""
                        UPDATE models SET unit = ?2, usd_price = ?3, quantity_param = ?4, default_quantity = ?5,
                               allowed_quantities = ?6, min_quantity = ?7, max_quantity = ?8, clip_seconds = ?9,
                               resolution_param = ?10, default_resolution = ?11, resolution_factors = ?12,
                               description = ?13, enabled = ?14, size_param = ?15, default_size = ?16,
                               multiplier_param = ?17, max_multiplier = ?18, updated_at = now()
                        WHERE id = ?1 AND usd_price IS NULL RETURNING id"""), e)
                .getResultList();
    }

    /** Binds a price-list row to ?1 (id) .. ?18 (max_multiplier), the column order of both statements above. */
    private static jakarta.persistence.Query bindRow(jakarta.persistence.Query q, PriceListEntry e) {
        return q.setParameter(1, e.id())
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
                .setParameter(15, e.sizeParam())
                .setParameter(16, e.defaultSize())
                .setParameter(17, e.multiplierParam())
                .setParameter(18, e.maxMultiplier());
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

    /**
     * New USD prices for several models in one transaction (rows locked in id order), each a new price version with
     * its audit line under {@code action}; the unit and everything else stay. Used by the price sync with fal.
     *
     * @throws ApiException 404 unknown_model, 422 for a price that is not usable
     */
    @Transactional
    public List<PriceListEntry> applyPrices(Map<String, BigDecimal> prices, String action) {
        List<PriceListEntry> out = new ArrayList<>();
        for (String id : prices.keySet().stream().sorted().toList()) {
            ModelPrice m = em.find(ModelPrice.class, id, LockModeType.PESSIMISTIC_WRITE);
            if (m == null) {
                throw PriceTable.unknownModel(id);
            }
            PriceListEntry next = PriceListEntry.changePrice(prices.get(id)).appliedTo(id, m.toEntry());
            validate(next);
            out.add(save(id, m, next, action));
        }
        return out;
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
                        SELECT id, exchange_rate, credits_per_cny, cost_rate, effective_at, created_by
                        FROM rate_versions ORDER BY id DESC LIMIT ?1""")
                .setParameter(1, limit)
                .getResultList();
        return rows.stream().map(r -> new Rates(PriceListEntry.normalize((BigDecimal) r[1]),
                PriceListEntry.normalize((BigDecimal) r[2]), PriceListEntry.normalize((BigDecimal) r[3]),
                ((Number) r[0]).longValue(), Timestamps.offset(r[4]), (String) r[5])).toList();
    }

    /**
     * A new version of the exchange rate, credits per CNY and cost rate, effective at its commit for every new quote
     * (running jobs keep theirs: a job's cost rate is its rate version's).
     *
     * @throws ApiException 422 for a value that is not a positive numeric(20,8)
     */
    @Transactional
    public Rates updateRates(RatesUpdate update) {
        if (update == null || (update.exchangeRate() == null && update.creditsPerCny() == null && update.costRate() == null)) {
            throw ApiException.invalidParameter("Give exchange_rate, credits_per_cny and/or cost_rate.");
        }
        // one writer at a time, so that versions follow each other
        em.createNativeQuery("SELECT pg_advisory_xact_lock(?1)").setParameter(1, 0x63705f7261746573L).getSingleResult();
        Rates before = rates();
        BigDecimal rate = update.exchangeRate() == null ? before.exchangeRate() : requireRate("exchange_rate", update.exchangeRate());
        BigDecimal perCny = update.creditsPerCny() == null ? before.creditsPerCny() : requireRate("credits_per_cny", update.creditsPerCny());
        BigDecimal cost = update.costRate() == null ? before.costRate() : requireRate("cost_rate", update.costRate());
        if (rate.compareTo(before.exchangeRate()) == 0 && perCny.compareTo(before.creditsPerCny()) == 0
                && cost.compareTo(before.costRate()) == 0) {
            return before;
        }
        em.createNativeQuery("INSERT INTO rate_versions(exchange_rate, credits_per_cny, cost_rate, created_by) VALUES (?1, ?2, ?3, ?4)")
                .setParameter(1, rate)
                .setParameter(2, perCny)
                .setParameter(3, cost)
                .setParameter(4, audit.currentActor())
                .executeUpdate();
        em.createNativeQuery("UPDATE settings SET value = ?1, updated_at = now() WHERE name = ?2")
                .setParameter(1, rate).setParameter(2, EXCHANGE_RATE).executeUpdate();
        em.createNativeQuery("UPDATE settings SET value = ?1, updated_at = now() WHERE name = ?2")
                .setParameter(1, perCny).setParameter(2, CREDITS_PER_CNY).executeUpdate();
        em.createNativeQuery("UPDATE settings SET value = ?1, updated_at = now() WHERE name = ?2")
                .setParameter(1, cost).setParameter(2, COST_RATE).executeUpdate();
        Rates after = rates();
        audit.record("rates.update", null, null, "rates", before, after);
        bus.publish(Invalidation.pricing());
        return after;
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
                        INSERT INTO model_price_versions(model_id, unit, usd_price, clip_seconds, resolution_factors,
                                                         size_param, default_size, multiplier_param, max_multiplier,
                                                         created_by)
                        VALUES (?1, ?2, ?3, ?4, ?5, ?7, ?8, ?9, ?10, ?6) RETURNING id""")
                .setParameter(1, e.id())
                .setParameter(2, e.unit())
                .setParameter(3, e.usdPrice())
                .setParameter(4, e.clipSeconds())
                .setParameter(5, e.resolutionFactors())
                .setParameter(6, createdBy)
                .setParameter(7, e.sizeParam())
                .setParameter(8, e.defaultSize())
                .setParameter(9, e.multiplierParam())
                .setParameter(10, e.maxMultiplier())
                .getSingleResult()).longValue();
    }

    /** true when what the model costs changed (what a price version records) */
    private static boolean priceChanged(PriceListEntry a, PriceListEntry b) {
        return !Objects.equals(a.unit(), b.unit()) || !Objects.equals(a.usdPrice(), b.usdPrice())
                || !Objects.equals(a.clipSeconds(), b.clipSeconds())
                || !Objects.equals(a.resolutionFactors(), b.resolutionFactors())
                || !Objects.equals(a.sizeParam(), b.sizeParam()) || !Objects.equals(a.defaultSize(), b.defaultSize())
                || !Objects.equals(a.multiplierParam(), b.multiplierParam())
                || !Objects.equals(a.maxMultiplier(), b.maxMultiplier());
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
        diff(out, "size_param", a.sizeParam(), b.sizeParam());
        diff(out, "default_size", a.defaultSize(), b.defaultSize());
        diff(out, "multiplier_param", a.multiplierParam(), b.multiplierParam());
        diff(out, "max_multiplier", a.maxMultiplier(), b.maxMultiplier());
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
}
