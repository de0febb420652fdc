// @ts-check
/**
 * The Connect dialog's reading of the partner's answer: each attempt of Databricks' retries, the
 * answer's key fields, the redirect_uri check, the retries a user sat through, and the Launch link
 * (only for an http(s) redirect_uri).
 */
import { badge, fmtMs, h, httpUrl } from '../dom.js';

/** @param {any} a */
export function attemptLine(a) {
  const answer = a.status !== undefined ? `HTTP ${a.status}` : (a.error ?? 'no answer');
  const next = a.retry_in_ms !== undefined ? ` Databricks retries in ${(a.retry_in_ms / 1000).toFixed(1)} s.` : '';
  return `Attempt ${a.n} of ${a.of}: ${answer} after ${fmtMs(a.duration_ms)}.${next}`;
}

/** @param {any} p @param {string | undefined} uri @param {string} [label] */
export function launchLink(p, uri, label) {
  const safe = httpUrl(uri);
  if (!uri) return h('p', { class: 'note' }, 'The partner sent no redirect_uri: there is nothing to open.');
  if (!safe) {
    return h(
      'div',
      { class: 'note note-bad', id: 'launch-refused' },
      h(
        'p',
        {},
        'pcsim will not open this redirect_uri: it is not an http(s) URL. Databricks opens only web pages; the partner must send an https:// address on one of its hostnames.',
      ),
      h('code', { class: 'wrap' }, uri),
    );
  }
  return h(
    'a',
    { href: safe, target: '_blank', rel: 'noopener noreferrer', class: 'btn primary launch', id: 'launch' },
    label ?? `Launch ${p.name} ↗`,
  );
}

export function answerFacts(answer) {
  const b = answer?.response?.body;
  if (!b || typeof b !== 'object') return null;
  const facts = ['redirect_value', 'user_status', 'account_status', 'configured_resources', 'connection_id']
    .filter((k) => b[k] !== undefined)
    .map((k) =>
      h(
        'span',
        { class: 'fact' },
        h('span', { class: 'muted' }, `${k}: `),
        h('code', {}, typeof b[k] === 'string' ? b[k] : JSON.stringify(b[k])),
      ),
    );
  return facts.length ? h('p', { class: 'facts' }, facts) : null;
}

export function redirectCheck(answer) {
  const rc = answer?.redirect;
  if (!rc) return null;
  const ok = typeof rc.status === 'number' && rc.status >= 200 && rc.status < 400;
  return h(
    'p',
    { class: 'small' },
    ok ? badge(`page answers ${rc.status}`, 'ok') : badge(`page failed: ${rc.error ?? rc.status}`, 'bad'),
    ' pcsim opened the redirect_uri once to check it.',
  );
}

/** A success that needed retries is worth knowing: a real user waited through the back-off. */
export function retriesNote(answer) {
  const tries = answer?.attempts ?? [];
  if (tries.length < 2) return null;
  const failed = tries
    .slice(0, -1)
    .map((t) => (t.status !== undefined ? `HTTP ${t.status}` : (t.error ?? 'no answer')));
  return h(
    'p',
    { class: 'warn small', id: 'connect-retries' },
    `Databricks tried ${tries.length} times: the partner answered ${failed.join(', ')} first, and the user waited ${fmtMs(tries.reduce((n, t) => n + (t.waited_ms ?? 0), 0))} of back-off.`,
  );
}
