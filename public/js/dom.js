// @ts-check
/**
 * DOM helpers. Every string reaches the page as a text node or through an attribute setter:
 * nothing here (or anywhere in the UI) assigns innerHTML, so partner-controlled text
 * (names, display_message, redirect_uri, connector names) is always shown literally.
 */

/**
 * h('button', {class: 'btn', onclick: fn, type: 'button'}, 'Label', child…)
 * attrs: class, text, dataset {}, on<event> functions, boolean/string attributes, or DOM
 * properties (value, checked, disabled…). Children: strings (text nodes), nodes, arrays, null.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : String(value);
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key.startsWith('on'))
      throw new Error(`Failed to set ${key}: event handlers must be functions. Expected no inline handler strings.`);
    else if (key === 'href' || key === 'src') el.setAttribute(key, String(value));
    else if (key in el && typeof value !== 'string') el[key] = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces the children of el. */
export function mount(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** The URL if it is http(s), else null: only such URLs are ever opened or linked. */
export function httpUrl(value) {
  if (typeof value !== 'string') return null;
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** A link opening in a new tab, never able to reach back to this page; null when not http(s). */
export function externalLink(url, label, cls) {
  const safe = httpUrl(url);
  if (!safe) return null;
  return h('a', { href: safe, target: '_blank', rel: 'noopener noreferrer', class: cls }, label);
}

/** JSON keys whose values are int64 ids: the API sends them as strings, the wire as integers. */
const INT64_KEYS = new Set([
  'workspace_id',
  'databricks_user_id',
  'databricks_organization_id',
  'user_id',
  'organization_id',
]);

/**
 * Pretty JSON as the partner saw it: int64 ids (decimal strings in the admin API) are written
 * as bare integers, digit for digit (never through Number, which would round them).
 */
export function prettyJson(value, indent = 2) {
  const pad = (n) => ' '.repeat(n * indent);
  const walk = (v, depth, key) => {
    if (typeof v === 'string' && key !== undefined && INT64_KEYS.has(key) && /^-?\d+$/.test(v)) return v;
    if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return `[\n${v.map((x) => pad(depth + 1) + walk(x, depth + 1)).join(',\n')}\n${pad(depth)}]`;
    }
    const entries = Object.entries(v);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, x]) => `${pad(depth + 1)}${JSON.stringify(k)}:${indent ? ' ' : ''}${walk(x, depth + 1, k)}`).join(',\n')}\n${pad(depth)}}`;
  };
  return walk(value, 0);
}

/** The same, on one line (for curl). */
export function compactJson(value) {
  return prettyJson(value, 0).replace(/\n/g, '');
}

export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function fmtDateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString([], {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export function fmtMs(ms) {
  if (typeof ms !== 'number') return '';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A definition list from [label, value] pairs (value: string or node; empty ones left out). */
export function dl(pairs, cls = 'kv') {
  return h(
    'dl',
    { class: cls },
    pairs
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
  );
}

export function badge(text, kind = '') {
  return h('span', { class: ['badge', kind && `badge-${kind}`] }, text);
}

let dialogReturnFocus = null;

/** Opens a modal <dialog> with the given content; Escape closes it (native), focus returns after. */
export function openDialog(dlg, ...content) {
  if (!dlg.open) dialogReturnFocus = document.activeElement;
  mount(dlg, ...content);
  if (!dlg.open) dlg.showModal();
  const first = dlg.querySelector('[autofocus]') ?? dlg.querySelector('button, [href], input, select, textarea');
  first?.focus();
  return dlg;
}

export function closeDialog(dlg) {
  if (dlg.open) dlg.close();
}

export function onDialogClosed(dlg, fn) {
  dlg.addEventListener('close', () => {
    fn();
    // The element may have been re-rendered meanwhile: the one with the same id stands for it.
    const target =
      dialogReturnFocus && !document.contains(dialogReturnFocus) && dialogReturnFocus.id
        ? document.getElementById(dialogReturnFocus.id)
        : dialogReturnFocus;
    if (target && document.contains(target)) target.focus();
    dialogReturnFocus = null;
  });
}

/** Shell-quotes a word for a POSIX shell (single quotes). */
export function shq(s) {
  return `'${String(s).replace(/'/g, `'\\''`)}'`;
}
