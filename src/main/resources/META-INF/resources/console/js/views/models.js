import { api, get, modelPath } from '../api.js';
import { creditsPerUnit, formatCredits, isPositiveDecimal, unitLabel } from '../money.js';
import { session } from '../session.js';
import { busy, clear, dec, el, errorBox, failed, field, section, showError, table, time, validate } from '../ui.js';

export function modelsView() {
  return async (page, stale) => {
    page.append(el('h1', null, 'Models & prices'));
    const ratesBox = el('div', { id: 'rates' });
    const modelsBox = el('div', { id: 'models' });
    const syncBox = el('div', { id: 'price-sync' });
    page.append(section('Exchange rate', ratesBox),
      section('Price table', el('p', { class: 'muted' },
        'Credits per unit = USD price × exchange rate × credits per CNY (× the default resolution\'s factor), rounded up. ',
        'A tenant\'s price multiplier applies on top. A change is in force for the next submit; running jobs keep their price.'),
      modelsBox));
    if (session.isAdmin) page.append(section('Prices at fal', syncBox));

    async function load() {
      let rates;
      let models;
      try {
        [rates, models] = await Promise.all([get('/admin/pricing/rates'), get('/admin/models')]);
      } catch (e) {
        clear(modelsBox).append(failed(e));
        return;
      }
      if (stale()) return;
      drawRates(ratesBox, rates, models, load);
      drawModels(modelsBox, rates, models, load);
      if (session.isAdmin) drawSync(syncBox, load);
    }
    await load();
  };
}

function drawRates(box, rates, models, reload) {
  clear(box).append(el('dl', { class: 'facts' },
    el('div', null, el('dt', null, 'Exchange rate'), el('dd', { id: 'exchange-rate' }, dec(rates.exchange_rate) + ' CNY per USD')),
    el('div', null, el('dt', null, 'Credits per CNY'), el('dd', { id: 'credits-per-cny' }, dec(rates.credits_per_cny))),
    el('div', null, el('dt', null, 'Cost rate'), el('dd', { id: 'cost-rate' }, dec(rates.cost_rate) + ' CNY paid per fal USD')),
    el('div', null, el('dt', null, 'In force since'), el('dd', null, `${time(rates.effective_at)} (version ${rates.version_id}${rates.created_by ? ', by ' + rates.created_by : ''})`))));
  if (!session.isAdmin) return;

  const rate = el('input', { name: 'exchange_rate', inputmode: 'decimal', value: rates.exchange_rate });
  const perCny = el('input', { name: 'credits_per_cny', inputmode: 'decimal', value: rates.credits_per_cny });
  const fRate = field('Exchange rate (CNY per USD)', rate);
  const fPer = field('Credits per CNY', perCny);
  const cost = el('input', { name: 'cost_rate', inputmode: 'decimal', value: rates.cost_rate });
  const fCost = field('Cost rate (CNY you pay per fal USD)', cost, 'fal cost and margin in the reports use it');
  const review = el('div', { class: 'review', hidden: true });
  const error = errorBox();
  const check = el('button', { type: 'submit', class: 'secondary' }, 'Review change');
  const form = el('form', { id: 'rates-form', class: 'grid-form', novalidate: true, 'data-write': '' },
    fRate, fPer, fCost, el('div', { class: 'actions' }, check), review, error);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    showError(error, null);
    const r = rate.value.trim();
    const p = perCny.value.trim();
    const c = cost.value.trim();
    const bad = 'A number greater than 0 with at most 8 decimals.';
    if (!validate([[fRate, isPositiveDecimal(r, 8) ? null : bad], [fPer, isPositiveDecimal(p, 8) ? null : bad],
      [fCost, isPositiveDecimal(c, 8) ? null : bad]])) return;
    const after = { exchange_rate: r, credits_per_cny: p, cost_rate: c };
    const sample = models.filter(m => m.usd_price !== null).slice(0, 5);
    showReview(review, [
      ['exchange rate', dec(rates.exchange_rate), dec(r)],
      ['credits per CNY', dec(rates.credits_per_cny), dec(p)],
      ['cost rate', dec(rates.cost_rate), dec(c)],
      ...sample.map(m => [`${m.id} (${unitLabel(m)})`, formatCredits(creditsPerUnit(m, rates)) + ' credits',
        formatCredits(creditsPerUnit(m, after)) + ' credits']),
    ], 'Every model\'s price in credits changes for the next submit.', async (b) => busy(b, async () => {
      try {
        await api('PUT', '/admin/pricing/rates', { body: after });
        await reload();
      } catch (e) { showError(error, e); }
    }));
  });
  box.append(form);
}

function drawModels(box, rates, models, reload) {
  const editor = el('div', { id: 'model-editor' });
  const columns = [
    { label: 'Model', cell: m => el('code', null, m.id) },
    { label: 'Unit', cell: m => unitLabel(m) },
    { label: 'USD price', cell: m => m.usd_price === null ? 'unpriced' : '$' + m.usd_price, num: true },
    { label: 'Credits', cell: m => el('span', { class: 'credits' }, formatCredits(creditsPerUnit(m, rates))), num: true },
    { label: 'Enabled', cell: m => m.enabled ? 'yes' : 'no' },
    { label: 'Description', cell: m => m.description || '' },
  ];
  if (session.isAdmin) {
    columns.push({ label: 'Actions', cell: m => el('div', { class: 'row-actions', 'data-write': '' },
      actionButton('Edit', 'secondary', 'edit', () => editModel(editor, m, rates, reload)),
      m.enabled
        ? actionButton('Disable', 'danger', 'disable', () => reviewChange(editor, m, rates, { enabled: false }, reload))
        : actionButton('Enable', '', 'enable', () => reviewChange(editor, m, rates, { enabled: true }, reload))) });
  }
  clear(box).append(editor, table(columns, models, { id: 'models-table', empty: 'No models.',
    rowAttrs: m => ({ 'data-model': m.id, 'data-enabled': String(m.enabled) }) }));
}

function actionButton(text, cls, action, onClick) {
  const b = el('button', { type: 'button', class: cls || null, 'data-action': action }, text);
  b.addEventListener('click', onClick);
  return b;
}

function editModel(box, m, rates, reload) {
  const price = el('input', { name: 'usd_price', inputmode: 'decimal', value: m.usd_price || '' });
  const description = el('input', { name: 'description', maxlength: 500, value: m.description || '' });
  const fPrice = field(`USD price (${unitLabel(m)})`, price);
  const fDesc = field('Description', description);
  const preview = el('p', { class: 'muted', role: 'status' });
  const update = () => {
    const p = price.value.trim();
    preview.textContent = isPositiveDecimal(p, 6)
      ? `= ${formatCredits(creditsPerUnit({ ...m, usd_price: p }, rates))} credits ${unitLabel(m)}` : '';
  };
  price.addEventListener('input', update);
  update();
  const review = el('div', { class: 'review', hidden: true });
  const error = errorBox();
  const form = el('form', { id: 'model-form', class: 'grid-form', novalidate: true, 'data-write': '' },
    el('h3', null, 'Edit ', el('code', null, m.id)), fPrice, preview, fDesc,
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'secondary' }, 'Review change'),
      actionButton('Cancel', 'secondary', 'cancel', () => clear(box))), review, error);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    showError(error, null);
    const p = price.value.trim();
    if (!validate([[fPrice, isPositiveDecimal(p, 6) ? null : 'A USD price greater than 0 with at most 6 decimals, e.g. 0.025.']])) return;
    const change = {};
    if (m.usd_price === null || p !== m.usd_price) change.usd_price = p;
    const d = description.value.trim();
    if (d !== (m.description || '')) change.description = d;
    if (!Object.keys(change).length) {
      showError(error, { message: 'Nothing changed.' });
      return;
    }
    reviewChange(review, m, rates, change, reload, error);
  });
  clear(box).append(el('div', { class: 'card inset' }, form));
  price.focus();
}

/** Shows before → after (with the credits it means) and saves only when confirmed. */
function reviewChange(box, m, rates, change, reload, errorTarget) {
  const after = { ...m, ...change };
  const rows = [];
  if ('usd_price' in change) rows.push(['USD price', m.usd_price === null ? 'unpriced' : '$' + m.usd_price, '$' + change.usd_price]);
  if ('usd_price' in change || 'enabled' in change) {
    rows.push([`credits ${unitLabel(m)}`, formatCredits(creditsPerUnit(m, rates)), formatCredits(creditsPerUnit(after, rates))]);
  }
  if ('description' in change) rows.push(['description', m.description || '—', change.description || '—']);
  if ('enabled' in change) rows.push(['enabled', m.enabled ? 'yes' : 'no', change.enabled ? 'yes' : 'no']);
  const error = errorTarget || errorBox();
  const note = 'enabled' in change && !change.enabled
    ? 'Tenants get 404 for this model from the next submit; running jobs finish at their price.'
    : 'In force for the next submit on every instance; running jobs keep their price.';
  showReview(box, rows, note, async (b) => busy(b, async () => {
    try {
      await api('PUT', '/admin/models/' + modelPath(m.id), { body: change });
      await reload();
    } catch (e) { showError(error, e); }
  }), `Change ${m.id}`);
  if (!errorTarget) box.append(error);
}

function showReview(box, rows, note, onSave, title) {
  box.hidden = false;
  const save = el('button', { type: 'button', 'data-action': 'save' }, 'Save');
  save.addEventListener('click', () => onSave(save));
  const cancel = el('button', { type: 'button', class: 'secondary', 'data-action': 'cancel' }, 'Cancel');
  cancel.addEventListener('click', () => { clear(box); box.hidden = true; });
  clear(box).append(el('div', { class: 'review-box card inset', id: 'review', 'data-write': '' },
    el('h3', null, title || 'Review the change'),
    el('div', { class: 'table-wrap' }, el('table', { class: 'diff' },
      el('thead', null, el('tr', null, el('th', null, ''), el('th', null, 'now'), el('th', null, 'after saving'))),
      el('tbody', null, rows.map(([what, before, after]) => el('tr', { class: before === after ? null : 'changed' },
        el('th', { scope: 'row' }, what), el('td', null, before), el('td', null, after)))))),
    el('p', { class: 'muted' }, note), el('div', { class: 'actions' }, save, cancel)));
  save.scrollIntoView({ block: 'nearest' });
}

/** Price sync with fal: fal's current prices against the table, shown before → after, applied only on confirmation. */
function drawSync(box, reload) {
  const error = errorBox();
  const result = el('div', { id: 'sync-result' });
  const check = el('button', { type: 'button', class: 'secondary', 'data-action': 'sync', 'data-write': '' },
    'Compare with fal\'s prices');
  check.addEventListener('click', () => busy(check, async () => {
    showError(error, null);
    try {
      showSync(result, await api('POST', '/admin/pricing/sync'), reload, error);
    } catch (e) { showError(error, e); }
  }));
  clear(box).append(el('p', { class: 'muted' },
    'Asks fal\'s Platform API for the current price of every model in the table. Nothing changes until you apply; ',
    'each applied price is a new price version, in force for the next submit.'), check, error, result);
}

function showSync(box, diff, reload, error) {
  const rows = diff.changed.map(c => [`${c.id} (${c.unit})`,
    `${c.before_usd === null ? 'unpriced' : '$' + c.before_usd} = ${c.before_credits_per_unit === null ? '—' : formatCredits(BigInt(c.before_credits_per_unit))} credits`,
    `$${c.after_usd} = ${c.after_credits_per_unit === null ? '—' : formatCredits(BigInt(c.after_credits_per_unit))} credits`]);
  const parts = [el('p', { id: 'sync-summary' }, `${diff.changed.length} price(s) differ from fal's, ${diff.unchanged} unchanged, `
    + `${diff.unit_mismatch.length} with another unit at fal, ${diff.not_at_fal.length} not priced at fal.`)];
  if (diff.unit_mismatch.length) {
    parts.push(table([
      { label: 'Model', cell: m => el('code', null, m.id) },
      { label: 'Unit here', cell: m => m.unit },
      { label: 'USD here', cell: m => m.usd_price === null ? 'unpriced' : '$' + m.usd_price, num: true },
      { label: 'Unit at fal', cell: m => m.fal_unit },
      { label: 'USD at fal', cell: m => '$' + m.fal_usd_price, num: true },
    ], diff.unit_mismatch, { id: 'sync-unit-mismatch' }));
    parts.push(el('p', { class: 'notice' }, 'Models whose unit differs are never changed by a sync: check them by hand.'));
  }
  clear(box).append(...parts);
  if (!rows.length) return;
  const review = el('div', { class: 'review' });
  box.append(review);
  showReview(review, rows, 'Applied in one transaction, audited as model.sync.', async (b) => busy(b, async () => {
    try {
      const applied = await api('POST', '/admin/pricing/sync?apply=true');
      clear(box).append(el('p', { id: 'sync-applied', class: 'notice' }, `${applied.changed.length} price(s) updated from fal.`));
      await reload();
    } catch (e) { showError(error, e); }
  }), 'Prices at fal: now → after applying');
}
