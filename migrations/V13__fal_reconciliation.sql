-- Books anchored to fal's bill (issue 13): the cost rate, fal's billing events per request, reconciliation state.

-- ---- the cost rate: CNY the operator pays per USD of fal usage -------------------------------------------
-- Versioned with the sale rate (exchange_rate) and credits per CNY. A job keeps the rate version it was priced with
-- (jobs.rate_version_id, since V3; rate_versions is append-only), so its cost rate is frozen like its exchange rate.
-- Versions written before this migration get their own exchange rate: their margin stays what the reports showed.
ALTER TABLE rate_versions ADD COLUMN cost_rate numeric(20, 8);
ALTER TABLE rate_versions DISABLE TRIGGER rate_versions_append_only;
UPDATE rate_versions SET cost_rate = exchange_rate;
ALTER TABLE rate_versions ENABLE TRIGGER rate_versions_append_only;
ALTER TABLE rate_versions ALTER COLUMN cost_rate SET NOT NULL;
ALTER TABLE rate_versions ADD CONSTRAINT rate_versions_cost_rate_check CHECK (cost_rate > 0);
INSERT INTO settings(name, value) SELECT 'cost_rate', value FROM settings WHERE name = 'exchange_rate';

-- ---- fal's billing events (GET https://api.fal.ai/v1/models/billing-events), one per fal request ----------
CREATE TABLE fal_billing_events (
    request_id        text PRIMARY KEY,             -- fal's request id
    endpoint_id       text           NOT NULL,      -- fal's model id
    billed_at         timestamptz    NOT NULL,      -- fal's timestamp of the event
    output_units      numeric(20, 6) NOT NULL,      -- the units fal billed, in fal's unit for the endpoint
    unit_price        numeric(14, 6),               -- USD per unit, as fal reported it
    percent_discount  numeric(7, 4),
    cost_usd          numeric(20, 9) NOT NULL CHECK (cost_usd >= 0),   -- cost_estimate_nano_usd / 10^9
    -- the proxy's job with this fal request id (jobs.request_id, or a ghost's ghost_request_id); null: a request the
    -- proxy never knew (matched again at every reconciliation, since a ghost's request id is learnt late)
    job_id            uuid REFERENCES jobs(id),
    fetched_at        timestamptz    NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX fal_billing_events_job ON fal_billing_events (job_id) WHERE job_id IS NOT NULL;
CREATE INDEX fal_billing_events_billed ON fal_billing_events (billed_at);
CREATE INDEX fal_billing_events_unmatched ON fal_billing_events (billed_at) WHERE job_id IS NULL;
CREATE INDEX jobs_ghost_request ON jobs (ghost_request_id) WHERE ghost_request_id IS NOT NULL;

-- which span of fal's billing events has been read (one row); "charged but fal never billed" is judged only inside it
CREATE TABLE fal_reconciliation_state (
    id               integer PRIMARY KEY CHECK (id = 1),
    fetched_from     timestamptz NOT NULL,
    fetched_through  timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- the report's covering index needs the job's rate version (its cost rate): rebuilt with it
DROP INDEX jobs_report;
CREATE INDEX jobs_report ON jobs (created_at)
    INCLUDE (id, tenant_id, model_id, status, unit, quantity, usd_unit_price, price_factor, exchange_rate,
             credits_per_cny, price_credits, delivered_units, billable_units, ghost, rate_version_id);
