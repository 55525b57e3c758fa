-- Settlement: every reservation is posted or voided exactly once.

-- What fal said about a job, and when. The outcome columns are written by whoever learns it first.
ALTER TABLE jobs DROP CONSTRAINT jobs_status_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_status_check
    CHECK (status IN ('RESERVED', 'SUBMITTED', 'REJECTED', 'COMPLETED', 'FAILED', 'CANCELLED', 'EXPIRED'));
ALTER TABLE jobs ADD COLUMN fal_status        text;          -- last status seen from fal (IN_QUEUE, IN_PROGRESS, COMPLETED)
ALTER TABLE jobs ADD COLUMN cancel_requested  boolean NOT NULL DEFAULT false;
ALTER TABLE jobs ADD COLUMN delivered_units   integer;       -- outputs fal delivered (images; 1 for a video)
ALTER TABLE jobs ADD COLUMN billable_units    text;          -- fal's X-Fal-Billable-Units, where the proxy saw it
ALTER TABLE jobs ADD COLUMN error             text;          -- fal's error, for a failed job
ALTER TABLE jobs ADD COLUMN needs_review      boolean NOT NULL DEFAULT false;
ALTER TABLE jobs ADD COLUMN next_check_at     timestamptz;   -- when the reconciler asks fal next
ALTER TABLE jobs ADD COLUMN check_attempts    integer NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN settled_at        timestamptz;
CREATE INDEX jobs_open ON jobs (next_check_at) WHERE settled_at IS NULL;

-- One row per settled job. The primary key is what makes a second settlement a no-op:
-- INSERT ... ON CONFLICT DO NOTHING, never a read-then-write check.
CREATE TABLE settlements (
    job_id          uuid PRIMARY KEY REFERENCES jobs(id),
    outcome         text        NOT NULL CHECK (outcome IN ('posted', 'voided', 'kept_for_review')),
    reserved        bigint      NOT NULL,
    charged         bigint      NOT NULL CHECK (charged >= 0 AND charged <= reserved),
    refunded        bigint      NOT NULL CHECK (refunded = reserved - charged),
    source          text        NOT NULL,   -- submit, webhook, poll, reconciler
    reason          text,
    settled_at      timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
-- refund: the whole hold goes back (void); release: the unused part of a posted hold
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_check
    CHECK (kind IN ('topup', 'adjustment', 'reserve', 'refund', 'release'));

-- Tenant webhook deliveries (outbox): written in the settlement's transaction, delivered with retries.
CREATE TABLE webhook_deliveries (
    id               bigserial PRIMARY KEY,
    job_id           uuid        NOT NULL REFERENCES jobs(id),
    tenant_id        bigint      NOT NULL REFERENCES tenants(id),
    url              text        NOT NULL,
    payload          text        NOT NULL,
    status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    locked_until     timestamptz,
    last_status      integer,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz,
    CONSTRAINT webhook_one_per_job UNIQUE (job_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
