-- Issue 15, items 6 and 7.

-- The Ed25519 key pairs that sign tenants' webhooks in fal's format (io.creditproxy.webhook.WebhookSigningKeys).
-- The first instance that finds no active key generates one and inserts it; the partial unique index below keeps
-- one active key whatever races, and every instance reads that one back. Every key not retired is published in the
-- proxy's JWKS (GET /.well-known/jwks.json), so a key can be rotated: mark the old one inactive (it stays published
-- until retired_at is set), and the next start generates a new active one.
CREATE TABLE webhook_signing_keys (
    kid             text        PRIMARY KEY,
    algorithm       text        NOT NULL CHECK (algorithm = 'Ed25519'),
    public_key_x    text        NOT NULL UNIQUE,  -- the JWK x: the raw 32-byte public key, base64url without padding
    -- 'none': base64 of the PKCS#8 DER. 'aes-256-gcm/pbkdf2-sha256': base64 of the AES-256-GCM ciphertext of the
    -- PKCS#8 DER under a key derived from ADMIN_JWT_KEY_SECRET (as admin_jwt_keys in V8; the kid and x are the
    -- associated data)
    private_key     text        NOT NULL,
    encryption      text        NOT NULL CHECK (encryption IN ('none', 'aes-256-gcm/pbkdf2-sha256')),
    kdf_salt        text,
    kdf_iterations  integer,
    cipher_iv       text,
    active          boolean     NOT NULL DEFAULT true,   -- signs new deliveries
    created_at      timestamptz NOT NULL DEFAULT now(),
    retired_at      timestamptz,                         -- no longer published in the JWKS from then on
    CHECK (encryption = 'none' OR (kdf_salt IS NOT NULL AND kdf_iterations > 0 AND cipher_iv IS NOT NULL)),
    CHECK (NOT (active AND retired_at IS NOT NULL))
);
CREATE UNIQUE INDEX webhook_signing_keys_one_active ON webhook_signing_keys ((true)) WHERE active;
REVOKE ALL ON webhook_signing_keys FROM PUBLIC;

-- Final results of COMPLETED jobs, kept after fal forgets them (io.creditproxy.billing.KeptResults): written in the
-- settlement's transaction, served by GET /{app}/requests/{id} once fal answers 404/410, deleted after kept_until.
-- fal's raw answer (not rewritten; the proxy rewrites URLs when it serves it), inline or in a file under
-- results.directory.
CREATE TABLE kept_results (
    job_id      uuid        PRIMARY KEY REFERENCES jobs(id),
    tenant_id   bigint      NOT NULL REFERENCES tenants(id),
    body        text,
    file_name   text,
    size_bytes  integer     NOT NULL CHECK (size_bytes >= 0),
    kept_until  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((body IS NULL) <> (file_name IS NULL))
);
CREATE INDEX kept_results_kept_until ON kept_results (kept_until);
