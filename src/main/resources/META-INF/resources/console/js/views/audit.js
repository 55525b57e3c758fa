import { get } from '../api.js';
import { busy, clear, el, errorBox, failed, field, loading, section, showError, table, time, validate } from '../ui.js';

const PAGE = 50;

/** What a change did: the fields whose values differ between before and after (the whole object when new). */
function changes(before, after) {
  if (before === null || typeof before !== 'object' || after === null || typeof after !== 'object') {
    const show = v => (v === null || v === undefined ? '—' : JSON.stringify(v));
    return before === null || before === undefined ? show(after) : `${show(before)} → ${show(after)}`;
  }
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const lines = keys.filter(k => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map(k => el('div', null, el('code', null, k), `: ${JSON.stringify(before[k] ?? null)} → ${JSON.stringify(after[k] ?? null)}`));
  return lines.length ? lines : 'no change';
}

export function auditView() {
  return async (page, stale) => {
    page.append(el('h1', null, 'Audit log'));
    const tenant = el('input', { name: 'tenant_id', inputmode: 'numeric', placeholder: 'any' });
    const model = el('input', { name: 'model', placeholder: 'any' });
    const actor = el('input', { name: 'actor', placeholder: 'any' });
    const action = el('input', { name: 'action', placeholder: 'e.g. model.update' });
    const fTenant = field('Tenant ID', tenant);
    const error = errorBox();
    const form = el('form', { id: 'audit-filter', class: 'grid-form', novalidate: true },
      fTenant, field('Model', model), field('Actor', actor), field('Action', action),
      el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Filter')), error);
    const out = el('div', { id: 'audit' });
    page.append(section('Filter', form), section('Changes, newest first', out));

    let entries = [];
    let filter = {};
    async function load(beforeId) {
      if (!beforeId) { entries = []; clear(out).append(loading()); }
      try {
        const batch = await get('/admin/audit', { ...filter, limit: PAGE, before_id: beforeId });
        if (stale()) return;
        entries = entries.concat(batch);
        clear(out).append(table([
          { label: 'When', cell: e => time(e.at) },
          { label: 'Who', cell: e => `${e.actor}${e.actor_role ? ' (' + e.actor_role + ')' : ''}` },
          { label: 'Action', cell: e => el('code', null, e.action) },
          { label: 'Tenant', cell: e => e.tenant_id === null ? '' : el('a', { href: `#/tenants/${e.tenant_id}` }, '#' + e.tenant_id) },
          { label: 'Model', cell: e => e.model_id || '' },
          { label: 'Target', cell: e => e.target || '' },
          { label: 'Change', cell: e => el('div', { class: 'change' }, changes(e.before, e.after)) },
        ], entries, { id: 'audit-table', empty: 'No entries.', rowAttrs: e => ({ 'data-audit-action': e.action }) }));
        if (batch.length === PAGE) {
          const more = el('button', { type: 'button', class: 'secondary' }, 'Older entries');
          more.addEventListener('click', () => busy(more, () => load(entries[entries.length - 1].id)));
          out.append(more);
        }
      } catch (e) {
        clear(out).append(failed(e));
      }
    }
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      showError(error, null);
      const t = tenant.value.trim();
      if (!validate([[fTenant, !t || /^\d+$/.test(t) ? null : 'A tenant ID is a whole number.']])) return;
      filter = { tenant_id: t, model: model.value, actor: actor.value, action: action.value };
      load();
    });
    await load();
  };
}
