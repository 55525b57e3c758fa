// The console: a hash router over a handful of views. Operators (admin, finance) get the admin pages, calling the
// documented admin API only; a tenant user gets the portal (#/portal...), calling the documented tenant API only, and
// never an admin page: their links are hidden and their routes send it to the portal.
import { get } from './api.js';
import { session } from './session.js';
import { clear, el } from './ui.js';
import { loginView } from './views/login.js';
import { tenantsView } from './views/tenants.js';
import { tenantView } from './views/tenant.js';
import { modelsView } from './views/models.js';
import { reportsView } from './views/reports.js';
import { auditView } from './views/audit.js';
import { upstreamsView } from './views/upstreams.js';
import { accountView, keysView, ledgerView, usageView } from './views/portal.js';

const main = document.getElementById('main');
const top = document.getElementById('top');

const operatorRoutes = [
  [/^#\/tenants\/(\d+)$/, (m) => tenantView(Number(m[1])), 'tenants'],
  [/^#\/tenants$/, () => tenantsView(), 'tenants'],
  [/^#\/models$/, () => modelsView(), 'models'],
  [/^#\/reports$/, () => reportsView(), 'reports'],
  [/^#\/upstreams$/, () => upstreamsView(), 'upstreams'],
  [/^#\/audit$/, () => auditView(), 'audit'],
];
const tenantRoutes = [
  [/^#\/portal$/, () => accountView(), 'portal'],
  [/^#\/portal\/keys$/, () => keysView(), 'portal-keys'],
  [/^#\/portal\/usage$/, () => usageView(), 'portal-usage'],
  [/^#\/portal\/ledger$/, () => ledgerView(), 'portal-ledger'],
];

let generation = 0;

async function render() {
  const current = ++generation;
  if (!session.token) {
    top.hidden = true;
    document.getElementById('fal-low-balance').hidden = true;
    document.body.dataset.role = '';
    clear(main).append(loginView());
    return;
  }
  top.hidden = false;
  const side = session.isTenant ? 'tenant' : 'operator';
  const home = session.isTenant ? '#/portal' : '#/tenants';
  const routes = session.isTenant ? tenantRoutes : operatorRoutes;
  if (session.isTenant) {
    document.getElementById('fal-balance').hidden = true;
    document.getElementById('fal-low-balance').hidden = true;
  } else {
    showFalBalance();
  }
  document.body.dataset.role = session.role;
  document.getElementById('who-name').textContent = session.user;
  document.getElementById('who-role').textContent = session.role;
  document.querySelector('.brand').setAttribute('href', home);
  for (const a of document.querySelectorAll('#nav a')) a.hidden = a.dataset.side !== side;
  const hash = location.hash || home;
  const route = routes.find(([re]) => re.test(hash));
  if (!route) {
    location.hash = home;
    return;
  }
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', a.dataset.section === route[2]);
    if (a.dataset.section === route[2]) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  const page = el('div', { class: 'page', 'data-page': route[2] });
  clear(main).append(page);
  try {
    await route[1](hash.match(route[0]))(page, () => current !== generation);
  } catch (e) {
    if (current === generation && session.token) {
      page.append(el('div', { class: 'form-error', role: 'alert' }, e.message || String(e)));
    }
  }
}

/** The operator's fal credit balance in the header, and a banner while it is below the configured threshold. */
async function showFalBalance() {
  const where = document.getElementById('fal-balance');
  const banner = document.getElementById('fal-low-balance');
  let b;
  try {
    b = await get('/admin/fal/balance');
  } catch (e) {
    where.hidden = true;
    return;
  }
  where.hidden = b.balance_usd === null;
  where.textContent = b.balance_usd === null ? '' : `fal balance: ${b.balance_usd} ${b.currency || 'USD'}`;
  banner.hidden = !b.low;
  banner.textContent = b.low
    ? `The fal credit balance is low: ${b.balance_usd} ${b.currency || 'USD'}, below ${b.low_balance_usd} USD. `
      + 'Top up at fal before fal locks the account and every submit fails.'
    : '';
}

session.onChange(() => render());
window.addEventListener('hashchange', render);
document.getElementById('logout').addEventListener('click', () => session.logout());
session.load();
render();
