-- Controls: model and price administration with history, per-tenant pricing and limits, key limits and
-- rotation, and the admins' audit log.

-- ---- models: a model may exist unpriced (listed, never served) --------------------------------------
ALTER TABLE models ALTER COLUMN usd_price DROP NOT NULL;
ALTER TABLE models DROP CONSTRAINT models_usd_price_check;
ALTER TABLE models ADD CONSTRAINT models_usd_price_check CHECK (usd_price IS NULL OR usd_price > 0);
-- the last line of defence behind the service's own check: nothing unpriced is ever on sale
ALTER TABLE models ADD CONSTRAINT models_enabled_needs_price CHECK (NOT enabled OR usd_price IS NOT NULL);

-- ---- price history -----------------------------------------------------------------------------------
-- Every change of what a model costs (price, unit, clip length, resolution factors) is a new row; the newest
-- row of a model is the one in force, and models.price_version_id points at it. Jobs keep the row they were
-- priced with. Append-only.
CREATE TABLE model_price_versions (
    id                  bigserial PRIMARY KEY,
    model_id            text        NOT NULL REFERENCES models(id),
    unit                text        NOT NULL,
    usd_price           numeric(14, 6) CHECK (usd_price IS NULL OR usd_price > 0),   -- null: unpriced from here on
    clip_seconds        integer,
    resolution_factors  text,
    effective_at        timestamptz NOT NULL DEFAULT now(),
    created_by          text
);
CREATE INDEX model_price_versions_model ON model_price_versions(model_id, id);
ALTER TABLE models ADD COLUMN price_version_id bigint REFERENCES model_price_versions(id);

-- The exchange rate and credits per CNY, versioned together; the newest row is in force (settings keeps
-- the current values too, for readers of V1's table).
CREATE TABLE rate_versions (
    id               bigserial PRIMARY KEY,
    exchange_rate    numeric(20, 8) NOT NULL CHECK (exchange_rate > 0),
    credits_per_cny  numeric(20, 8) NOT NULL CHECK (credits_per_cny > 0),
    effective_at     timestamptz NOT NULL DEFAULT now(),
    created_by       text
);
INSERT INTO rate_versions(exchange_rate, credits_per_cny, created_by)
SELECT (SELECT value FROM settings WHERE name = 'exchange_rate'),
       (SELECT value FROM settings WHERE name = 'credits_per_cny'),
       'migration';

-- models already in the table (an existing deployment) get their first version
INSERT INTO model_price_versions(model_id, unit, usd_price, clip_seconds, resolution_factors, created_by)
SELECT id, unit, usd_price, clip_seconds, resolution_factors, 'migration' FROM models ORDER BY id;
UPDATE models m SET price_version_id = v.id FROM model_price_versions v WHERE v.model_id = m.id;

CREATE FUNCTION history_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER model_price_versions_append_only BEFORE UPDATE OR DELETE ON model_price_versions
    FOR EACH ROW EXECUTE FUNCTION history_is_append_only();
CREATE TRIGGER rate_versions_append_only BEFORE UPDATE OR DELETE ON rate_versions
    FOR EACH ROW EXECUTE FUNCTION history_is_append_only();

-- ---- jobs keep the versions and the tenant's multiplier they were priced with -------------------------
ALTER TABLE jobs ADD COLUMN price_version_id bigint REFERENCES model_price_versions(id);
ALTER TABLE jobs ADD COLUMN rate_version_id  bigint REFERENCES rate_versions(id);
ALTER TABLE jobs ADD COLUMN price_multiplier numeric(10, 4) NOT NULL DEFAULT 1;

-- ---- tenants: price multiplier (discount < 1 < markup) and concurrent open jobs ------------------------
ALTER TABLE tenants ADD COLUMN price_multiplier numeric(10, 4) NOT NULL DEFAULT 1
    CHECK (price_multiplier > 0);
ALTER TABLE tenants ADD COLUMN max_concurrent_jobs integer CHECK (max_concurrent_jobs IS NULL OR max_concurrent_jobs > 0);

-- ---- keys: allowed models, expiry, requests per minute, rotation --------------------------------------
ALTER TABLE api_keys ADD COLUMN allowed_models   text;          -- comma list of patterns (fal-ai/flux-1/*); null = all
ALTER TABLE api_keys ADD COLUMN expires_at       timestamptz;   -- refused (401) from then on
ALTER TABLE api_keys ADD COLUMN rate_limit_rpm   integer CHECK (rate_limit_rpm IS NULL OR rate_limit_rpm > 0);
ALTER TABLE api_keys ADD COLUMN rotated_to       bigint REFERENCES api_keys(id);   -- set on the old key of a rotation
CREATE INDEX api_keys_rotation_due ON api_keys(expires_at) WHERE rotated_to IS NOT NULL AND revoked_at IS NULL;

-- ---- audit log: every admin action, append-only ---------------------------------------------------------
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text        NOT NULL,          -- the admin's user name, or "system"
    actor_role  text,
    action      text        NOT NULL,          -- e.g. tenant.create, credits.add, key.rotate, model.update
    tenant_id   bigint,
    model_id    text,
    target      text,                          -- what was acted on, e.g. key:12, user:3, settings
    before      jsonb,
    after       jsonb
);
CREATE INDEX audit_log_tenant ON audit_log(tenant_id, id) WHERE tenant_id IS NOT NULL;
CREATE INDEX audit_log_model ON audit_log(model_id, id) WHERE model_id IS NOT NULL;
CREATE INDEX audit_log_actor ON audit_log(actor, id);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION history_is_append_only();
