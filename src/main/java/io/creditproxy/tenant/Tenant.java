package io.creditproxy.tenant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** A reseller's customer. The balance is only ever changed through {@link io.creditproxy.ledger.LedgerService}. */
@Entity
@Table(name = "tenants")
public class Tenant {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String name;

    /** Read-only from Hibernate: the ledger moves it with conditional SQL updates. */
    @Column(nullable = false, insertable = false, updatable = false)
    public long balance;

    @Column(name = "credit_limit", nullable = false)
    public long creditLimit;

    /** Multiplies every price for this tenant (0.9 = 10 % off, 1.2 = 20 % on top); exact decimal. */
    @Column(name = "price_multiplier", nullable = false, precision = 10, scale = 4)
    public java.math.BigDecimal priceMultiplier = java.math.BigDecimal.ONE;

    /** Most jobs open (submitted, not yet settled) at once; null = no limit. */
    @Column(name = "max_concurrent_jobs")
    public Integer maxConcurrentJobs;

    /** The price group of keys issued without one; group 1 ("default") unless an admin chose another. */
    @Column(name = "default_group_id", nullable = false)
    public long defaultGroupId = PriceGroup.DEFAULT_ID;

    /** Most keys not revoked at once; null = no limit. */
    @Column(name = "max_keys")
    public Integer maxKeys;

    @Column(name = "created_at", nullable = false, insertable = false, updatable = false)
    public OffsetDateTime createdAt;
}
