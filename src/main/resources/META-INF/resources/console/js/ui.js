// Small DOM helpers. Everything from the API is put in the page as text (textContent), never as HTML.

/** el('div', {class: 'x', onclick: fn}, 'text', child, [more]) */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k === 'value') node.value = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(node, c);
    else node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** Whole numbers with thousands separators; credits stay below 2^53, so Number is exact here. */
export function int(n) {
  if (n === null || n === undefined) return '—';
  return Number(n).toLocaleString('en-US');
}

/** A signed amount: +100,000 / −1,500 */
export function signed(n) {
  const v = Number(n);
  return (v > 0 ? '+' : v < 0 ? '−' : '') + Math.abs(v).toLocaleString('en-US');
}

/** A decimal string from the API, shown as it is (exact), with thousands separators on its whole part. */
export function dec(s) {
  if (s === null || s === undefined) return '—';
  const [whole, frac] = String(s).split('.');
  const neg = whole.startsWith('-');
  const digits = (neg ? whole.slice(1) : whole).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (neg ? '−' : '') + digits + (frac ? '.' + frac : '');
}

/** An ISO time in the browser's zone, YYYY-MM-DD HH:MM:SS. */
export function time(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (isNaN(d)) return String(iso);
  const p = n => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A table in a horizontally scrolling box (phone width), with a row per item. */
export function table(columns, rows, opts = {}) {
  const head = el('tr', null, columns.map(c => el('th', { scope: 'col', class: c.num ? 'num' : null }, c.label)));
  const body = rows.length
    ? rows.map(r => el('tr', opts.rowAttrs ? opts.rowAttrs(r) : null,
        columns.map(c => el('td', { class: c.num ? 'num' : null, 'data-label': c.label }, c.cell(r)))))
    : [el('tr', null, el('td', { colspan: columns.length, class: 'empty' }, opts.empty || 'Nothing yet.'))];
  return el('div', { class: 'table-wrap' },
    el('table', { class: opts.class || null, id: opts.id || null }, el('thead', null, head), el('tbody', null, body)));
}

export function section(title, ...children) {
  return el('section', { class: 'card' }, el('h2', null, title), ...children);
}

/** The API's error message (and code) in a form, as an alert. */
export function showError(box, err) {
  clear(box);
  if (!err) { box.hidden = true; return; }
  box.hidden = false;
  box.append(el('strong', null, err.message || String(err)));
  if (err.code && err.status) box.append(el('span', { class: 'code' }, ` (${err.status} ${err.code})`));
}

export function errorBox() {
  return el('div', { class: 'form-error', role: 'alert', hidden: true });
}

/** A labelled input with a place for its validation message. */
export function field(label, input, hint) {
  const msg = el('div', { class: 'field-error', hidden: true });
  input.addEventListener('input', () => { msg.hidden = true; input.removeAttribute('aria-invalid'); });
  const wrap = el('label', { class: 'field' }, el('span', { class: 'label' }, label), input,
    hint ? el('span', { class: 'hint' }, hint) : null, msg);
  wrap.invalid = text => { msg.textContent = text; msg.hidden = false; input.setAttribute('aria-invalid', 'true'); };
  return wrap;
}

/**
 * Runs checks [[fieldWrap, message or null], ...]; marks each failing field.
 * @return true when every check passed (the form may be sent)
 */
export function validate(checks) {
  let ok = true;
  for (const [wrap, problem] of checks) {
    if (problem) { wrap.invalid(problem); ok = false; }
  }
  return ok;
}

/** Disables a button while an action runs, so a double click never sends twice. */
export async function busy(button, action) {
  button.disabled = true;
  try { return await action(); } finally { button.disabled = false; }
}

export function loading() {
  return el('p', { class: 'muted' }, 'Loading…');
}

/** A failed page load: the API's message, inside the page. */
export function failed(err) {
  const box = errorBox();
  showError(box, err);
  return box;
}
