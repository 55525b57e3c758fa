-- Ghost jobs (issue 11): a submit fal did not answer in time (or whose answer the proxy could not record) is
-- refunded at once as REJECTED, yet fal may have queued and run it. When fal's signed webhook (to the proxy's own
-- /webhooks/fal/{job id}) reveals that, the job is marked a ghost: the tenant keeps its refund, the operator bears
-- fal's cost (delivered_units x the frozen USD unit price x price factor in the reports), and it needs review.

ALTER TABLE jobs ADD COLUMN ghost            boolean NOT NULL DEFAULT false;
ALTER TABLE jobs ADD COLUMN ghost_request_id text;          -- fal's request id, learnt from its webhook (never the tenant's request_id)
ALTER TABLE jobs ADD COLUMN ghost_at         timestamptz;   -- when the proxy learnt that fal ran it
-- true while the proxy still has to ask fal what the ghost delivered (its webhook had no readable payload);
-- the reconciler probes such jobs with the usual next_check_at back-off
ALTER TABLE jobs ADD COLUMN ghost_pending    boolean NOT NULL DEFAULT false;
ALTER TABLE jobs ADD CONSTRAINT jobs_ghost_is_rejected CHECK (NOT ghost OR status = 'REJECTED');
CREATE INDEX jobs_ghost_pending ON jobs (next_check_at) WHERE ghost_pending;

-- the report's covering index needs the flag too (it counts ghosts and their cost): rebuilt with it
DROP INDEX jobs_report;
CREATE INDEX jobs_report ON jobs (created_at)
    INCLUDE (id, tenant_id, model_id, status, unit, quantity, usd_unit_price, price_factor, exchange_rate,
             credits_per_cny, price_credits, delivered_units, billable_units, ghost);
