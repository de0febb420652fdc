// @ts-check
/**
 * The Journeys page: run the catalogue (or chosen journeys) against a partner with live
 * progress and the verdicts of `pcsim run`, and the checklist of the manual journeys whose
 * ticks are saved on the server.
 */
import { api, reportUrl } from './api.js';
import { $, bus, notify, partnerDetail, state } from './state.js';
import { badge, fmtMs, h, mount } from './dom.js';
import { STATUS_KIND, stepsDetail, toggleSteps } from './journey-steps.js';
import { renderChecklist } from './checklist.js';

let partnerId = localStorage.getItem('pcsim.journeys.partner') ?? '';
/** @type {string | null} */
let runId = null;
/** The run as GET /api/runs/{run} (or a `run` event, without the report) answers. @type {any} */
let runView = null;
/** The journeys ticked in the chooser, kept across re-renders and runs. @type {Set<string> | null} */
let picked = null;
let strict = localStorage.getItem('pcsim.journeys.strict') === 'true';

/** The newest `run` event of each run: one may arrive before POST /api/runs has answered with its id. @type {Map<string, any>} */
const latest = new Map();

/** Progress comes over the event stream (`run` events); the report is fetched once at the end. */
export function initJourneys() {
  bus.on('run', async (/** @type {any} */ r) => {
    latest.set(r.run_id, r);
    if (latest.size > 20) latest.delete(latest.keys().next().value);
    if (r.run_id !== runId) return;
    const wasRunning = runView?.status === 'running';
    runView = { ...runView, ...r };
    if (r.status !== 'running') {
      const full = await api.run(r.run_id);
      if (full.ok && full.value.run_id === runId) runView = full.value;
    }
    const box = $('run-box');
    if (!box || !document.contains(box)) return;
    if (wasRunning && runView.status !== 'running') void renderJourneys();
    else renderProgress($('run-progress'));
  });
}

/** @param {string} [_hash] */
export async function renderJourneys(_hash) {
  const view = $('view-journeys');
  if (!state.partners.some((p) => p.id === partnerId)) partnerId = state.partners[0]?.id ?? '';
  const head = h(
    'div',
    { class: 'view-head' },
    h('h1', { id: 'h-journeys' }, 'Journeys'),
    h(
      'p',
      { class: 'lead' },
      'The onboarding test cases. Automated ones run here exactly as ',
      h('code', {}, 'pcsim run'),
      ' runs them (fresh throw-away workspaces; yours are not touched). The manual ones are a checklist you tick by hand while clicking through the Partner Connect page.',
    ),
  );
  if (!partnerId) {
    mount(view, head, h('p', { class: 'empty' }, 'No partner is registered.'));
    return;
  }
  const select = h(
    'select',
    {
      id: 'journeys-partner',
      onchange: (/** @type {Event} */ ev) => {
        partnerId = /** @type {HTMLSelectElement} */ (ev.target).value;
        localStorage.setItem('pcsim.journeys.partner', partnerId);
        runId = null;
        runView = null;
        picked = null;
        void renderJourneys();
      },
    },
    state.partners.map((p) => h('option', { value: p.id, selected: p.id === partnerId }, p.name)),
  );
  const runBox = h('section', { class: 'panel', id: 'run-box', 'aria-labelledby': 'h-run' });
  const checkBox = h('section', { class: 'panel', 'aria-labelledby': 'h-check' });
  mount(
    view,
    head,
    h('label', { class: 'field inline' }, h('span', { class: 'field-label' }, 'Partner'), select),
    h('div', { class: 'journeys-cols' }, runBox, checkBox),
  );
  const [p, checklist] = await Promise.all([partnerDetail(partnerId, true), api.checklist(partnerId)]);
  if (!p.ok) return notify(p.error.message);
  renderRunBox(runBox, p.value);
  renderChecklist(checkBox, checklist, partnerId);
}

/* -------------------------------------------------------------- the run */

/** @param {HTMLElement} box @param {any} p */
function renderRunBox(box, p) {
  const journeys = p.journeys ?? [];
  const runnable = journeys.filter((/** @type {any} */ j) => j.status === 'runs');
  if (!picked || ![...picked].every((id) => runnable.some((/** @type {any} */ j) => j.id === id)))
    picked = new Set(runnable.map((/** @type {any} */ j) => j.id));
  const chosen = /** @type {Set<string>} */ (picked);
  const running = runView?.status === 'running';
  const count = h('span', { class: 'muted small', id: 'picked-count' });
  const runSelected = /** @type {HTMLButtonElement} */ (
    h('button', { type: 'button', class: 'btn', id: 'run-selected', onclick: () => start([...chosen]) }, 'Run selected')
  );
  // An empty selection runs nothing: the button is off and says why (the API would run the whole catalogue).
  const sync = () => {
    runSelected.disabled = running || chosen.size === 0;
    runSelected.title =
      chosen.size === 0 ? 'Tick at least one journey under Choose journeys' : `Run the ${chosen.size} ticked journeys`;
    count.textContent = `${chosen.size} of ${runnable.length} ticked`;
  };
  const list = h(
    'ul',
    { class: 'journey-picks' },
    journeys.map((/** @type {any} */ j) => {
      const cb = h('input', {
        type: 'checkbox',
        value: j.id,
        id: `pick-${j.id}`,
        checked: j.status === 'runs' && chosen.has(j.id),
        disabled: j.status !== 'runs',
        onchange: (/** @type {Event} */ ev) => {
          if (/** @type {HTMLInputElement} */ (ev.target).checked) chosen.add(j.id);
          else chosen.delete(j.id);
          sync();
        },
      });
      return h(
        'li',
        { class: `pick-${j.status}` },
        h('label', { class: 'check' }, cb, ' ', h('strong', {}, j.id), ' ', j.title),
        j.status === 'skipped'
          ? h('span', { class: 'hint' }, `skipped: ${j.reason ?? ''}`)
          : j.status === 'manual'
            ? h(
                'span',
                { class: 'hint' },
                j.reason ? `manual for this config: ${j.reason}` : 'manual: see the checklist',
              )
            : null,
      );
    }),
  );
  const setAll = (/** @type {boolean} */ on) => {
    for (const j of runnable) {
      if (on) chosen.add(j.id);
      else chosen.delete(j.id);
    }
    for (const cb of list.querySelectorAll('input:not(:disabled)')) /** @type {HTMLInputElement} */ (cb).checked = on;
    sync();
  };
  const progress = h('div', { id: 'run-progress', 'aria-live': 'polite' });
  // Scenario files are read in the browser and sent as text: the server checks them all before anything runs.
  const files = h('input', {
    type: 'file',
    id: 'scenario-files',
    accept: '.yaml,.yml,.json',
    multiple: true,
    hidden: true,
    onchange: async (/** @type {Event} */ ev) => {
      const input = /** @type {HTMLInputElement} */ (ev.target);
      const list = [...(input.files ?? [])];
      input.value = '';
      if (list.length)
        await start([], await Promise.all(list.map(async (f) => ({ file: f.name, text: await f.text() }))));
    },
  });
  /** @param {string[]} ids @param {{file: string, text: string}[]} [scenarios] */
  const start = async (ids, scenarios) => {
    const r = await api.startRun(p.id, ids, scenarios, strict);
    if (!r.ok) {
      const problems = r.error.details?.problems;
      mount(
        progress,
        Array.isArray(problems)
          ? h(
              'div',
              { class: 'note note-bad', id: 'scenario-problems' },
              h(
                'p',
                {},
                `The scenario files cannot be run (${problems.length} problem${problems.length > 1 ? 's' : ''}; nothing was sent):`,
              ),
              h(
                'ul',
                { class: 'problems' },
                problems.map((x) =>
                  h(
                    'li',
                    {},
                    h('code', {}, `${x.file}:${x.line}:${x.col}`),
                    ' ',
                    x.path ? h('strong', {}, x.path) : null,
                    ' ',
                    x.message,
                  ),
                ),
              ),
            )
          : h('div', { class: 'note note-bad' }, r.error.message),
      );
      return;
    }
    runId = r.value.run_id;
    // An event that came first is newer than the answer: the run had started already.
    const early = latest.get(runId);
    runView = early && early.progress.done >= r.value.progress.done ? { ...r.value, ...early } : r.value;
    if (runView.status !== 'running') {
      const full = await api.run(runId);
      if (full.ok) runView = full.value;
    }
    renderRunBox(box, p);
  };
  mount(
    box,
    h('h2', { id: 'h-run' }, 'Run the automated journeys'),
    h(
      'p',
      { class: 'muted small' },
      `${runnable.length} of ${journeys.length} journeys run automatically for ${p.name}. Their calls appear in the inspector, tagged with the run.`,
    ),
    h(
      'div',
      { class: 'actions left' },
      h(
        'button',
        { type: 'button', class: 'btn primary', id: 'run-all', disabled: running, onclick: () => start([]) },
        running ? 'Running…' : 'Run all',
      ),
      runSelected,
      h(
        'button',
        {
          type: 'button',
          class: 'btn',
          id: 'run-scenarios',
          disabled: running,
          title:
            'Run scenario files (YAML or JSON, as pcsim run --scenario): your own sequences, or ones saved from the inspector',
          onclick: () => files.click(),
        },
        'Run scenario files…',
      ),
      files,
      h(
        'label',
        { class: 'check', title: 'As pcsim run --strict: a warning fails the journey' },
        h('input', {
          type: 'checkbox',
          id: 'run-strict',
          checked: strict,
          onchange: (/** @type {Event} */ ev) => {
            strict = /** @type {HTMLInputElement} */ (ev.target).checked;
            localStorage.setItem('pcsim.journeys.strict', String(strict));
          },
        }),
        ' Strict (warnings fail)',
      ),
    ),
    h(
      'details',
      { class: 'picks', id: 'journey-chooser', open: chosen.size !== runnable.length },
      h('summary', {}, 'Choose journeys ', count),
      h(
        'div',
        { class: 'actions left' },
        h('button', { type: 'button', class: 'btn small', id: 'pick-all', onclick: () => setAll(true) }, 'All'),
        h('button', { type: 'button', class: 'btn small', id: 'pick-none', onclick: () => setAll(false) }, 'None'),
      ),
      list,
    ),
    progress,
  );
  sync();
  if (runView) renderProgress(progress);
}

/** @param {HTMLElement | null} el */
function renderProgress(el) {
  if (!el || !runView) return;
  const r = runView;
  const s = r.report?.summary;
  const head =
    r.status === 'running'
      ? h(
          'p',
          { class: 'run-running' },
          h('span', { class: 'spinner small', 'aria-hidden': 'true' }),
          r.stop_requested_at
            ? ` Stopping after the call under way… ${r.progress.done} of ${r.progress.total} done.`
            : ` Running ${r.progress.current ?? ''}… ${r.progress.done} of ${r.progress.total} done.`,
          ' ',
          r.stop_requested_at
            ? null
            : h(
                'button',
                {
                  type: 'button',
                  class: 'btn small',
                  id: 'run-stop',
                  onclick: async (/** @type {Event} */ ev) => {
                    /** @type {HTMLButtonElement} */ (ev.target).disabled = true;
                    const stopped = await api.stopRun(r.run_id);
                    if (!stopped.ok) notify(stopped.error.message);
                    else if (runView?.run_id === stopped.value.run_id) {
                      runView = stopped.value;
                      renderProgress($('run-progress'));
                    }
                  },
                },
                'Stop',
              ),
        )
      : r.status === 'crashed'
        ? h('div', { class: 'note note-bad' }, r.error ?? 'The run stopped.')
        : h(
            'p',
            { class: 'summary', id: 'run-summary' },
            r.status === 'stopped' ? 'Stopped after ' : 'Finished in ',
            fmtMs(r.report?.duration_ms),
            ': ',
            badge(`${s.passed} passed`, 'ok'),
            ' ',
            badge(`${s.failed} failed`, s.failed ? 'bad' : 'muted'),
            ' ',
            badge(`${s.skipped} skipped`, 'muted'),
            ' ',
            badge(`${s.manual} manual`, 'info'),
            h(
              'span',
              { class: 'report-links small' },
              ' Report: ',
              ['html', 'json', 'junit'].map((f, i) => {
                const name = f === 'junit' ? 'JUnit' : f.toUpperCase();
                const what = `the ${f === 'junit' ? 'JUnit XML' : name} report pcsim run --reporter ${f}:PATH writes`;
                return [
                  i ? ' · ' : '',
                  h(
                    'a',
                    {
                      href: reportUrl(r.run_id, f),
                      target: '_blank',
                      rel: 'noopener',
                      id: `run-report-${f}`,
                      title: `Open ${what}`,
                    },
                    name,
                  ),
                  ' ',
                  h(
                    'a',
                    {
                      href: reportUrl(r.run_id, f, true),
                      download: '',
                      id: `run-report-${f}-download`,
                      title: `Save ${what}`,
                      'aria-label': `Save ${name}`,
                    },
                    '⤓',
                  ),
                ];
              }),
            ),
          );
  const reports = new Map((r.report?.journeys ?? []).map((j) => [j.id, j]));
  mount(
    el,
    head,
    h(
      'table',
      { class: 'grid run-table' },
      h(
        'thead',
        {},
        h('tr', {}, h('th', {}, 'journey'), h('th', {}, 'verdict'), h('th', {}, 'why'), h('th', {}, 'took')),
      ),
      h(
        'tbody',
        {},
        r.journeys.map((j) => {
          const rep = reports.get(j.id);
          return h(
            'tr',
            { dataset: { journey: j.id, status: j.status } },
            h(
              'td',
              { class: 'journey-cell' },
              rep && rep.steps?.length
                ? h(
                    'button',
                    {
                      type: 'button',
                      class: 'link-button journey-id',
                      'aria-expanded': 'false',
                      onclick: (/** @type {Event} */ ev) => toggleSteps(/** @type {HTMLElement} */ (ev.currentTarget)),
                    },
                    j.id,
                  )
                : h('strong', { class: 'journey-id' }, j.id),
              ' ',
              h('span', { class: 'muted' }, j.title),
            ),
            h('td', {}, badge(j.status, STATUS_KIND[j.status] ?? 'muted')),
            h('td', { class: 'small' }, j.reason ?? '', rep && rep.steps?.length ? stepsDetail(rep) : null),
            h('td', { class: 'small' }, j.duration_ms !== undefined ? fmtMs(j.duration_ms) : ''),
          );
        }),
      ),
    ),
  );
}
