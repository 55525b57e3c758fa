package io.creditproxy.pricing;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.creditproxy.fal.FalPlatformClient;
import io.creditproxy.fal.FalPlatformClient.FalPrice;
import io.creditproxy.pricing.PricingViews.Rates;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Price sync with fal: fal's current price of every model in the table ({@code GET /models/pricing} of fal's Platform
 * API) against the table's, per model: the USD price and credits per unit before and after, models whose unit at fal is
 * not the table's (never changed here: the table's unit decides what a request is charged for, so an admin must
 * look), and models fal does not price. A dry run by default, like the CSV import; applied, every changed price is a
 * new price version in one transaction, audited ({@code model.sync}). Unpriced models that fal prices get their first
 * price and stay disabled until an admin enables them.
 */
@ApplicationScoped
public class PriceSyncService {

    private static final Logger LOG = Logger.getLogger(PriceSyncService.class);

    /** A model whose price at fal differs from the table's. Credits per unit at the rates in force, list price. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PriceChange(String id, String unit,
                              @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal beforeUsd,
                              @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal afterUsd,
                              Long beforeCreditsPerUnit, Long afterCreditsPerUnit) {
    }

    /** A model whose unit at fal is not the table's: left alone. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record UnitMismatch(String id, String unit,
                               @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal usdPrice,
                               String falUnit,
                               @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal falUsdPrice) {
    }

    /** What the sync would do (dry run) or did (applied). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SyncResult(boolean applied, List<PriceChange> changed, int unchanged, List<UnitMismatch> unitMismatch,
                             List<String> notAtFal) {
    }

    private final PriceListService priceList;
    private final FalPlatformClient fal;

    public PriceSyncService(PriceListService priceList, FalPlatformClient fal) {
        this.priceList = priceList;
        this.fal = fal;
    }

    /** fal is asked before any transaction opens; the changes are written in one. */
    public SyncResult sync(boolean apply) {
        List<PriceListEntry> models = priceList.listModels();
        Map<String, FalPrice> falPrices = fal.prices(models.stream().map(PriceListEntry::id).toList());
        Rates rates = priceList.rates();
        List<PriceChange> changed = new ArrayList<>();
        List<UnitMismatch> mismatched = new ArrayList<>();
        List<String> notAtFal = new ArrayList<>();
        int unchanged = 0;
        for (PriceListEntry m : models) {
            FalPrice p = falPrices.get(m.id());
            if (p == null || !"USD".equalsIgnoreCase(p.currency())) {
                notAtFal.add(m.id());
            } else if (!sameUnit(m.unit(), p.unit())) {
                mismatched.add(new UnitMismatch(m.id(), m.unit(), m.usdPrice(), p.unit(), PriceListEntry.normalize(p.unitPrice())));
            } else if (m.usdPrice() != null && m.usdPrice().compareTo(p.unitPrice()) == 0) {
                unchanged++;
            } else {
                BigDecimal after = PriceListEntry.normalize(p.unitPrice());
                changed.add(new PriceChange(m.id(), m.unit(), m.usdPrice(), after, creditsPerUnit(m, m.usdPrice(), rates),
                        creditsPerUnit(m, after, rates)));
            }
        }
        if (apply && !changed.isEmpty()) {
            Map<String, BigDecimal> prices = new LinkedHashMap<>();
            changed.forEach(c -> prices.put(c.id(), c.afterUsd()));
            priceList.applyPrices(prices, "model.sync");
            LOG.infof("prices synced with fal: %d changed, %d unchanged, %d unit mismatch(es), %d not priced at fal",
                    changed.size(), unchanged, mismatched.size(), notAtFal.size());
        }
        return new SyncResult(apply, changed, unchanged, mismatched, notAtFal);
    }

    /** fal's unit names against the table's (image, second, clip, megapixel...), plural and fal's synonyms allowed. */
    static boolean sameUnit(String tableUnit, String falUnit) {
        return tableUnit != null && falUnit != null && canonical(tableUnit).equals(canonical(falUnit));
    }

    private static String canonical(String unit) {
        String u = unit.trim().toLowerCase(Locale.ROOT).replace(' ', '_');
        return switch (u) {
            case "image", "images" -> "image";
            case "megapixel", "megapixels", "mp" -> "megapixel";
            case "second", "seconds", "video_second", "video_seconds", "sec", "s" -> "second";
            default -> u.endsWith("s") ? u.substring(0, u.length() - 1) : u;
        };
    }

    private static Long creditsPerUnit(PriceListEntry m, BigDecimal usd, Rates rates) {
        if (usd == null) {
            return null;
        }
        try {
            PriceListEntry priced = PriceListEntry.changePrice(usd).appliedTo(m.id(), m);
            PriceRule rule = PriceRule.parse(priced);
            return PriceCalculator.quoteUnits(rule, 1, PriceCalculator.defaultFactor(rule), rates.exchangeRate(),
                    rates.creditsPerCny()).credits();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
