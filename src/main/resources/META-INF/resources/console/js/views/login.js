import { api } from '../api.js';
import { session } from '../session.js';
import { busy, el, errorBox, field, showError, validate } from '../ui.js';

export function loginView() {
  const username = el('input', { name: 'username', autocomplete: 'username', required: true, maxlength: 100 });
  const password = el('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const fUser = field('User name', username);
  const fPass = field('Password', password);
  const error = errorBox();
  const submit = el('button', { type: 'submit' }, 'Log in');
  const notice = session.notice ? el('p', { class: 'notice', id: 'login-notice' }, session.notice) : null;

  const form = el('form', { class: 'login card', id: 'login-form', novalidate: true }, el('h1', null, 'credit-proxy console'),
    el('p', { class: 'muted' }, 'Admins and finance log in with their admin-API account.'),
    notice, fUser, fPass, error, submit);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    showError(error, null);
    if (!validate([[fUser, username.value.trim() ? null : 'Enter your user name.'],
      [fPass, password.value ? null : 'Enter your password.']])) return;
    busy(submit, async () => {
      try {
        const answer = await api('POST', '/admin/login', { body: { username: username.value.trim(), password: password.value } });
        password.value = '';
        if (!session.start(answer.token)) {
          showError(error, { message: 'This account has no console role (admin or finance).' });
        }
      } catch (e) {
        showError(error, e);
      }
    });
  });
  queueMicrotask(() => username.focus());
  return el('div', { class: 'login-wrap' }, form);
}
