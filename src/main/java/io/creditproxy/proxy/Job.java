package io.creditproxy.proxy;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.UUID;

/** One billed submit, with the price in force frozen on it. */
@Entity
@Table(name = "jobs")
public class Job {

    public static final String RESERVED = "RESERVED";
    public static final String SUBMITTED = "SUBMITTED";
    public static final String REJECTED = "REJECTED";

    @Id
    public UUID id;

    @Column(name = "tenant_id", nullable = false)
    public long tenantId;

    @Column(name = "api_key_id", nullable = false)
    public long apiKeyId;

    @Column(name = "model_id", nullable = false)
    public String modelId;

    @Column(nullable = false)
    public String status;

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

    @Column(name = "request_id")
    public String requestId;

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

    @Column(name = "created_at", nullable = false, insertable = false, updatable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;
}
