// The JWT (an admin's, or a tenant user's from POST /v1/login) lives in sessionStorage only (gone when the tab closes, never in a URL or a cookie), with the
// user name, role and expiry read from its claims. The server checks the signature; this only decides what to show.
const STORAGE_KEY = 'credit-proxy.console.token';
const listeners = new Set();
let timer = null;

function decodeClaims(token) {
  const parts = String(token).split('.');
  if (parts.length !== 3) return null;
  try {
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(b64 + '='.repeat((4 - b64.length % 4) % 4)), c => c.charCodeAt(0)));
    return JSON.parse(json);
  } catch (e) {
    return null;
  }
}

export const session = {
  token: null,
  user: null,
  role: null,
  expiresAt: null,
  /** why the last session ended, shown once on the login page */
  notice: null,

  get isAdmin() { return this.role === 'admin'; },
  /** a tenant user: the portal only, never an admin page */
  get isTenant() { return this.role === 'tenant'; },

  /** Restores a token kept by this tab; an expired or unreadable one is dropped. */
  load() {
    const token = sessionStorage.getItem(STORAGE_KEY);
    if (token && !this.start(token, false)) {
      this.notice = 'Your session has expired. Log in again.';
    }
  },

  /** @return false when the token is unusable (unreadable, no console role (admin, finance, tenant), or already expired) */
  start(token, fresh = true) {
    const claims = decodeClaims(token);
    const groups = claims && Array.isArray(claims.groups) ? claims.groups : [];
    const role = groups.includes('admin') ? 'admin' : groups.includes('finance') ? 'finance'
      : groups.includes('tenant') ? 'tenant' : null;
    const expiresAt = claims && typeof claims.exp === 'number' ? claims.exp * 1000 : null;
    if (!role || (expiresAt !== null && expiresAt <= Date.now())) {
      this.clear();
      return false;
    }
    this.token = token;
    this.user = claims.upn || claims.preferred_username || claims.sub || '?';
    this.role = role;
    this.expiresAt = expiresAt;
    this.notice = null;
    sessionStorage.setItem(STORAGE_KEY, token);
    clearTimeout(timer);
    if (expiresAt !== null) {
      // setTimeout holds at most 2^31-1 ms; a longer token is checked again then
      const wait = Math.min(expiresAt - Date.now(), 2147483647);
      timer = setTimeout(() => (Date.now() >= this.expiresAt ? this.expire() : this.start(this.token, false)), wait);
    }
    if (fresh) listeners.forEach(fn => fn('login'));
    return true;
  },

  clear() {
    clearTimeout(timer);
    this.token = this.user = this.role = this.expiresAt = null;
    sessionStorage.removeItem(STORAGE_KEY);
  },

  logout() {
    this.clear();
    this.notice = 'You have logged out.';
    listeners.forEach(fn => fn('logout'));
  },

  /** The token ran out (or the server refused it): back to the login page. */
  expire() {
    if (!this.token) return;
    this.clear();
    this.notice = 'Your session has expired. Log in again.';
    listeners.forEach(fn => fn('expired'));
  },

  onChange(fn) { listeners.add(fn); },
};
