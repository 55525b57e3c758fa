-- Finance reports (issue 5): indexes only, no rollup table. See README "Reports: how they stay fast".
--
-- The usage report reads jobs by creation time and needs, per job, only the columns below; with them in
-- the index the monthly report is an index-only scan of a narrow index instead of a walk over wide job rows
-- (submit answers, URLs). Refunds and releases are read from the ledger itself, through a small partial index.

CREATE INDEX jobs_report ON jobs (created_at)
    INCLUDE (id, tenant_id, model_id, status, unit, quantity, usd_unit_price, price_factor, exchange_rate,
             credits_per_cny, price_credits, delivered_units, billable_units);

-- what went back to the tenant per job: refund (whole hold) and release (unused part of a posted hold). A
-- give-back is never older than its job, so a report of jobs created from T reads only give-backs from T.
CREATE INDEX ledger_givebacks ON ledger_entries (created_at) INCLUDE (job_id, amount)
    WHERE kind IN ('refund', 'release');

-- tenant statements: opening balance (sum before the period) and the entries of a period
CREATE INDEX ledger_tenant_created ON ledger_entries (tenant_id, created_at) INCLUDE (amount);
