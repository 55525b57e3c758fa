// The tenant portal: what a tenant user sees of its own tenant, through the documented tenant API only (/v1/account,
// /v1/groups, /v1/models?group=, /v1/keys, /v1/usage, /v1/ledger with the tenant user's token). The server binds every
// call to the token's tenant; nothing here sends a tenant id.
import { api, get } from '../api.js';
import { busy, clear, dec, el, errorBox, failed, field, int, loading, section, showError, signed, table, time, validate } from '../ui.js';
import { days, isoDate, kpi } from './reports.js';
import { button, keyActions, keyStatus, showKeyOnce } from './tenant.js';

const KEYS_PAGE = 50;
const JOBS_PAGE = 20;
const MAX_QUOTA = 1_000_000_000_000;

// ---- account and prices ----------------------------------------------------------------------------------------

export function accountView() {
  return async (page, stale) => {
    const [account, groups] = await Promise.all([get('/v1/account'), get('/v1/groups')]);
    if (stale()) return;
    page.append(el('h1', { id: 'account-name' }, account.name),
      el('div', { class: 'kpis', id: 'account-kpis' },
        kpi('Balance', int(account.balance) + ' credits', 'balance'),
        kpi('Held by running jobs', int(account.held) + ' credits', 'held'),
        kpi('Available for new jobs', int(account.available) + ' credits', 'available'),
        kpi('Credit limit', int(account.credit_limit) + ' credits', 'credit_limit')),
      el('p', { class: 'muted' }, 'Balance: the ledger balance, every hold already taken. Held: credits reserved by jobs '
        + 'not settled yet (they come back if a job fails or delivers less). Available: what new jobs may still take '
        + '(balance + credit limit). 10,000 credits = 1 CNY.'));
    page.append(section('Price groups', table([
      { label: 'Group', cell: g => g.name + (g.default ? ' (default)' : '') },
      { label: 'Description', cell: g => g.description || '' },
      { label: 'Your multiplier', cell: g => '× ' + dec(g.effective_multiplier), num: true },
      { label: 'Status', cell: g => g.enabled ? 'open' : 'closed to new jobs' },
    ], groups, { id: 'groups-table', rowAttrs: g => ({ 'data-group': g.name }) }),
    el('p', { class: 'muted' }, 'A key belongs to one group; its jobs cost the list price × your multiplier in that group.')));

    const select = el('select', { name: 'group' }, groups.map(g => el('option', { value: g.name }, g.name)));
    const prices = el('div', { id: 'prices' });
    page.append(section('Prices', el('div', { class: 'inline-form' }, field('Group', select)), prices));
    async function showPrices() {
      clear(prices).append(loading());
      try {
        const c = await get('/v1/models', { group: select.value });
        if (stale()) return;
        clear(prices).append(table([
          { label: 'Model', cell: m => el('code', null, m.id) },
          { label: 'Unit', cell: m => m.unit },
          { label: 'Credits per unit', cell: m => int(m.credits_per_unit), num: true },
          { label: 'Default request', cell: m => m.default_credits === null ? '—' : int(m.default_credits) + ' credits', num: true },
        ], c.models, { id: 'prices-table', empty: 'No models yet.', rowAttrs: m => ({ 'data-model': m.id }) }),
        el('p', { class: 'muted' }, `Group ${c.group}: list price × ${dec(c.effective_multiplier)}.`));
      } catch (e) {
        clear(prices).append(failed(e));
      }
    }
    select.addEventListener('change', showPrices);
    await showPrices();
  };
}

// ---- keys -----------------------------------------------------------------------------------------------------

/** "" → null (no cap), "7,500" → 7500, anything else → undefined (invalid) */
function parseQuota(text) {
  const q = String(text).trim().replace(/[,_\s]/g, '');
  if (q === '') return null;
  if (!/^\d+$/.test(q) || Number(q) > MAX_QUOTA) return undefined;
  return Number(q);
}

const QUOTA_PROBLEM = 'A whole number of credits, or empty for no cap.';

export function keysView() {
  return async (page, stale) => {
    page.append(el('h1', null, 'API keys'));
    const once = el('div', { id: 'key-once' });
    const list = el('div', { id: 'keys' }, loading());
    const groups = await get('/v1/groups');
    if (stale()) return;
    page.append(once, section('Your keys', list), section('Create a key', createForm(groups, once, reload)));

    async function reload() {
      let answer;
      try {
        answer = await get('/v1/keys', { limit: KEYS_PAGE });
      } catch (e) {
        clear(list).append(failed(e));
        return;
      }
      if (stale()) return;
      clear(list).append(table([
        { label: 'ID', cell: k => String(k.id), num: true },
        { label: 'Name', cell: k => k.name },
        { label: 'Prefix', cell: k => el('code', null, k.prefix + '…') },
        { label: 'Group', cell: k => k.group },
        { label: 'Quota', cell: k => k.credit_quota === null ? 'no cap' : int(k.credit_quota), num: true },
        { label: 'Used', cell: k => int(k.credits_used), num: true },
        { label: 'Remaining', cell: k => el('span', { 'data-remaining': k.credits_remaining === null ? '' : k.credits_remaining },
          k.credits_remaining === null ? 'no cap' : int(k.credits_remaining)), num: true },
        { label: 'Status', cell: k => keyStatus(k) },
        { label: 'Last used', cell: k => time(k.last_used_at) },
        { label: 'Actions', cell: k => k.revoked_at ? '' : portalKeyActions(k, reload) },
      ], answer.keys, { id: 'keys-table', empty: 'No keys yet: create one below.', rowAttrs: k => ({ 'data-key-id': k.id }) }));
      if (answer.next_before) {
        list.append(el('p', { class: 'muted' }, `The ${KEYS_PAGE} newest keys are shown.`));
      }
    }
    await reload();
  };
}

function createForm(groups, once, reload) {
  const name = el('input', { name: 'key-name', maxlength: 200, autocomplete: 'off', placeholder: 'e.g. production' });
  const group = el('select', { name: 'group' }, groups.filter(g => g.enabled).map(g =>
    el('option', { value: g.name, selected: g.default }, `${g.name} (× ${g.effective_multiplier})`)));
  const quota = el('input', { name: 'credit_quota', inputmode: 'numeric', autocomplete: 'off', placeholder: 'no cap' });
  const fName = field('Key name', name);
  const fGroup = field('Group', group);
  const fQuota = field('Credit quota', quota, 'optional; what the key may spend in all');
  const error = errorBox();
  const submit = el('button', { type: 'submit' }, 'Create key');
  const form = el('form', { id: 'create-key-form', class: 'grid-form', novalidate: true },
    fName, fGroup, fQuota, el('div', { class: 'actions' }, submit), error);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    showError(error, null);
    const n = name.value.trim();
    const q = parseQuota(quota.value);
    if (!validate([[fName, n ? null : 'Name the key (e.g. after where it is used).'],
      [fQuota, q === undefined ? QUOTA_PROBLEM : null]])) return;
    busy(submit, async () => {
      try {
        const issued = await api('POST', '/v1/keys', { body: { name: n, group: group.value, credit_quota: q } });
        name.value = '';
        quota.value = '';
        await reload();
        showKeyOnce(once, issued, `New key "${issued.name}" in group ${issued.group}`);
      } catch (e) {
        showError(error, e);
      }
    });
  });
  return form;
}

/** Edit quota, then the admins' revoke and rotate on /v1/keys/{id}. */
function portalKeyActions(k, reload) {
  const editQuota = (wrap, error) => {
    const edit = el('button', { type: 'button', class: 'secondary', 'data-action': 'edit-quota' }, 'Edit quota');
    edit.addEventListener('click', () => {
      const quota = el('input', { name: 'credit_quota', inputmode: 'numeric', value: k.credit_quota === null ? '' : String(k.credit_quota) });
      const fQuota = field('New quota (credits)', quota, `used so far: ${int(k.credits_used)}; empty = no cap`);
      clear(wrap).append(fQuota,
        button('Save quota', '', 'confirm-quota', async (b) => {
          const q = parseQuota(quota.value);
          if (!validate([[fQuota, q === undefined ? QUOTA_PROBLEM : null]])) return;
          await busy(b, async () => {
            try { await api('PATCH', `/v1/keys/${k.id}`, { body: { credit_quota: q } }); await reload(); } catch (e) { showError(error, e); }
          });
        }),
        button('Cancel', 'secondary', 'cancel', () => reload()), error);
    });
    return [edit];
  };
  return keyActions(k, reload, { path: `/v1/keys/${k.id}`, graceHint: 'its remaining quota moves to the new key', extra: editQuota });
}

// ---- usage and jobs -------------------------------------------------------------------------------------------

/** A period form (from, to; default this month) calling load({from, to}) on submit and once at the start. */
function periodForm(id, load) {
  const now = new Date();
  const from = el('input', { type: 'date', name: 'from', value: isoDate(new Date(now.getFullYear(), now.getMonth(), 1)) });
  const to = el('input', { type: 'date', name: 'to', value: isoDate(new Date(now.getFullYear(), now.getMonth() + 1, 1)) });
  const fFrom = field('From', from);
  const fTo = field('To (not included)', to);
  const error = errorBox();
  const show = el('button', { type: 'submit' }, 'Show');
  const form = el('form', { id, class: 'grid-form', novalidate: true }, fFrom, fTo, el('div', { class: 'actions' }, show), error);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    showError(error, null);
    const dateProblem = v => /^\d{4}-\d{2}-\d{2}$/.test(v) ? null : 'Pick a date.';
    if (!validate([[fFrom, dateProblem(from.value)],
      [fTo, dateProblem(to.value) || (to.value > from.value ? null : 'Must be after the start.')]])) return;
    busy(show, () => load({ from: from.value, to: to.value }, error));
  });
  form.initial = () => load({ from: from.value, to: to.value }, error);
  return form;
}

export function usageView() {
  return async (page, stale) => {
    page.append(el('h1', null, 'Usage & jobs'));
    const out = el('div', { id: 'usage' });
    const jobsBox = el('div', { id: 'jobs' });
    const form = periodForm('usage-form', async (period, error) => {
      clear(out).append(loading());
      let report;
      try {
        report = await get('/v1/usage', { ...period, group_by: 'model,day' });
      } catch (e) {
        clear(out);
        showError(error, e);
        return;
      }
      if (stale()) return;
      const t = report.totals;
      clear(out).append(
        el('div', { class: 'kpis', id: 'usage-totals' },
          kpi('Credits charged', int(t.credits_charged), 'credits_charged'),
          kpi('Jobs', `${int(t.jobs_submitted)} submitted, ${int(t.jobs_succeeded)} succeeded`, 'jobs'),
          kpi('Open jobs', int(t.jobs_open), 'jobs_open')),
        chartBox(report.rows, period.from, period.to),
        table([
          { label: 'Day', cell: r => r.period },
          { label: 'Model', cell: r => el('code', null, r.model) },
          { label: 'Jobs', cell: r => int(r.jobs_submitted), num: true },
          { label: 'Succeeded', cell: r => int(r.jobs_succeeded), num: true },
          { label: 'Credits charged', cell: r => int(r.credits_charged), num: true },
        ], report.rows, { id: 'usage-table', empty: 'No usage in this period.' }));
      await jobs(jobsBox, period, stale);
    });
    page.append(section('Period', form, el('p', { class: 'muted' }, 'Days are counted in the proxy\'s report time zone.')),
      section('Usage by day and model', out), section('Jobs', jobsBox));
    await form.initial();
  };
}

const PALETTE = ['#2358a8', '#1f7a3a', '#b5462f', '#6b4fb3', '#c08a00', '#1c8c8c', '#8a3b6e', '#5d6875'];

/** Credits charged per day as bars stacked by model (the exact figures are in the table under it). */
function chartBox(rows, from, to) {
  const labels = days(from, to);
  const models = [...new Set(rows.map(r => r.model))].sort();
  const canvas = el('canvas', { id: 'tenant-usage-chart', role: 'img', 'aria-label': 'Credits charged by day and model' });
  const box = el('div', { class: 'chart-box' }, canvas);
  if (!window.Chart) {
    box.append(el('p', { class: 'form-error' }, 'The chart library did not load.'));
    return box;
  }
  const datasets = models.map((m, i) => {
    const byDay = new Map(rows.filter(r => r.model === m).map(r => [r.period, Number(r.credits_charged)]));
    return { type: 'bar', label: m, data: labels.map(d => byDay.get(d) || 0), backgroundColor: PALETTE[i % PALETTE.length] };
  });
  // eslint-disable-next-line no-new
  new window.Chart(canvas, {
    data: { labels, datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { stacked: true },
        y: { stacked: true, beginAtZero: true, title: { display: true, text: 'credits charged' } },
      },
      plugins: { legend: { position: 'bottom' } },
    },
  });
  return box;
}

/** Where the job's result is fetched, with the key that submitted it (the portal's token cannot read results). */
function resultPath(j) {
  return j.request_id ? `/${j.model}/requests/${j.request_id}` : null;
}

async function jobs(box, period, stale) {
  let shown = [];
  async function load(before) {
    let answer;
    try {
      answer = await get('/v1/usage', { ...period, limit: JOBS_PAGE, before });
    } catch (e) {
      clear(box).append(failed(e));
      return;
    }
    if (stale()) return;
    shown = shown.concat(answer.jobs);
    clear(box).append(table([
      { label: 'Submitted', cell: j => time(j.created_at) },
      { label: 'Model', cell: j => el('code', null, j.model) },
      { label: 'Status', cell: j => j.status + (j.error ? ': ' + j.error : '') },
      { label: 'Quantity', cell: j => `${j.quantity} ${j.unit}`, num: true },
      { label: 'Price', cell: j => int(j.price_credits), num: true },
      { label: 'Charged', cell: j => el('span', { 'data-charged': j.charged }, int(j.charged) + (j.settled ? '' : ' (held)')), num: true },
      { label: 'Refunded', cell: j => int(j.refunded), num: true },
      { label: 'Result', cell: j => resultPath(j)
        ? el('code', { class: 'small result-link', title: 'GET with the key that submitted the job' }, resultPath(j)) : '—' },
    ], shown, { id: 'jobs-table', empty: 'No jobs in this period.', rowAttrs: j => ({ 'data-job-id': j.id, 'data-status': j.status }) }),
    el('p', { class: 'muted' }, 'A result is fetched with the API key that submitted the job: '
      + 'GET <the path above> with Authorization: Key <your key>.'));
    if (answer.next_before) {
      const more = el('button', { type: 'button', class: 'secondary' }, 'Older jobs');
      more.addEventListener('click', () => busy(more, () => load(answer.next_before)));
      box.append(more);
    }
  }
  await load();
}

// ---- ledger ---------------------------------------------------------------------------------------------------

export function ledgerView() {
  return async (page, stale) => {
    page.append(el('h1', null, 'Ledger'));
    const out = el('div', { id: 'statement' });
    const form = periodForm('ledger-form', async (period, error) => {
      clear(out).append(loading());
      let s;
      try {
        s = await get('/v1/ledger', period);
      } catch (e) {
        clear(out);
        showError(error, e);
        return;
      }
      if (stale()) return;
      clear(out).append(
        el('div', { class: 'kpis', id: 'statement-totals' },
          kpi('Opening balance', int(s.opening_balance), 'opening_balance'),
          kpi('Movements', signed(s.total_credits), 'total_credits'),
          kpi('Closing balance', int(s.closing_balance), 'closing_balance')),
        table([
          { label: 'When', cell: e => time(e.created_at) },
          { label: 'Kind', cell: e => e.kind },
          { label: 'Amount', cell: e => signed(e.amount), num: true },
          { label: 'Balance after', cell: e => int(e.balance_after), num: true },
          { label: 'Model', cell: e => e.model ? el('code', null, e.model) : '' },
          { label: 'Job', cell: e => e.job_id ? el('code', { class: 'small' }, e.job_id) : '' },
          { label: 'Reason', cell: e => e.reason || '' },
        ], s.entries, { id: 'ledger-table', empty: 'No entries in this period.',
          rowAttrs: e => ({ 'data-kind': e.kind, 'data-amount': e.amount }) }));
    });
    page.append(section('Period', form), section('Statement', out));
    await form.initial();
  };
}
