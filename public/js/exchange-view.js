// @ts-check
/**
 * The parts of one exchange as the inspector shows them: headers, bodies, Databricks' attempts,
 * and the request as a curl command (secrets stay redacted).
 */
import { compactJson, fmtMs, h, prettyJson, shq } from './dom.js';

export function headersTable(headers) {
  const entries = Object.entries(headers ?? {});
  if (entries.length === 0) return h('p', { class: 'muted small' }, 'no headers');
  return h(
    'table',
    { class: 'grid headers' },
    h(
      'tbody',
      {},
      entries.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, String(v)))),
    ),
  );
}

export function bodyBlock(body, text) {
  if (body !== undefined) return h('pre', { class: 'json' }, prettyJson(body));
  if (text !== undefined) return h('pre', { class: 'json' }, String(text));
  return h('p', { class: 'muted small' }, 'no body');
}

export function attemptsTable(ex) {
  const attempts = ex.attempts ?? [];
  if (attempts.length === 0) return h('p', { class: 'muted small' }, 'none recorded');
  return h(
    'table',
    { class: 'grid attempts' },
    h(
      'thead',
      {},
      h('tr', {}, h('th', {}, '#'), h('th', {}, 'waited before'), h('th', {}, 'answer'), h('th', {}, 'took')),
    ),
    h(
      'tbody',
      {},
      attempts.map((a) =>
        h(
          'tr',
          {},
          h('td', {}, String(a.n)),
          h('td', {}, fmtMs(a.waited_ms)),
          h('td', {}, a.status !== undefined ? String(a.status) : (a.error ?? '—')),
          h('td', {}, fmtMs(a.duration_ms)),
        ),
      ),
    ),
  );
}

/** The request as a curl command; secrets were redacted before recording and stay so. */
export function curlOf(ex) {
  const req = ex.request ?? {};
  const lines = [`curl -X ${req.method ?? 'GET'} ${shq(req.url ?? '')}`];
  for (const [k, v] of Object.entries(req.headers ?? {})) lines.push(`  -H ${shq(`${k}: ${v}`)}`);
  if (req.body !== undefined) lines.push(`  --data-raw ${shq(compactJson(req.body))}`);
  const redacted = JSON.stringify(req).includes('***redacted***');
  return `${redacted ? '# Secrets are shown as ***redacted***: put the real values in before running.\n' : ''}${lines.join(' \\\n')}`;
}
