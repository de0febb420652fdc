// @ts-check
/**
 * Pieces the Partner Connect dialogs share: the category names, the logo, the dialog head, the
 * resources and verdict views, "Show the call in the inspector", and the dialog token that
 * tells a late answer its dialog was closed or replaced meanwhile.
 */
import { bus, $ } from '../state.js';
import { badge, closeDialog, dl, fmtDateTime, h, openDialog } from '../dom.js';

/** @type {Record<string, string>} */
export const CATEGORY_LABELS = {
  INGEST: 'Data ingestion',
  DATA_PREP_AND_TRANSFORM: 'Data preparation and transformation',
  SECURITY_AND_GOVERNANCE: 'Security and governance',
  BI_AND_VIZ: 'BI and visualisation',
  ML: 'Machine learning',
  DATA_QUALITY: 'Data quality',
  REVERSE_ETL: 'Reverse ETL',
  SEMANTIC_LAYER: 'Semantic layer',
  DATA_GOVERNANCE: 'Data governance',
};

let token = 0;
/** The current dialog's token; a new dialog (or closing one) makes the older tokens stale. */
export const dialogToken = () => token;
export const nextDialogToken = () => ++token;
bus.on('dialog-closed', () => void ++token);

export const dlg = () => /** @type {HTMLDialogElement} */ ($('dlg'));

/** @param {string} name */
export function initials(name) {
  const words = String(name)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  return (words.length > 1 ? words[0][0] + words[1][0] : (words[0] ?? '?').slice(0, 2)).toUpperCase();
}

/** @param {string} text */
function hue(text) {
  let n = 0;
  for (const ch of String(text)) n = (n * 31 + ch.codePointAt(0)) % 360;
  return n;
}

/** @param {{name: string}} p @param {string} [size] */
export function logo(p, size = '') {
  return h('span', { class: ['logo', size, `hue-${hue(p.name) % 12}`], 'aria-hidden': 'true' }, initials(p.name));
}

/** @param {any} p @param {any} [extra] */
export function dialogHead(p, extra) {
  return h(
    'div',
    { class: 'dlg-head' },
    logo(p, 'big'),
    h(
      'div',
      { class: 'dlg-title' },
      h('h2', { id: 'dlg-title' }, p.name),
      extra ? h('div', { class: 'dlg-sub' }, extra) : null,
    ),
    h(
      'button',
      { type: 'button', class: 'btn icon ghost', 'aria-label': 'Close', onclick: () => closeDialog(dlg()) },
      '✕',
    ),
  );
}

/** @param {any} r */
export function resourcesView(r) {
  if (!r) return h('p', { class: 'muted' }, 'No resources recorded.');
  return dl([
    ['Service principal', h('code', {}, r.service_principal_id)],
    [
      'Personal access token',
      r.pat !== undefined ? h('code', { class: 'secret', title: 'secrets are never shown' }, r.pat) : undefined,
    ],
    [
      'OAuth secret',
      r.oauth_secret !== undefined
        ? h('code', { class: 'secret', title: 'secrets are never shown' }, r.oauth_secret)
        : undefined,
    ],
    ['OAuth U2M app', r.u2m_app_id ? h('code', {}, r.u2m_app_id) : undefined],
    [
      'SQL warehouse',
      r.warehouse ? [h('code', {}, r.warehouse.id), ' · ', h('code', {}, r.warehouse.http_path)] : undefined,
    ],
    ['Cluster', r.cluster ? h('code', {}, r.cluster.id) : undefined],
    ['Catalog', r.catalog_name],
    ['Destination location', r.destination_location ? h('code', {}, r.destination_location) : undefined],
    [
      'Status',
      r.status === 'active'
        ? badge('active', 'ok')
        : badge(`${r.status}${r.deleted_at ? ` ${fmtDateTime(r.deleted_at)}` : ''}`, 'muted'),
    ],
  ]);
}

/** @param {any[] | undefined} violations */
export function violationsList(violations) {
  if (!violations || violations.length === 0) return null;
  return h(
    'ul',
    { class: 'violations' },
    violations.map((v) =>
      h(
        'li',
        { class: `sev-${v.severity}` },
        badge(v.severity, v.severity === 'error' ? 'bad' : 'warn'),
        ' ',
        h('code', {}, v.rule),
        ' ',
        v.message,
      ),
    ),
  );
}

/** @param {any} verdict */
export function verdictLine(verdict) {
  if (!verdict) return null;
  const parts = [verdict.compliant ? badge('follows the contract', 'ok') : badge('breaks the contract', 'bad')];
  if (verdict.status !== undefined && verdict.status !== null)
    parts.push(' HTTP ', h('strong', {}, String(verdict.status)));
  if (verdict.error_reason) parts.push(' · ', h('code', {}, verdict.error_reason));
  if (verdict.attempts > 1) parts.push(` · ${verdict.attempts} attempts`);
  if (verdict.network_error) parts.push(' · ', verdict.network_error);
  return h('p', { class: 'verdict' }, parts);
}

/**
 * Shows the call in the inspector and closes the dialog, which would cover it.
 * @param {string[] | undefined} ids
 */
export function inspectButton(ids, label = 'Show the call in the inspector') {
  if (!ids || ids.length === 0) return null;
  return h(
    'button',
    {
      type: 'button',
      class: 'btn ghost',
      id: 'show-in-inspector',
      onclick: () => (closeDialog(dlg()), bus.emit('inspect', ids[ids.length - 1])),
    },
    label,
  );
}

/** @param {any} p @param {string} message */
export function showApiError(p, message) {
  openDialog(
    dlg(),
    dialogHead(p, 'pcsim could not make the call'),
    h('div', { class: 'screen screen-error' }, h('p', {}, message)),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'btn primary', onclick: () => closeDialog(dlg()) }, 'Close'),
    ),
  );
}
