import { api, get } from '../api.js';
import { session } from '../session.js';
import { busy, clear, dec, el, errorBox, failed, field, int, loading, section, showError, table, time, validate } from '../ui.js';

const PAGE = 50;

export function tenantsView() {
  return async (page) => {
    page.append(el('h1', null, 'Tenants'));
    if (session.isAdmin) page.append(newTenantForm());

    const q = el('input', { type: 'search', name: 'q', placeholder: 'Name contains…', 'aria-label': 'Search tenants' });
    const results = el('div', { id: 'tenant-results' });
    const search = el('form', { class: 'inline', id: 'tenant-search', role: 'search' }, q,
      el('button', { type: 'submit', class: 'secondary' }, 'Search'));
    search.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
    page.append(section('All tenants', search, results));

    let rows = [];
    async function load(afterId) {
      if (!afterId) { rows = []; clear(results).append(loading()); }
      try {
        const batch = await get('/admin/tenants', { q: q.value, limit: PAGE, after_id: afterId });
        rows = rows.concat(batch);
        draw(batch.length === PAGE);
      } catch (e) {
        clear(results).append(failed(e));
      }
    }
    function draw(more) {
      clear(results).append(table([
        { label: 'ID', cell: t => String(t.id), num: true },
        { label: 'Name', cell: t => el('a', { href: `#/tenants/${t.id}` }, t.name) },
        { label: 'Balance (credits)', cell: t => int(t.balance), num: true },
        { label: 'Credit limit', cell: t => int(t.credit_limit), num: true },
        { label: 'Price multiplier', cell: t => dec(t.price_multiplier), num: true },
        { label: 'Created', cell: t => time(t.created_at) },
      ], rows, { id: 'tenants-table', empty: q.value.trim() ? 'No tenant matches.' : 'No tenants yet.',
        rowAttrs: t => ({ 'data-tenant-id': t.id }) }));
      if (more) {
        const btn = el('button', { type: 'button', class: 'secondary' }, 'Load more');
        btn.addEventListener('click', () => busy(btn, () => load(rows[rows.length - 1].id)));
        results.append(btn);
      }
    }
    await load();
  };
}

function newTenantForm() {
  const name = el('input', { name: 'name', maxlength: 200, required: true, autocomplete: 'off' });
  const fName = field('Name', name);
  const error = errorBox();
  const submit = el('button', { type: 'submit' }, 'Create tenant');
  const form = el('form', { id: 'new-tenant-form', class: 'inline-form', novalidate: true, 'data-write': '' },
    fName, submit, error);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    showError(error, null);
    const n = name.value.trim();
    if (!validate([[fName, !n ? 'Give the tenant a name.' : n.length > 200 ? 'At most 200 characters.' : null]])) return;
    busy(submit, async () => {
      try {
        const t = await api('POST', '/admin/tenants', { body: { name: n } });
        location.hash = `#/tenants/${t.id}`;
      } catch (e) {
        showError(error, e);
      }
    });
  });
  return section('New tenant', form);
}
