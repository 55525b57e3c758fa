package io.creditproxy.pricing;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.OffsetDateTime;

/** A row of the price table {@code models}. Never leaves the pricing package; callers see {@link PriceListEntry}. */
@Entity
@Table(name = "models")
public class ModelPrice {

    @Id
    public String id;

    @Column(nullable = false)
    public String unit;

    /** null: unpriced, listed but never served (and never enabled) */
    @Column(name = "usd_price", precision = 14, scale = 6)
    public BigDecimal usdPrice;

    @Column(name = "quantity_param", nullable = false)
    public String quantityParam;

    @Column(name = "default_quantity", nullable = false)
    public int defaultQuantity;

    @Column(name = "allowed_quantities")
    public String allowedQuantities;

    @Column(name = "min_quantity")
    public Integer minQuantity;

    @Column(name = "max_quantity")
    public Integer maxQuantity;

    @Column(name = "clip_seconds")
    public Integer clipSeconds;

    @Column(name = "resolution_param")
    public String resolutionParam;

    @Column(name = "default_resolution")
    public String defaultResolution;

    @Column(name = "resolution_factors")
    public String resolutionFactors;

    /** unit megapixel: the body field with the image size, and fal's default size (null: required) */
    @Column(name = "size_param")
    public String sizeParam;

    @Column(name = "default_size")
    public String defaultSize;

    /** a second count fal multiplies its bill by (seedream's max_images), and its largest value */
    @Column(name = "multiplier_param")
    public String multiplierParam;

    @Column(name = "max_multiplier")
    public Integer maxMultiplier;

    public String description;

    @Column(nullable = false)
    public boolean enabled;

    /** the model_price_versions row in force */
    @Column(name = "price_version_id")
    public Long priceVersionId;

    @Column(name = "created_at", nullable = false, insertable = false, updatable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false, insertable = false)
    public OffsetDateTime updatedAt;

    PriceListEntry toEntry() {
        return new PriceListEntry(id, unit, usdPrice, quantityParam, defaultQuantity, allowedQuantities, minQuantity,
                maxQuantity, clipSeconds, resolutionParam, defaultResolution, resolutionFactors, description, enabled,
                sizeParam, defaultSize, multiplierParam, maxMultiplier);
    }

    void copyFrom(PriceListEntry e) {
        unit = e.unit();
        usdPrice = e.usdPrice();
        quantityParam = e.quantityParam();
        defaultQuantity = e.defaultQuantity();
        allowedQuantities = e.allowedQuantities();
        minQuantity = e.minQuantity();
        maxQuantity = e.maxQuantity();
        clipSeconds = e.clipSeconds();
        resolutionParam = e.resolutionParam();
        defaultResolution = e.defaultResolution();
        resolutionFactors = e.resolutionFactors();
        description = e.description();
        enabled = e.enabled();
        sizeParam = e.sizeParam();
        defaultSize = e.defaultSize();
        multiplierParam = e.multiplierParam();
        maxMultiplier = e.maxMultiplier();
    }
}
