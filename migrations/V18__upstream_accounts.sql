-- Upstream pool (issue 16): several fal accounts, each job pinned to the account that took it.

-- ---- the accounts ----------------------------------------------------------------------------------------
-- The key is never answered after creation and never logged: key_prefix is what is shown. It is encrypted at rest
-- (key_encryption 'aes-256-gcm/pbkdf2-sha256', under ADMIN_JWT_KEY_SECRET) when that secret is set, else stored as
-- it is ('none'). key_hash (SHA-256 hex) finds the account of FAL_KEY at start without decrypting anything.
CREATE TABLE upstream_accounts (
    id               bigserial PRIMARY KEY,
    name             text        NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
    key_prefix       text        NOT NULL,
    key_hash         text        NOT NULL UNIQUE,
    key_encryption   text        NOT NULL,
    key_value        text        NOT NULL,   -- the key, or its ciphertext (base64)
    kdf_salt         text,
    kdf_iterations   integer,
    iv               text,
    weight           integer     NOT NULL DEFAULT 1 CHECK (weight BETWEEN 0 AND 1000),
    enabled          boolean     NOT NULL DEFAULT true,
    disabled_reason  text,        -- why it was disabled (by the proxy: fal's answer; by an admin: 'disabled by an admin')
    disabled_by      text,        -- 'proxy' (re-checked and re-enabled automatically) or 'admin' (stays off)
    cooled_until     timestamptz, -- rate limited (429): not chosen until then
    last_error       text,
    last_error_at    timestamptz,
    last_checked_at  timestamptz,
    balance_usd      numeric(20, 9), -- fal's credit balance at last_checked_at (Platform API), null when unknown
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- A price group limited to some accounts: its submits go to those only. An account named here serves only the
-- groups that name it; an account named by no group serves every group that names none.
CREATE TABLE upstream_account_groups (
    upstream_id  bigint NOT NULL REFERENCES upstream_accounts(id) ON DELETE CASCADE,
    group_id     bigint NOT NULL REFERENCES price_groups(id),
    PRIMARY KEY (upstream_id, group_id)
);

-- ---- jobs are pinned to their account ----------------------------------------------------------------------
-- upstream_id: the account whose key submitted the job (null: submitted with FAL_KEY before this migration, or
-- with no account configured); every later call about the job (status, result, cancel, stream, probes) uses it.
-- An account is deleted only when none of its jobs is open; the settled jobs then lose the link.
-- upstream_attempts: the accounts tried before one took the submit, with fal's refusal ("id:status:reason;...").
ALTER TABLE jobs ADD COLUMN upstream_id bigint REFERENCES upstream_accounts(id) ON DELETE SET NULL;
ALTER TABLE jobs ADD COLUMN upstream_attempts text;
-- (no index: "open jobs of an account" reads the partial index jobs_open and filters; the submit path writes no
-- extra index)
