-- credit-proxy core schema. Money is integer credits (bigint); USD prices are exact numerics.
-- Hibernate validates this schema and never generates it.

CREATE TABLE admins (
    id             bigserial PRIMARY KEY,
    username       text        NOT NULL UNIQUE,
    password_hash  text        NOT NULL,
    role           text        NOT NULL CHECK (role IN ('admin', 'finance')),
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tenants (
    id             bigserial PRIMARY KEY,
    name           text        NOT NULL,
    balance        bigint      NOT NULL DEFAULT 0,
    -- how far below zero the balance may go (0 = never); the CHECK is the last line of defence
    credit_limit   bigint      NOT NULL DEFAULT 0 CHECK (credit_limit >= 0),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tenants_balance_within_limit CHECK (balance >= -credit_limit)
);

CREATE TABLE api_keys (
    id             bigserial PRIMARY KEY,
    tenant_id      bigint      NOT NULL REFERENCES tenants(id),
    name           text        NOT NULL,
    prefix         text        NOT NULL,          -- the visible start of the key, e.g. "cp_3fa9c2d1"
    key_hash       text        NOT NULL UNIQUE,   -- hex SHA-256 of the whole key; the key itself is never stored
    created_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz
);
CREATE INDEX api_keys_tenant ON api_keys(tenant_id);

-- Settings that change the price of everything (exchange rate, credits per CNY).
CREATE TABLE settings (
    name           text PRIMARY KEY,
    value          numeric(20, 8) NOT NULL CHECK (value > 0),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
INSERT INTO settings(name, value) VALUES ('exchange_rate', 3), ('credits_per_cny', 10000);

-- The price table. unit: image (x num_images), second (x duration), clip (x ceil(duration/clip_seconds) x resolution factor)
CREATE TABLE models (
    id                  text PRIMARY KEY,                 -- fal model id, e.g. fal-ai/flux-1/dev
    unit                text        NOT NULL CHECK (unit IN ('image', 'second', 'clip')),
    usd_price           numeric(14, 6) NOT NULL CHECK (usd_price > 0),
    quantity_param      text        NOT NULL,             -- body field that gives the quantity (num_images, duration)
    default_quantity    integer     NOT NULL CHECK (default_quantity > 0),
    allowed_quantities  text,                             -- comma list of accepted values, e.g. "5,10"; null = min..max
    min_quantity        integer,
    max_quantity        integer,
    clip_seconds        integer CHECK (clip_seconds IS NULL OR clip_seconds > 0),
    resolution_param    text,                             -- e.g. resolution
    default_resolution  text,
    resolution_factors  text,                             -- e.g. "360p=1,540p=1,720p=4/3,1080p=8/3"
    description         text,
    enabled             boolean     NOT NULL DEFAULT true,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT models_clip_has_length CHECK (unit <> 'clip' OR clip_seconds IS NOT NULL)
);

-- One row per billed request. The price in force is frozen here at submit.
CREATE TABLE jobs (
    id                  uuid PRIMARY KEY,
    tenant_id           bigint      NOT NULL REFERENCES tenants(id),
    api_key_id          bigint      NOT NULL REFERENCES api_keys(id),
    model_id            text        NOT NULL REFERENCES models(id),
    status              text        NOT NULL CHECK (status IN ('RESERVED', 'SUBMITTED', 'REJECTED')),
    unit                text        NOT NULL,
    quantity            integer     NOT NULL,             -- billed units (images, seconds, clips)
    usd_unit_price      numeric(14, 6) NOT NULL,
    price_factor        text        NOT NULL DEFAULT '1', -- resolution factor as a fraction
    exchange_rate       numeric(20, 8) NOT NULL,
    credits_per_cny     numeric(20, 8) NOT NULL,
    price_credits       bigint      NOT NULL CHECK (price_credits >= 0),
    request_id          text UNIQUE,                      -- fal's request id, once fal accepted the submit
    status_url          text,
    response_url        text,
    cancel_url          text,
    tenant_webhook      text,
    idempotency_key     text,
    request_hash        text,                             -- SHA-256 of the submit body, for idempotency checks
    response_status     integer,                          -- the answer given to the tenant, replayed on Idempotency-Key
    response_body       text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT jobs_idempotency UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX jobs_tenant_created ON jobs(tenant_id, created_at);

-- Append-only: every change of a balance is one row here, with the balance after it.
CREATE TABLE ledger_entries (
    id               bigserial PRIMARY KEY,
    tenant_id        bigint      NOT NULL REFERENCES tenants(id),
    amount           bigint      NOT NULL CHECK (amount <> 0),
    balance_after    bigint      NOT NULL,
    kind             text        NOT NULL CHECK (kind IN ('topup', 'adjustment', 'reserve', 'refund')),
    job_id           uuid        REFERENCES jobs(id),
    reason           text,
    idempotency_key  text,
    request_hash     text,                            -- SHA-256 of the admin request, to refuse a reused key with another body
    created_by       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ledger_admin_idempotency UNIQUE (tenant_id, idempotency_key),
    -- a job is reserved once and refunded (upstream refusal) at most once
    CONSTRAINT ledger_one_per_job_kind UNIQUE (job_id, kind)
);
CREATE INDEX ledger_tenant_id ON ledger_entries(tenant_id, id);

CREATE FUNCTION ledger_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger_entries is append-only';
END $$;
CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_is_append_only();
