import { api } from '../api.js';
import { session } from '../session.js';
import { busy, el, errorBox, field, showError, validate } from '../ui.js';

/**
 * One login page for both sides of the console. The user says which account is theirs (a choice, not a guess: trying
 * one login after the other would count a failed login against the other side's throttle): an operator account
 * logs in at POST /admin/login, a tenant user at POST /v1/login. A link to #/portal preselects "Tenant".
 */
export function loginView() {
  const username = el('input', { name: 'username', autocomplete: 'username', required: true, maxlength: 100 });
  const password = el('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const fUser = field('User name', username);
  const fPass = field('Password', password);
  const error = errorBox();
  const submit = el('button', { type: 'submit' }, 'Log in');
  const notice = session.notice ? el('p', { class: 'notice', id: 'login-notice' }, session.notice) : null;
  const tenantFirst = (location.hash || '').startsWith('#/portal');
  const kind = (value, label, checked) => el('label', { class: 'choice' },
    el('input', { type: 'radio', name: 'account', value, checked }), ' ', label);
  const hint = el('p', { class: 'muted', id: 'login-hint' });
  const account = el('fieldset', { class: 'account-kind' }, el('legend', null, 'Account'),
    kind('operator', 'Operator (admin, finance)', !tenantFirst), kind('tenant', 'Tenant', tenantFirst));
  const chosen = () => account.querySelector('input[name=account]:checked').value;
  const explain = () => {
    hint.textContent = chosen() === 'tenant'
      ? 'Tenant users log in with the account their provider made for them: balance, keys, usage and ledger.'
      : 'Admins and finance log in with their admin-API account.';
  };
  account.addEventListener('change', explain);
  explain();

  const form = el('form', { class: 'login card', id: 'login-form', novalidate: true }, el('h1', null, 'credit-proxy console'),
    account, hint, notice, fUser, fPass, error, submit);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    showError(error, null);
    if (!validate([[fUser, username.value.trim() ? null : 'Enter your user name.'],
      [fPass, password.value ? null : 'Enter your password.']])) return;
    const tenant = chosen() === 'tenant';
    busy(submit, async () => {
      try {
        const answer = await api('POST', tenant ? '/v1/login' : '/admin/login',
          { body: { username: username.value.trim(), password: password.value } });
        password.value = '';
        if (!session.start(answer.token)) {
          showError(error, { message: 'This account has no console role (admin, finance or tenant).' });
        }
      } catch (e) {
        showError(error, e);
      }
    });
  });
  queueMicrotask(() => username.focus());
  return el('div', { class: 'login-wrap' }, form);
}
