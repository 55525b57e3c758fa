package io.creditproxy.tenant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** A tenant's API key. Only its SHA-256 hash and a visible prefix are stored. */
@Entity
@Table(name = "api_keys")
public class ApiKey {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "tenant_id", nullable = false)
    public long tenantId;

    @Column(nullable = false)
    public String name;

    @Column(nullable = false)
    public String prefix;

    @Column(name = "key_hash", nullable = false)
    public String keyHash;

    @Column(name = "created_at", nullable = false, insertable = false, updatable = false)
    public OffsetDateTime createdAt;

    @Column(name = "revoked_at")
    public OffsetDateTime revokedAt;

    /** comma list of model patterns such as fal-ai/flux-1/*; null = every model */
    @Column(name = "allowed_models")
    public String allowedModels;

    /** refused (401 key_expired) from this time on; null = never */
    @Column(name = "expires_at")
    public OffsetDateTime expiresAt;

    /** submits per minute; null = no limit */
    @Column(name = "rate_limit_rpm")
    public Integer rateLimitRpm;

    /** the key's price group (every key has one; 1 = "default") */
    @Column(name = "group_id", nullable = false)
    public long groupId = PriceGroup.DEFAULT_ID;

    /** credits the key may spend in all; null = no cap (the tenant's balance still applies) */
    @Column(name = "credit_quota")
    public Long creditQuota;

    /** Read-only from Hibernate: moved with the balance by the reservation and settlement statements. */
    @Column(name = "credits_used", nullable = false, insertable = false, updatable = false)
    public long creditsUsed;

    /** Read-only from Hibernate: the last submit through the key. */
    @Column(name = "last_used_at", insertable = false, updatable = false)
    public OffsetDateTime lastUsedAt;

    /** on the old key of a rotation: the key that replaces it */
    @Column(name = "rotated_to")
    public Long rotatedTo;
}
