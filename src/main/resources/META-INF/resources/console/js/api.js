// The one way the console talks to the proxy: the documented admin API (the tenant API for a tenant user), JSON in and out, the JWT in the
// Authorization header. Errors come back in the API's shape {"error":{"code","message"}} and are thrown as ApiError.
import { session } from './session.js';

export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && String(v).trim() !== '') q.set(k, String(v).trim());
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

/** A model id in a path: each segment encoded, the slashes kept (the API takes {modelId: .+}). */
export function modelPath(id) {
  return id.split('/').map(encodeURIComponent).join('/');
}

/** A fresh Idempotency-Key; crypto.getRandomValues also works on plain http, unlike crypto.randomUUID. */
export function newIdempotencyKey() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map(x => x.toString(16).padStart(2, '0')).join('');
  return `console-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * @param opts.body JSON body; opts.headers extra headers; opts.raw answer the Response (for CSV)
 * @throws ApiError for any answer that is not 2xx; a 401 also ends the session
 */
export async function api(method, path, opts = {}) {
  const headers = { Accept: opts.raw ? '*/*' : 'application/json', ...(opts.headers || {}) };
  if (session.token) headers.Authorization = 'Bearer ' + session.token;
  let body;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body, cache: 'no-store', credentials: 'omit' });
  } catch (e) {
    throw new ApiError(0, 'network_error', 'The proxy could not be reached. Check the connection and try again.');
  }
  if (!res.ok) {
    let payload = null;
    try { payload = await res.json(); } catch (e) { /* not JSON */ }
    const err = payload && payload.error ? payload.error : {};
    if (res.status === 401 && path !== '/admin/login' && path !== '/v1/login') {
      session.expire();
      throw new ApiError(401, err.code || 'unauthorized', 'Your session has expired. Log in again.', payload);
    }
    const message = err.message || (res.status === 403
      ? 'Your role may not do this.'
      : `The proxy answered ${res.status}.`);
    throw new ApiError(res.status, err.code || 'http_' + res.status, message, payload);
  }
  if (opts.raw) return res;
  if (res.status === 204) return null;
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

export const get = (path, params) => api('GET', path + query(params));
