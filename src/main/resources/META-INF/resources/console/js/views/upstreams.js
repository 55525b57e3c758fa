// The upstream pool's fal accounts (admin and finance see them; only admins change them): health, why an account is
// disabled, fal's balance, jobs in flight, spend today; add an account (its key is shown nowhere after), change its
// weight and groups, enable or disable it, check it now, delete it (refused while one of its jobs is open).
import { api, get } from '../api.js';
import { session } from '../session.js';
import { busy, clear, dec, el, errorBox, failed, field, int, loading, section, showError, table, time, validate } from '../ui.js';

export function upstreamsView() {
  return async (page) => {
    page.append(el('h1', null, 'Upstreams'));
    page.append(el('p', { class: 'muted' }, 'The fal accounts submits go to, chosen by weight among the healthy ones. '
      + 'An account fal refuses (exhausted balance, locked, invalid key) is disabled with fal\'s reason and re-enabled '
      + 'once healthy; a rate-limited one cools down. Each job stays on the account that took it.'));
    const list = el('div', { id: 'upstreams-list' });
    const error = errorBox();
    page.append(section('Accounts', error, list));
    if (session.isAdmin) page.append(newUpstreamForm(load));

    async function load() {
      clear(list).append(loading());
      try {
        draw(await get('/admin/upstreams'));
      } catch (e) {
        clear(list).append(failed(e));
      }
    }

    function draw(rows) {
      const columns = [
        { label: 'ID', cell: u => String(u.id), num: true },
        { label: 'Name', cell: u => u.name + (u.from_fal_key ? ' (FAL_KEY)' : '') },
        { label: 'Key', cell: u => u.key_prefix },
        { label: 'Health', cell: u => el('span', { class: `health health-${u.health}` }, u.health.replace('_', ' ')) },
        { label: 'Why', cell: u => u.disabled_reason || (u.cooled_until ? `until ${time(u.cooled_until)}` : '') },
        { label: 'Last error', cell: u => u.last_error ? `${u.last_error} (${time(u.last_error_at)})` : '—' },
        { label: 'fal balance (USD)', cell: u => dec(u.balance_usd), num: true },
        { label: 'Checked', cell: u => time(u.balance_checked_at) },
        { label: 'Weight', cell: u => int(u.weight), num: true },
        { label: 'Groups', cell: u => u.groups.length ? u.groups.join(', ') : 'all others' },
        { label: 'Jobs in flight', cell: u => int(u.jobs_in_flight), num: true },
        { label: 'Jobs today', cell: u => int(u.jobs_today), num: true },
        { label: 'Spend today (USD)', cell: u => dec(u.spend_today_usd), num: true },
      ];
      if (session.isAdmin) columns.push({ label: 'Actions', cell: u => actions(u) });
      clear(list).append(table(columns, rows, { id: 'upstreams-table',
        empty: 'No account: submits go with FAL_KEY (or the sandbox).', rowAttrs: u => ({ 'data-upstream-id': u.id }) }));
    }

    function actions(u) {
      const act = (label, run) => {
        const b = el('button', { type: 'button', class: 'secondary', 'data-action': label.toLowerCase() }, label);
        b.addEventListener('click', () => busy(b, async () => {
          showError(error, null);
          try { await run(); await load(); } catch (e) { showError(error, e); }
        }));
        return b;
      };
      const weight = el('input', { type: 'number', min: 0, max: 1000, value: String(u.weight), 'aria-label': `Weight of ${u.name}`,
        class: 'narrow' });
      return el('div', { class: 'actions' },
        u.enabled
          ? act('Disable', () => api('PATCH', `/admin/upstreams/${u.id}`, { body: { enabled: false } }))
          : act('Enable', () => api('PATCH', `/admin/upstreams/${u.id}`, { body: { enabled: true } })),
        weight,
        act('Set weight', () => api('PATCH', `/admin/upstreams/${u.id}`, { body: { weight: Number(weight.value) } })),
        act('Check', () => api('POST', `/admin/upstreams/${u.id}/check`)),
        act('Delete', async () => {
          if (!confirm(`Delete the account ${u.name}?`)) return;
          await api('DELETE', `/admin/upstreams/${u.id}`);
        }));
    }

    await load();
  };
}

function newUpstreamForm(reload) {
  const name = el('input', { name: 'name', maxlength: 64, required: true, autocomplete: 'off' });
  const key = el('input', { name: 'key', type: 'password', required: true, autocomplete: 'off' });
  const weight = el('input', { name: 'weight', type: 'number', min: 0, max: 1000, value: '1' });
  const groups = el('input', { name: 'groups', autocomplete: 'off', placeholder: 'premium, vip' });
  const fName = field('Name', name);
  const fKey = field('fal key', key, 'key_id:key_secret; stored, never shown again');
  const fWeight = field('Weight', weight, '0 to 1000');
  const fGroups = field('Only for groups', groups, 'price group names, comma separated; empty: every group not limited');
  const error = errorBox();
  const submit = el('button', { type: 'submit' }, 'Add account');
  const form = el('form', { id: 'new-upstream-form', class: 'inline-form', novalidate: true, 'data-write': '' },
    fName, fKey, fWeight, fGroups, submit, error);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    showError(error, null);
    const n = name.value.trim();
    const w = Number(weight.value);
    if (!validate([
      [fName, !n ? 'Give the account a name.' : null],
      [fKey, key.value.length < 8 ? 'Paste the fal key.' : null],
      [fWeight, !Number.isInteger(w) || w < 0 || w > 1000 ? 'A whole number from 0 to 1000.' : null],
    ])) return;
    const g = groups.value.split(',').map(s => s.trim()).filter(Boolean);
    busy(submit, async () => {
      try {
        await api('POST', '/admin/upstreams', { body: { name: n, key: key.value, weight: w, groups: g } });
        key.value = '';
        name.value = '';
        await reload();
      } catch (e) {
        showError(error, e);
      }
    });
  });
  return section('Add a fal account', form);
}
