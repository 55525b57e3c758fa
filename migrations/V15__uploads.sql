-- File uploads through the proxy (issue 15, storage/UploadService): one row per upload a tenant started through the
-- proxy, and each tenant's uploads per day (UTC), counted with one conditional upsert so parallel uploads never pass
-- the daily limit.
CREATE TABLE uploads (
    id                   bigserial PRIMARY KEY,
    tenant_id            bigint      NOT NULL REFERENCES tenants(id),
    key_id               bigint      REFERENCES api_keys(id),
    token_hash           text        NOT NULL UNIQUE,   -- SHA-256 of the token in the proxy's upload URL (the token is never stored)
    multipart            boolean     NOT NULL DEFAULT false,
    file_name            text        NOT NULL,
    content_type         text        NOT NULL,
    size_bytes           bigint      CHECK (size_bytes >= 0),   -- bytes relayed to fal (null until the first PUT)
    file_url             text,                         -- the file's URL as the tenant got it
    upstream_upload_url  text,                         -- fal's pre-signed upload URL: never shown to anyone
    status               text        NOT NULL DEFAULT 'initiated'
                                     CHECK (status IN ('initiated', 'uploading', 'uploaded', 'refused', 'failed')),
    charged              bigint      NOT NULL DEFAULT 0 CHECK (charged >= 0),  -- credits taken for it (uploads.price-credits)
    error                text,
    upload_day           date        NOT NULL,         -- the UTC day it counts against
    expires_at           timestamptz NOT NULL,         -- the upload URL is refused after this
    created_at           timestamptz NOT NULL DEFAULT now(),
    completed_at         timestamptz
);
CREATE INDEX uploads_tenant_created ON uploads (tenant_id, created_at);

CREATE TABLE upload_days (
    tenant_id  bigint  NOT NULL REFERENCES tenants(id),
    day        date    NOT NULL,
    uploads    integer NOT NULL CHECK (uploads >= 0),
    PRIMARY KEY (tenant_id, day)
);

-- upload: the price of an upload (only when an admin set uploads.price-credits); upload_refund: given back when the
-- bytes never reached fal
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_check
    CHECK (kind IN ('topup', 'adjustment', 'reserve', 'refund', 'release', 'upload', 'upload_refund'));
