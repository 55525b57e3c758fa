package io.creditproxy.billing;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.UUID;

/** One billed submit, with the price in force frozen on it. Written only through {@link JobRepository}. */
@Entity
@Table(name = "jobs")
public class Job {

    @Id
    public UUID id;

    @Column(name = "tenant_id", nullable = false)
    public long tenantId;

    @Column(name = "api_key_id", nullable = false)
    public long apiKeyId;

    @Column(name = "model_id", nullable = false)
    public String modelId;

    @Column(nullable = false)
    @Enumerated(EnumType.STRING)
    public JobStatus status;

    @Column(nullable = false)
    public String unit;

    @Column(nullable = false)
    public int quantity;

    @Column(name = "usd_unit_price", nullable = false)
    public BigDecimal usdUnitPrice;

    @Column(name = "price_factor", nullable = false)
    public String priceFactor;

    @Column(name = "exchange_rate", nullable = false)
    public BigDecimal exchangeRate;

    @Column(name = "credits_per_cny", nullable = false)
    public BigDecimal creditsPerCny;

    @Column(name = "price_credits", nullable = false)
    public long priceCredits;

    /** the model_price_versions row the job was priced with */
    @Column(name = "price_version_id")
    public Long priceVersionId;

    /** the rate_versions row (exchange rate, credits per CNY) the job was priced with */
    @Column(name = "rate_version_id")
    public Long rateVersionId;

    /** the tenant's price multiplier at submit, included in price_credits */
    @Column(name = "price_multiplier", nullable = false, precision = 10, scale = 4)
    public BigDecimal priceMultiplier;

    /** the key's price group and its multiplier at submit (the price is list x priceMultiplier x groupMultiplier) */
    @Column(name = "group_id")
    public Long groupId;

    @Column(name = "group_multiplier", nullable = false, precision = 10, scale = 4)
    public BigDecimal groupMultiplier;

    @Column(name = "request_id")
    public String requestId;

    /** The fal account that took the submit (null: FAL_KEY before the upstream pool, or no account). */
    @Column(name = "upstream_id")
    public Long upstreamId;

    @Column(name = "status_url")
    public String statusUrl;

    @Column(name = "response_url")
    public String responseUrl;

    @Column(name = "cancel_url")
    public String cancelUrl;

    @Column(name = "tenant_webhook")
    public String tenantWebhook;

    @Column(name = "idempotency_key")
    public String idempotencyKey;

    @Column(name = "request_hash")
    public String requestHash;

    @Column(name = "response_status")
    public Integer responseStatus;

    @Column(name = "response_body")
    public String responseBody;

    /** Last status seen from fal (IN_QUEUE, IN_PROGRESS, COMPLETED). */
    @Column(name = "fal_status")
    public String falStatus;

    @Column(name = "cancel_requested", nullable = false)
    public boolean cancelRequested;

    @Column(name = "delivered_units")
    public Integer deliveredUnits;

    @Column(name = "billable_units")
    public String billableUnits;

    public String error;

    @Column(name = "needs_review", nullable = false)
    public boolean needsReview;

    /** Refunded as refused or unreachable at submit, but fal ran it (see GhostJobs). */
    @Column(nullable = false)
    public boolean ghost;

    /** fal's request id of a ghost, from fal's webhook (request_id stays null: the tenant never had it). */
    @Column(name = "ghost_request_id")
    public String ghostRequestId;

    @Column(name = "next_check_at")
    public OffsetDateTime nextCheckAt;

    @Column(name = "check_attempts", nullable = false)
    public int checkAttempts;

    @Column(name = "settled_at")
    public OffsetDateTime settledAt;

    @Column(name = "created_at", nullable = false, insertable = false, updatable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;
}
