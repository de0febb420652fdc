// @ts-check
/** A journey's status and steps in the Journeys page's run table: an id opens its steps, as in the HTML report. */
import { h } from './dom.js';

/** A journey's status as a badge kind. */
/** @type {Record<string, string>} */
export const STATUS_KIND = {
  passed: 'ok',
  failed: 'bad',
  skipped: 'muted',
  manual: 'info',
  running: 'warn',
  pending: 'muted',
};

/** An id in the run table opens (or closes) its journey's steps. @param {HTMLElement} button */
export function toggleSteps(button) {
  const details = /** @type {HTMLDetailsElement | null} */ (
    button.closest('tr')?.querySelector('details.steps') ?? null
  );
  if (!details) return;
  details.open = !details.open;
  button.setAttribute('aria-expanded', String(details.open));
}

/** @param {any} rep */
export function stepsDetail(rep) {
  return h(
    'details',
    { class: 'steps' },
    h('summary', {}, `${rep.steps.length} step${rep.steps.length > 1 ? 's' : ''}`),
    h(
      'ol',
      {},
      rep.steps.map((s) => {
        const errors = (s.violations ?? []).filter((v) => v.severity === 'error');
        return h(
          'li',
          {},
          s.name,
          ': ',
          s.response ? `HTTP ${s.response.status}` : (s.error ?? 'no answer'),
          s.attempts > 1 ? ` after ${s.attempts} attempts` : '',
          errors.length
            ? h(
                'ul',
                { class: 'violations' },
                errors.map((v) => h('li', { class: 'sev-error' }, h('code', {}, v.rule), ' ', v.message)),
              )
            : null,
        );
      }),
    ),
  );
}
