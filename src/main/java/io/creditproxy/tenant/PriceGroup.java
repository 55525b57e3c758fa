package io.creditproxy.tenant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.OffsetDateTime;

/**
 * A price group (a tier, as the resellers' "group detailed table"): every key belongs to one, and its submits cost
 * list price x the tenant's multiplier x the group's. Group {@link #DEFAULT_ID} ("default", multiplier 1) always exists.
 */
@Entity
@Table(name = "price_groups")
public class PriceGroup {

    public static final long DEFAULT_ID = 1;

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String name;

    @Column(name = "price_multiplier", nullable = false, precision = 10, scale = 4)
    public BigDecimal priceMultiplier = BigDecimal.ONE;

    public String description;

    @Column(nullable = false)
    public boolean enabled = true;

    @Column(name = "created_at", nullable = false, insertable = false, updatable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt = OffsetDateTime.now();
}
