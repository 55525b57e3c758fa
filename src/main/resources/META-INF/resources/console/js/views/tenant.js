import { api, get, newIdempotencyKey } from '../api.js';
import { session } from '../session.js';
import { busy, clear, dec, el, errorBox, failed, field, int, loading, section, showError, signed, table, time, validate } from '../ui.js';

const MAX_AMOUNT = 1_000_000_000_000;
const LEDGER_PAGE = 50;
const JOBS_PAGE = 20;

export function tenantView(id) {
  return async (page, stale) => {
    page.append(el('p', null, el('a', { href: '#/tenants' }, '← All tenants')));
    const head = el('div', { id: 'tenant-head' }, loading());
    const keysBox = el('div', { id: 'keys' });
    const jobsBox = el('div', { id: 'jobs' });
    const ledgerBox = el('div', { id: 'ledger' });
    page.append(head);
    if (session.isAdmin) page.append(creditForm(id, refreshAll));
    page.append(section('API keys', keysBox), section('Recent jobs', jobsBox), section('Ledger', ledgerBox));

    async function refreshHead() {
      try {
        const t = await get(`/admin/tenants/${id}`);
        if (stale()) return;
        clear(head).append(el('h1', { id: 'tenant-name' }, t.name, el('span', { class: 'muted' }, ` #${t.id}`)),
          el('dl', { class: 'facts' },
            fact('Balance', el('span', { id: 'tenant-balance', 'data-value': t.balance }, int(t.balance) + ' credits')),
            fact('Credit limit', int(t.credit_limit)),
            fact('Price multiplier', dec(t.price_multiplier)),
            fact('Max open jobs', t.max_concurrent_jobs === null ? 'no limit' : int(t.max_concurrent_jobs)),
            fact('Created', time(t.created_at))));
      } catch (e) {
        clear(head).append(failed(e));
      }
    }
    async function refreshAll() {
      await Promise.all([refreshHead(), keys(id, keysBox, stale), jobs(id, jobsBox, stale), ledger(id, ledgerBox, stale)]);
    }
    await refreshAll();
  };
}

export function fact(term, value) {
  return el('div', null, el('dt', null, term), el('dd', null, value));
}

// ---- credits: top-up or adjustment with a reason; one Idempotency-Key per submission ----------------------------

function creditForm(tenantId, done) {
  const kind = el('select', { name: 'kind' },
    el('option', { value: 'topup' }, 'Top up (add credits)'),
    el('option', { value: 'adjust' }, 'Adjustment (remove credits)'));
  const amount = el('input', { name: 'amount', inputmode: 'numeric', autocomplete: 'off', placeholder: 'e.g. 100000' });
  const reason = el('input', { name: 'reason', maxlength: 1000, autocomplete: 'off', placeholder: 'e.g. invoice 2026-031 paid' });
  const fKind = field('Kind', kind);
  const fAmount = field('Amount (credits)', amount, '10,000 credits = 1 CNY');
  const fReason = field('Reason', reason);
  const error = errorBox();
  const result = el('p', { class: 'ok', id: 'credit-result', hidden: true });
  const submit = el('button', { type: 'submit' }, 'Apply');
  // A key per submission: kept when a send fails on the network (a retry cannot credit twice), renewed once the
  // API has answered or the form changes (the same key with another body would be refused).
  let idempotencyKey = newIdempotencyKey();
  for (const input of [kind, amount, reason]) input.addEventListener('input', () => { idempotencyKey = newIdempotencyKey(); });

  const form = el('form', { id: 'credit-form', class: 'grid-form', novalidate: true, 'data-write': '' },
    fKind, fAmount, fReason, el('div', { class: 'actions' }, submit), error, result);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    showError(error, null);
    result.hidden = true;
    const a = amount.value.trim().replace(/[,_\s]/g, '');
    const r = reason.value.trim();
    const amountProblem = !/^\d+$/.test(a) ? 'A whole number of credits, e.g. 100000.'
      : Number(a) === 0 ? 'The amount must not be zero.'
        : Number(a) > MAX_AMOUNT ? `At most ${int(MAX_AMOUNT)} credits.` : null;
    if (!validate([[fAmount, amountProblem], [fReason, r ? null : 'Say why (it goes into the ledger).']])) return;
    const credits = (kind.value === 'adjust' ? -1 : 1) * Number(a);
    busy(submit, async () => {
      try {
        const entry = await api('POST', `/admin/tenants/${tenantId}/credits`,
          { body: { amount: credits, reason: r }, headers: { 'Idempotency-Key': idempotencyKey } });
        idempotencyKey = newIdempotencyKey();
        amount.value = '';
        reason.value = '';
        result.textContent = `${signed(entry.amount)} credits (${entry.kind}); balance now ${int(entry.balance_after)}.`;
        result.hidden = false;
        await done();
      } catch (e) {
        if (e.status) idempotencyKey = newIdempotencyKey();
        showError(error, e);
      }
    });
  });
  return section('Top up or adjust', form);
}

// ---- keys ----------------------------------------------------------------------------------------------------

export function keyStatus(k) {
  if (k.revoked_at) return 'revoked ' + time(k.revoked_at);
  if (k.expires_at && new Date(k.expires_at) <= new Date()) return 'expired ' + time(k.expires_at);
  if (k.rotated_to) return `rotated to #${k.rotated_to}; works until ${time(k.expires_at)}`;
  if (k.expires_at) return 'active until ' + time(k.expires_at);
  return 'active';
}

async function keys(tenantId, box, stale) {
  const reload = () => keys(tenantId, box, stale);
  let list;
  try {
    list = await get(`/admin/tenants/${tenantId}/keys`);
  } catch (e) {
    clear(box).append(failed(e));
    return;
  }
  if (stale()) return;
  const shownOnce = session.isAdmin ? el('div', { id: 'key-once' }) : null;
  const columns = [
    { label: 'ID', cell: k => String(k.id), num: true },
    { label: 'Name', cell: k => k.name },
    { label: 'Prefix', cell: k => el('code', null, k.prefix + '…') },
    { label: 'Status', cell: k => keyStatus(k) },
    { label: 'Models', cell: k => k.allowed_models ? k.allowed_models.join(', ') : 'all' },
    { label: 'Requests/min', cell: k => k.rate_limit_rpm === null ? 'no limit' : int(k.rate_limit_rpm), num: true },
    { label: 'Created', cell: k => time(k.created_at) },
  ];
  if (session.isAdmin) {
    columns.push({ label: 'Actions', cell: k => k.revoked_at ? '' : keyActions(k, reload, { path: `/admin/keys/${k.id}`, write: true }) });
  }
  clear(box).append(shownOnce, table(columns, list, { id: 'keys-table', empty: 'No keys yet.',
    rowAttrs: k => ({ 'data-key-id': k.id }) }));
  if (session.isAdmin) box.append(issueForm(tenantId, shownOnce, reload));
}

/** The new key, shown once, with a copy button; it lives only in this box until it is dismissed. */
export function showKeyOnce(box, issued, title) {
  const value = el('input', { id: 'new-key-value', readonly: true, value: issued.key, 'aria-label': 'New API key', spellcheck: 'false' });
  const copied = el('span', { class: 'ok', role: 'status' });
  const copy = el('button', { type: 'button', id: 'copy-key' }, 'Copy');
  copy.addEventListener('click', async () => {
    value.select();
    try {
      await navigator.clipboard.writeText(issued.key);
      copied.textContent = 'Copied.';
    } catch (e) {
      // navigator.clipboard needs https or localhost; the selected text can still be copied by execCommand
      copied.textContent = document.execCommand && document.execCommand('copy') ? 'Copied.' : 'Select the key and copy it.';
    }
  });
  const dismiss = el('button', { type: 'button', class: 'secondary' }, 'Done, hide it');
  dismiss.addEventListener('click', () => clear(box));
  clear(box).append(el('div', { class: 'once', role: 'alert' },
    el('strong', null, title),
    el('p', null, 'Copy it now: it is shown only this once and cannot be retrieved later.'),
    el('div', { class: 'copy-row' }, value, copy, copied), dismiss));
}

/**
 * A key row's revoke and rotate (the change is shown before it is made; a rotated key's successor is shown once), for
 * the admins (/admin/keys/{id}) and the tenant portal (/v1/keys/{id}).
 * @param opts.path the key's API path; opts.write marks it an edit control (hidden from finance); opts.graceHint;
 *   opts.extra (wrap, error) => more buttons placed first
 */
export function keyActions(k, reload, opts) {
  const wrap = el('div', { class: 'row-actions', 'data-write': opts.write ? '' : null });
  const error = errorBox();
  const revoke = el('button', { type: 'button', class: 'danger', 'data-action': 'revoke' }, 'Revoke');
  const rotate = el('button', { type: 'button', class: 'secondary', 'data-action': 'rotate' }, 'Rotate');
  wrap.append(...(opts.extra ? opts.extra(wrap, error) : []), revoke, rotate, error);

  revoke.addEventListener('click', () => {
    // the change is shown before it is made
    clear(wrap).append(el('span', null, `Revoke ${k.prefix}…? It stops working at once.`),
      button('Yes, revoke', 'danger', 'confirm-revoke', async (b) => busy(b, async () => {
        try { await api('DELETE', opts.path); await reload(); } catch (e) { showError(error, e); }
      })),
      button('Cancel', 'secondary', 'cancel', () => reload()), error);
  });
  rotate.addEventListener('click', () => {
    const grace = el('input', { name: 'grace_seconds', inputmode: 'numeric', value: '86400', size: 8 });
    const fGrace = field('Old key keeps working for (seconds)', grace, opts.graceHint);
    clear(wrap).append(fGrace,
      button('Rotate now', '', 'confirm-rotate', async (b) => {
        const g = grace.value.trim();
        if (!validate([[fGrace, /^\d+$/.test(g) ? null : 'A whole number of seconds (0 = at once).']])) return;
        await busy(b, async () => {
          try {
            const r = await api('POST', `${opts.path}/rotate`, { body: { grace_seconds: Number(g) } });
            await reload();
            showKeyOnce(document.getElementById('key-once'), r.new_key,
              `New key for "${r.new_key.name}" (replaces #${r.old_key_id}, which works until ${time(r.old_key_expires_at)})`);
          } catch (e) { showError(error, e); }
        });
      }),
      button('Cancel', 'secondary', 'cancel', () => reload()), error);
  });
  return wrap;
}

export function button(text, cls, action, onClick) {
  const b = el('button', { type: 'button', class: cls || null, 'data-action': action }, text);
  b.addEventListener('click', () => onClick(b));
  return b;
}

function issueForm(tenantId, shownOnce, reload) {
  const name = el('input', { name: 'key-name', maxlength: 200, autocomplete: 'off', placeholder: 'e.g. production' });
  const models = el('input', { name: 'allowed_models', autocomplete: 'off', placeholder: 'all models' });
  const rpm = el('input', { name: 'rate_limit_rpm', inputmode: 'numeric', autocomplete: 'off', placeholder: 'no limit' });
  const fName = field('Key name', name);
  const fModels = field('Allowed models', models, 'optional; comma-separated patterns, e.g. fal-ai/flux-1/*');
  const fRpm = field('Requests per minute', rpm, 'optional');
  const error = errorBox();
  const submit = el('button', { type: 'submit' }, 'Issue key');
  const form = el('form', { id: 'issue-key-form', class: 'grid-form', novalidate: true, 'data-write': '' },
    fName, fModels, fRpm, el('div', { class: 'actions' }, submit), error);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    showError(error, null);
    const n = name.value.trim();
    const r = rpm.value.trim();
    const patterns = models.value.split(',').map(s => s.trim()).filter(Boolean);
    if (!validate([[fName, n ? null : 'Name the key (e.g. after where it is used).'],
      [fRpm, !r || /^[1-9]\d*$/.test(r) ? null : 'A whole number of at least 1, or empty for no limit.']])) return;
    const body = { name: n };
    if (patterns.length) body.allowed_models = patterns;
    if (r) body.rate_limit_rpm = Number(r);
    busy(submit, async () => {
      try {
        const issued = await api('POST', `/admin/tenants/${tenantId}/keys`, { body });
        await reload();
        showKeyOnce(document.getElementById('key-once'), issued, `New key "${issued.name}"`);
      } catch (e) {
        showError(error, e);
      }
    });
  });
  return el('div', { class: 'subsection' }, el('h3', null, 'Issue a key'), form);
}

// ---- jobs and ledger -----------------------------------------------------------------------------------------

async function jobs(tenantId, box, stale) {
  try {
    const pageOfJobs = await get('/admin/jobs', { tenant_id: tenantId, limit: JOBS_PAGE });
    if (stale()) return;
    clear(box).append(table([
      { label: 'Submitted', cell: j => time(j.created_at) },
      { label: 'Model', cell: j => j.model },
      { label: 'Status', cell: j => j.status + (j.needs_review ? ' (needs review)' : '') },
      { label: 'Quantity', cell: j => `${j.quantity} ${j.unit}`, num: true },
      { label: 'Price', cell: j => int(j.price_credits), num: true },
      { label: 'Charged', cell: j => int(j.charged), num: true },
      { label: 'Refunded', cell: j => int(j.refunded), num: true },
      { label: 'Request', cell: j => el('code', { class: 'small' }, j.request_id || '—') },
    ], pageOfJobs.jobs, { id: 'jobs-table', empty: 'No jobs yet.', rowAttrs: j => ({ 'data-job-id': j.id }) }));
  } catch (e) {
    clear(box).append(failed(e));
  }
}

async function ledger(tenantId, box, stale) {
  let entries = [];
  async function load(beforeId) {
    try {
      const batch = await get(`/admin/tenants/${tenantId}/ledger`, { limit: LEDGER_PAGE, before_id: beforeId });
      if (stale()) return;
      entries = entries.concat(batch);
      clear(box).append(table([
        { label: 'When', cell: e => time(e.created_at) },
        { label: 'Kind', cell: e => e.kind },
        { label: 'Amount', cell: e => signed(e.amount), num: true },
        { label: 'Balance after', cell: e => int(e.balance_after), num: true },
        { label: 'Reason', cell: e => e.reason || '' },
        { label: 'Job', cell: e => e.job_id ? el('code', { class: 'small' }, e.job_id) : '' },
        { label: 'By', cell: e => e.created_by || '' },
      ], entries, { id: 'ledger-table', empty: 'No entries yet.',
        rowAttrs: e => ({ 'data-kind': e.kind, 'data-amount': e.amount }) }));
      if (batch.length === LEDGER_PAGE) {
        const more = el('button', { type: 'button', class: 'secondary' }, 'Older entries');
        more.addEventListener('click', () => busy(more, () => load(entries[entries.length - 1].id)));
        box.append(more);
      }
    } catch (e) {
      clear(box).append(failed(e));
    }
  }
  await load();
}
