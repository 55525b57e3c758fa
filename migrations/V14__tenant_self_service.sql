-- Tenant self-service (issue 14): price groups, tenant users, key quotas, tenant limits.

-- ---- price groups: named price tiers, first-class rows --------------------------------------------------
-- A key belongs to exactly one group; its submits cost list price x the tenant's multiplier x the group's
-- multiplier (both frozen on the job). Group 1, "default" (multiplier 1), always exists: keys and tenants that name
-- no group use it.
CREATE TABLE price_groups (
    id                bigserial PRIMARY KEY,
    name              text           NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    price_multiplier  numeric(10, 4) NOT NULL DEFAULT 1 CHECK (price_multiplier > 0),
    description       text,
    enabled           boolean        NOT NULL DEFAULT true,
    created_at        timestamptz    NOT NULL DEFAULT now(),
    updated_at        timestamptz    NOT NULL DEFAULT now()
);
INSERT INTO price_groups (id, name, price_multiplier, description) VALUES (1, 'default', 1, 'list price');
SELECT setval('price_groups_id_seq', 1);

-- ---- tenants: default group, groups it may use besides, most keys --------------------------------------
ALTER TABLE tenants ADD COLUMN default_group_id bigint NOT NULL DEFAULT 1 REFERENCES price_groups(id);
ALTER TABLE tenants ADD COLUMN max_keys integer CHECK (max_keys IS NULL OR max_keys > 0);   -- active keys; null = no limit
-- the groups a tenant may put keys in, besides its default group (always allowed)
CREATE TABLE tenant_groups (
    tenant_id  bigint NOT NULL REFERENCES tenants(id),
    group_id   bigint NOT NULL REFERENCES price_groups(id),
    PRIMARY KEY (tenant_id, group_id)
);

-- ---- keys: group, credit quota, what the key has spent -------------------------------------------------
-- credits_used moves with the tenant's balance in the same statements: + at a reservation, - at a refund or
-- release, so it always equals -(sum of the ledger entries of the key's jobs). credit_quota null = no cap.
ALTER TABLE api_keys ADD COLUMN group_id     bigint NOT NULL DEFAULT 1 REFERENCES price_groups(id);
ALTER TABLE api_keys ADD COLUMN credit_quota bigint CHECK (credit_quota IS NULL OR credit_quota >= 0);
ALTER TABLE api_keys ADD COLUMN credits_used bigint NOT NULL DEFAULT 0 CHECK (credits_used >= 0);
ALTER TABLE api_keys ADD COLUMN last_used_at timestamptz;   -- last submit through the key
ALTER TABLE api_keys ADD CONSTRAINT api_keys_within_quota CHECK (credit_quota IS NULL OR credits_used <= credit_quota);
CREATE INDEX api_keys_tenant_created ON api_keys (tenant_id, id DESC);

UPDATE api_keys k SET credits_used = s.used
FROM (SELECT j.api_key_id, -sum(e.amount) AS used
      FROM ledger_entries e JOIN jobs j ON j.id = e.job_id
      GROUP BY j.api_key_id) s
WHERE s.api_key_id = k.id AND s.used > 0;

-- ---- jobs keep the group they were priced in ---------------------------------------------------------------
ALTER TABLE jobs ADD COLUMN group_id         bigint REFERENCES price_groups(id);
ALTER TABLE jobs ADD COLUMN group_multiplier numeric(10, 4) NOT NULL DEFAULT 1;
-- (no index by key: a key's usage is read within its tenant's jobs_tenant_created range, and the submit path
-- writes no extra index)

-- ---- tenant users: log in at POST /v1/login, manage their own tenant's keys -----------------------------
CREATE TABLE tenant_users (
    id             bigserial PRIMARY KEY,
    tenant_id      bigint      NOT NULL REFERENCES tenants(id),
    username       text        NOT NULL,
    password_hash  text        NOT NULL,
    token_version  bigint      NOT NULL DEFAULT 1,   -- bumped by disable and password reset: older tokens are refused
    disabled_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tenant_users_username ON tenant_users (lower(username));
CREATE INDEX tenant_users_tenant ON tenant_users (tenant_id, id);
