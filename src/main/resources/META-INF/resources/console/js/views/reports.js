import { api, get, query } from '../api.js';
import { busy, clear, dec, el, errorBox, failed, field, int, loading, section, showError, table, time, validate } from '../ui.js';

const BASE = '/admin/reports/usage';
const RECONCILIATION = '/admin/reports/reconciliation';

export function isoDate(d) {
  const p = n => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Every day in [from, to) as YYYY-MM-DD, so that days without usage show as zero in the chart. */
export function days(from, to) {
  const out = [];
  const d = new Date(from + 'T00:00:00Z');
  const end = new Date(to + 'T00:00:00Z');
  while (d < end && out.length <= 400) {
    out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

export function reportsView() {
  return async (page, stale) => {
    page.append(el('h1', null, 'Reports'));
    const now = new Date();
    const from = el('input', { type: 'date', name: 'from', value: isoDate(new Date(now.getFullYear(), now.getMonth(), 1)) });
    const to = el('input', { type: 'date', name: 'to', value: isoDate(new Date(now.getFullYear(), now.getMonth() + 1, 1)) });
    const fFrom = field('From', from);
    const fTo = field('To (not included)', to);
    const tenant = el('input', { name: 'tenant_id', inputmode: 'numeric', placeholder: 'all tenants' });
    const fTenant = field('Tenant ID', tenant, 'optional');
    const error = errorBox();
    const show = el('button', { type: 'submit' }, 'Show');
    const form = el('form', { id: 'report-form', class: 'grid-form', novalidate: true }, fFrom, fTo, fTenant,
      el('div', { class: 'actions' }, show), error);
    const out = el('div', { id: 'report' });
    page.append(section('Period', form, el('p', { class: 'muted' },
      'Days are counted in the report\'s time zone (the proxy\'s default). Revenue and margin in CNY; fal cost in USD and CNY.')), out);

    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      showError(error, null);
      const f = from.value;
      const t = to.value;
      const dateProblem = v => /^\d{4}-\d{2}-\d{2}$/.test(v) ? null : 'Pick a date.';
      const tid = tenant.value.trim();
      if (!validate([[fFrom, dateProblem(f)], [fTo, dateProblem(t) || (t > f ? null : 'Must be after the start.')],
        [fTenant, !tid || /^\d+$/.test(tid) ? null : 'A tenant ID is a whole number.']])) return;
      busy(show, () => load({ from: f, to: t, tenant_id: tid }));
    });

    async function load(params) {
      const f = params.from;
      const t = params.to;
      clear(out).append(loading());
      let byDay, byModel, byTenant;
      try {
        [byDay, byModel, byTenant] = await Promise.all(['day', 'model', 'tenant']
          .map(g => get(BASE, { ...params, group_by: g })));
      } catch (e) {
        clear(out);
        showError(error, e);
        return;
      }
      if (stale()) return;
      const totals = byDay.totals;
      clear(out).append(
        el('div', { class: 'kpis', id: 'report-totals' },
          kpi('Credits charged', int(totals.credits_charged), 'credits_charged'),
          kpi('Revenue', dec(totals.revenue_cny) + ' CNY', 'revenue_cny'),
          kpi('fal cost', `${dec(totals.fal_cost_usd)} USD = ${dec(totals.fal_cost_cny)} CNY`, 'fal_cost'),
          kpi('Margin', dec(totals.margin_cny) + ' CNY', 'margin_cny'),
          kpi('Jobs', `${int(totals.jobs_submitted)} submitted, ${int(totals.jobs_succeeded)} succeeded`, 'jobs')),
        section('Usage by day', chartBox(byDay, f, t), csvButton(params, 'day'), figuresTable(byDay.rows, 'Day', r => r.period, 'by-day-table')),
        section('By model', csvButton(params, 'model'), figuresTable(byModel.rows, 'Model', r => el('code', null, r.model), 'by-model-table')),
        section('By tenant', csvButton(params, 'tenant'), figuresTable(byTenant.rows, 'Tenant',
          r => el('a', { href: `#/tenants/${r.tenant_id}` }, `${r.tenant_name} #${r.tenant_id}`), 'by-tenant-table')),
        reconciliationBox({ from: f, to: t }));
    }
    await load({ from: from.value, to: to.value });
  };
}

/** The books against fal's billing events for the same period (all tenants). */
function reconciliationBox(params) {
  const box = el('div', { id: 'reconciliation' }, loading());
  const card = section('Reconciliation with fal', el('p', { class: 'muted' },
    'fal\'s own billing events (read from fal\'s Platform API) against the jobs of the period, all tenants. '
    + 'fal cost at the sale price is in credits; fal cost at the cost rate is what you paid.'), box);
  get(RECONCILIATION, params).then(r => {
    const t = r.totals;
    const jobColumns = [
      { label: 'Job', cell: l => el('code', null, l.job_id.slice(0, 8)) },
      { label: 'Tenant', cell: l => el('a', { href: `#/tenants/${l.tenant_id}` }, '#' + l.tenant_id) },
      { label: 'Model', cell: l => el('code', null, l.model) },
      { label: 'Status', cell: l => l.status + (l.ghost ? ' (ghost)' : '') },
      { label: 'Charged', cell: l => int(l.credits_charged), num: true },
      { label: 'Expected fal USD', cell: l => dec(l.expected_fal_cost_usd), num: true },
      { label: 'fal billed USD', cell: l => dec(l.fal_cost_usd), num: true },
      { label: 'fal at sale price', cell: l => int(l.fal_cost_credits), num: true },
    ];
    clear(box).append(
      el('div', { class: 'kpis', id: 'reconciliation-totals' },
        kpi('Expected fal cost', dec(t.expected_fal_cost_usd) + ' USD', 'expected_fal_cost_usd'),
        kpi('fal billed', dec(t.actual_fal_cost_usd) + ' USD', 'actual_fal_cost_usd'),
        kpi('Difference', dec(t.difference_usd) + ' USD', 'difference_usd'),
        kpi('Events read', r.events_fetched_through ? `until ${time(r.events_fetched_through)}` : 'not yet', 'events')),
      el('h3', null, `Under-priced (${t.under_priced.count})`),
      table(jobColumns, r.under_priced, { id: 'under-priced-table', empty: 'None: every price covered fal\'s bill.' }),
      el('h3', null, `Billed by fal, refunded to the tenant (${t.billed_but_refunded.count})`),
      table(jobColumns, r.billed_but_refunded, { id: 'billed-refunded-table', empty: 'None.' }),
      el('h3', null, `Billed by fal, unknown to the proxy (${t.billed_unknown.count})`),
      table([
        { label: 'fal request', cell: u => el('code', null, u.request_id) },
        { label: 'Model', cell: u => el('code', null, u.endpoint_id) },
        { label: 'Billed at', cell: u => time(u.billed_at) },
        { label: 'fal billed USD', cell: u => dec(u.fal_cost_usd), num: true },
      ], r.billed_unknown, { id: 'billed-unknown-table', empty: 'None.' }),
      el('h3', null, `Charged, never billed by fal (${t.charged_not_billed.count})`),
      table(jobColumns, r.charged_not_billed, { id: 'not-billed-table', empty: 'None.' }),
      reconciliationCsv(params));
  }).catch(e => clear(box).append(failed(e)));
  return card;
}

function reconciliationCsv(params) {
  const b = el('button', { type: 'button', class: 'secondary csv', 'data-csv': 'reconciliation' }, 'Download CSV (reconciliation)');
  const error = errorBox();
  b.addEventListener('click', () => busy(b, async () => {
    showError(error, null);
    try {
      const res = await api('GET', RECONCILIATION + query({ ...params, format: 'csv' }), { raw: true });
      saveBlob(await res.blob(), `reconciliation-${params.from}-${params.to}.csv`);
    } catch (e) {
      showError(error, e);
    }
  }));
  return el('div', { class: 'csv-row' }, b, error);
}

function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function kpi(label, value, key) {
  return el('div', { class: 'kpi', 'data-kpi': key }, el('div', { class: 'kpi-label' }, label), el('div', { class: 'kpi-value' }, value));
}

function figuresTable(rows, label, cell, id) {
  return table([
    { label, cell },
    { label: 'Jobs', cell: r => int(r.jobs_submitted), num: true },
    { label: 'Credits charged', cell: r => int(r.credits_charged), num: true },
    { label: 'Revenue (CNY)', cell: r => dec(r.revenue_cny), num: true },
    { label: 'fal cost (USD)', cell: r => dec(r.fal_cost_usd), num: true },
    { label: 'fal cost (CNY)', cell: r => dec(r.fal_cost_cny), num: true },
    { label: 'Margin (CNY)', cell: r => dec(r.margin_cny), num: true },
  ], rows, { id, empty: 'No usage in this period.' });
}

/** The CSV of the same report, fetched with the token in a header (never in the URL) and saved as a file. */
function csvButton(params, groupBy) {
  const b = el('button', { type: 'button', class: 'secondary csv', 'data-csv': groupBy }, `Download CSV (by ${groupBy})`);
  const error = errorBox();
  b.addEventListener('click', () => busy(b, async () => {
    showError(error, null);
    try {
      const res = await api('GET', BASE + query({ ...params, group_by: groupBy, format: 'csv' }), { raw: true });
      saveBlob(await res.blob(), `usage-by-${groupBy}-${params.from}-${params.to}.csv`);
    } catch (e) {
      showError(error, e);
    }
  }));
  return el('div', { class: 'csv-row' }, b, error);
}

/**
 * Credits charged as bars (left axis), revenue, fal cost and margin in CNY as lines (right axis). Chart.js plots
 * numbers: the exact figures are in the table below it.
 */
function chartBox(report, from, to) {
  const labels = days(from, to);
  const byDay = new Map(report.rows.map(r => [r.period, r]));
  const series = key => labels.map(d => (byDay.has(d) ? Number(byDay.get(d)[key]) : 0));
  const canvas = el('canvas', { id: 'usage-chart', role: 'img', 'aria-label': 'Usage by day: credits charged, revenue, fal cost and margin' });
  const box = el('div', { class: 'chart-box' }, canvas);
  if (!window.Chart) {
    box.append(el('p', { class: 'form-error' }, 'The chart library did not load.'));
    return box;
  }
  // eslint-disable-next-line no-new
  new window.Chart(canvas, {
    data: {
      labels,
      datasets: [
        { type: 'bar', label: 'Credits charged', data: series('credits_charged'), yAxisID: 'credits', backgroundColor: '#7aa6d8' },
        { type: 'line', label: 'Revenue (CNY)', data: series('revenue_cny'), yAxisID: 'cny', borderColor: '#1f7a3a', backgroundColor: '#1f7a3a', tension: 0 },
        { type: 'line', label: 'fal cost (CNY)', data: series('fal_cost_cny'), yAxisID: 'cny', borderColor: '#b5462f', backgroundColor: '#b5462f', tension: 0 },
        { type: 'line', label: 'Margin (CNY)', data: series('margin_cny'), yAxisID: 'cny', borderColor: '#6b4fb3', backgroundColor: '#6b4fb3', borderDash: [6, 3], tension: 0 },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        credits: { type: 'linear', position: 'left', beginAtZero: true, title: { display: true, text: 'credits' } },
        cny: { type: 'linear', position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: 'CNY' } },
      },
      plugins: { legend: { position: 'bottom' } },
    },
  });
  return box;
}
