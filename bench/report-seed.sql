-- Seeds the benchmark database: 1,000 tenants, 1,000,000 jobs over the 90 days before now, their ledger
-- entries (reserve; refund or release where the outcome gave credits back; one top-up per tenant) and
-- settlements, consistent with the application's invariants (balance = Σ ledger, balance_after a running sum,
-- refunded = reserved - charged). Deterministic: the same numbers on every run.
\set ON_ERROR_STOP on
\timing on

INSERT INTO tenants (id, name, created_at)
SELECT t, 'bench tenant ' || t, now() - interval '100 days' FROM generate_series(1, 1000) t;
SELECT setval('tenants_id_seq', 1000);
INSERT INTO api_keys (id, tenant_id, name, prefix, key_hash, created_at)
SELECT t, t, 'bench', 'cp_bench' || t, md5('bench-key-' || t), now() - interval '100 days' FROM generate_series(1, 1000) t;
SELECT setval('api_keys_id_seq', 1000);

CREATE TEMP TABLE bench_models AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, unit, usd_price FROM models WHERE usd_price IS NOT NULL;

-- status by g % 40: 30 completed, 3 failed, 2 rejected, 2 cancelled, 1 expired, 2 still open
INSERT INTO jobs (id, tenant_id, api_key_id, model_id, status, unit, quantity, usd_unit_price, price_factor,
                  exchange_rate, credits_per_cny, price_credits, request_id, status_url, response_url, cancel_url,
                  response_status, response_body, delivered_units, billable_units, settled_at, created_at, updated_at)
SELECT md5('bench-job-' || g)::uuid, c.t, c.t, m.id, s.status, m.unit, q.quantity, m.usd_price, q.factor, 3, 10000,
       ceil(m.usd_price * q.quantity * (CASE q.factor WHEN '4/3' THEN 4.0 / 3 ELSE 1 END) * 3 * 10000),
       CASE WHEN s.status <> 'REJECTED' THEN 'bench-' || g END,
       'https://queue.fal.run/' || m.id || '/requests/bench-' || g || '/status',
       'https://queue.fal.run/' || m.id || '/requests/bench-' || g,
       'https://queue.fal.run/' || m.id || '/requests/bench-' || g || '/cancel',
       200,
       '{"status":"IN_QUEUE","request_id":"bench-' || g || '","response_url":"https://queue.fal.run/' || m.id
           || '/requests/bench-' || g || '","status_url":"https://queue.fal.run/' || m.id || '/requests/bench-' || g
           || '/status","cancel_url":"https://queue.fal.run/' || m.id || '/requests/bench-' || g
           || '/cancel","queue_position":0}',
       CASE WHEN s.status = 'COMPLETED' THEN CASE WHEN m.unit = 'image' THEN greatest(q.quantity - (g % 7 = 0)::int, 1) ELSE 1 END END,
       CASE WHEN s.status = 'COMPLETED' AND g % 3 = 0 THEN q.quantity::text END,
       CASE WHEN s.status NOT IN ('RESERVED', 'SUBMITTED') THEN c.created_at + interval '40 seconds' END,
       c.created_at, c.created_at
FROM generate_series(1::bigint, 1000000::bigint) g
CROSS JOIN LATERAL (SELECT 1 + (g * 7919) % 1000 AS t,
                           now() - interval '90 days' + (g * interval '90 days' / 1000000) AS created_at) c
JOIN bench_models m ON m.n = (g * 7) % (SELECT count(*) FROM bench_models)
CROSS JOIN LATERAL (SELECT CASE WHEN m.unit = 'image' THEN 1 + g % 4 WHEN m.unit = 'second' THEN 5 ELSE 1 END AS quantity,
                           CASE WHEN m.unit = 'clip' THEN '4/3' ELSE '1' END AS factor) q
CROSS JOIN LATERAL (SELECT CASE WHEN g % 40 < 30 THEN 'COMPLETED' WHEN g % 40 < 33 THEN 'FAILED'
                                WHEN g % 40 < 35 THEN 'REJECTED' WHEN g % 40 < 37 THEN 'CANCELLED'
                                WHEN g % 40 = 37 THEN 'EXPIRED' ELSE 'SUBMITTED' END AS status) s;

-- the ledger: a top-up per tenant, a reserve per job, a refund or a release where credits went back
CREATE TEMP TABLE bench_moves AS
SELECT id AS tenant_id, 100000000::bigint AS amount, 'topup' AS kind, NULL::uuid AS job_id,
       now() - interval '95 days' AS at, 0 AS ord FROM tenants
UNION ALL
SELECT tenant_id, -price_credits, 'reserve', id, created_at, 1 FROM jobs
UNION ALL
SELECT tenant_id, price_credits, 'refund', id, created_at + interval '30 seconds', 2 FROM jobs
WHERE status IN ('FAILED', 'REJECTED', 'CANCELLED')
UNION ALL
SELECT tenant_id, price_credits - ceil(price_credits * delivered_units / quantity), 'release', id,
       created_at + interval '40 seconds', 2 FROM jobs
WHERE status = 'COMPLETED' AND unit = 'image' AND delivered_units < quantity;

INSERT INTO ledger_entries (tenant_id, amount, balance_after, kind, job_id, created_at)
SELECT tenant_id, amount, sum(amount) OVER (PARTITION BY tenant_id ORDER BY at, ord, job_id), kind, job_id, at
FROM bench_moves ORDER BY at, ord;

UPDATE tenants t SET balance = s.balance
FROM (SELECT tenant_id, sum(amount) AS balance FROM ledger_entries GROUP BY tenant_id) s WHERE s.tenant_id = t.id;

INSERT INTO settlements (job_id, outcome, reserved, charged, refunded, source, settled_at)
SELECT j.id,
       CASE WHEN j.status = 'COMPLETED' THEN 'posted' WHEN j.status = 'EXPIRED' THEN 'kept_for_review' ELSE 'voided' END,
       j.price_credits, j.price_credits - COALESCE(g.back, 0), COALESCE(g.back, 0),
       CASE WHEN j.status = 'REJECTED' THEN 'submit' ELSE 'webhook' END, j.settled_at
FROM jobs j
LEFT JOIN (SELECT job_id, sum(amount) AS back FROM ledger_entries WHERE kind IN ('refund', 'release') GROUP BY job_id) g
       ON g.job_id = j.id
WHERE j.settled_at IS NOT NULL;

VACUUM ANALYZE;
SELECT (SELECT count(*) FROM jobs) AS jobs, (SELECT count(*) FROM ledger_entries) AS ledger_entries,
       (SELECT count(*) FROM settlements) AS settlements;
