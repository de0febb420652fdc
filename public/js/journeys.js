/**
 * The Journeys page: run the catalogue (or chosen journeys) against a partner with live
 * progress and the verdicts of `pcsim run`, and the checklist of the manual journeys whose
 * ticks are saved on the server.
 */
import { api } from './api.js';
import { notify, partnerDetail, state } from './app.js';
import { badge, fmtDateTime, fmtMs, h, mount } from './dom.js';

const $ = (id) => document.getElementById(id);
const POLL_MS = 400;

let partnerId = localStorage.getItem('pcsim.journeys.partner') ?? '';
let runId = null;
let runView = null;
let pollTimer = null;

export function initJourneys() {}

const STATUS_KIND = { passed: 'ok', failed: 'bad', skipped: 'muted', manual: 'info', running: 'warn', pending: 'muted' };

export async function renderJourneys() {
  const view = $('view-journeys');
  if (!state.partners.some((p) => p.id === partnerId)) partnerId = state.partners[0]?.id ?? '';
  const head = h(
    'div',
    { class: 'view-head' },
    h('h1', { id: 'h-journeys' }, 'Journeys'),
    h('p', { class: 'lead' }, "The onboarding test cases. Automated ones run here exactly as ", h('code', {}, 'pcsim run'), ' runs them (fresh throw-away workspaces; yours are not touched). The manual ones are a checklist you tick by hand while clicking through the Partner Connect page.'),
  );
  if (!partnerId) {
    mount(view, head, h('p', { class: 'empty' }, 'No partner is registered.'));
    return;
  }
  const select = h(
    'select',
    {
      id: 'journeys-partner',
      onchange: (ev) => {
        partnerId = ev.target.value;
        localStorage.setItem('pcsim.journeys.partner', partnerId);
        runId = null;
        runView = null;
        renderJourneys();
      },
    },
    state.partners.map((p) => h('option', { value: p.id, selected: p.id === partnerId }, p.name)),
  );
  const runBox = h('section', { class: 'panel', 'aria-labelledby': 'h-run' });
  const checkBox = h('section', { class: 'panel', 'aria-labelledby': 'h-check' });
  mount(view, head, h('label', { class: 'field inline' }, h('span', { class: 'field-label' }, 'Partner'), select), h('div', { class: 'journeys-cols' }, runBox, checkBox));
  const [p, checklist] = await Promise.all([partnerDetail(partnerId, true), api.checklist(partnerId)]);
  if (!p.ok) return notify(p.error.message);
  renderRunBox(runBox, p.value);
  renderChecklist(checkBox, checklist);
}

/* -------------------------------------------------------------- the run */

function renderRunBox(box, p) {
  const journeys = p.journeys ?? [];
  const runnable = journeys.filter((j) => j.status === 'runs');
  const boxes = new Map();
  const list = h(
    'ul',
    { class: 'journey-picks' },
    journeys.map((j) => {
      const cb = h('input', { type: 'checkbox', value: j.id, checked: j.status === 'runs', disabled: j.status !== 'runs' });
      if (j.status === 'runs') boxes.set(j.id, cb);
      return h(
        'li',
        { class: `pick-${j.status}` },
        h('label', { class: 'check' }, cb, ' ', h('strong', {}, j.id), ' ', j.title),
        j.status === 'skipped' ? h('span', { class: 'hint' }, `skipped: ${j.reason ?? ''}`) : j.status === 'manual' ? h('span', { class: 'hint' }, j.reason ? `manual for this config: ${j.reason}` : 'manual: see the checklist') : null,
      );
    }),
  );
  const progress = h('div', { id: 'run-progress', 'aria-live': 'polite' });
  // Scenario files are read in the browser and sent as text: the server checks them all before anything runs.
  const files = h('input', {
    type: 'file',
    id: 'scenario-files',
    accept: '.yaml,.yml,.json',
    multiple: true,
    hidden: true,
    onchange: async (ev) => {
      const picked = [...ev.target.files];
      ev.target.value = '';
      if (picked.length) await start([], await Promise.all(picked.map(async (f) => ({ file: f.name, text: await f.text() }))));
    },
  });
  const running = runView?.status === 'running';
  const start = async (ids, scenarios) => {
    const r = await api.startRun(p.id, ids, scenarios);
    if (!r.ok) {
      const problems = r.error.details?.problems;
      mount(
        progress,
        Array.isArray(problems)
          ? h(
              'div',
              { class: 'note note-bad', id: 'scenario-problems' },
              h('p', {}, `The scenario files cannot be run (${problems.length} problem${problems.length > 1 ? 's' : ''}; nothing was sent):`),
              h('ul', { class: 'problems' }, problems.map((x) => h('li', {}, h('code', {}, `${x.file}:${x.line}:${x.col}`), ' ', x.path ? h('strong', {}, x.path) : null, ' ', x.message))),
            )
          : h('div', { class: 'note note-bad' }, r.error.message),
      );
      return;
    }
    runId = r.value.run_id;
    runView = r.value;
    renderRunBox(box, p);
    poll(box, p);
  };
  mount(
    box,
    h('h2', { id: 'h-run' }, 'Run the automated journeys'),
    h('p', { class: 'muted small' }, `${runnable.length} of ${journeys.length} journeys run automatically for ${p.name}.`),
    h(
      'div',
      { class: 'actions left' },
      h('button', { type: 'button', class: 'btn primary', id: 'run-all', disabled: running, onclick: () => start([]) }, running ? 'Running…' : 'Run all'),
      h('button', { type: 'button', class: 'btn', id: 'run-selected', disabled: running, onclick: () => start([...boxes].filter(([, cb]) => cb.checked).map(([id]) => id)) }, 'Run selected'),
      h('button', { type: 'button', class: 'btn', id: 'run-scenarios', disabled: running, title: 'Run scenario files (YAML or JSON, as pcsim run --scenario): your own sequences, or ones saved from the inspector', onclick: () => files.click() }, 'Run scenario files…'),
      files,
    ),
    runView ? null : h('details', { class: 'picks' }, h('summary', {}, 'Choose journeys'), list),
    progress,
  );
  if (runView) renderProgress(progress);
}

function poll(box, p) {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(async () => {
    if (!runId) return;
    const r = await api.run(runId);
    if (!r.ok) {
      mount($('run-progress') ?? box, h('div', { class: 'note note-bad' }, r.error.message));
      return;
    }
    const wasRunning = runView?.status === 'running';
    runView = r.value;
    if (!document.contains(box)) return;
    if (runView.status === 'running') {
      renderProgress($('run-progress'));
      poll(box, p);
    } else if (wasRunning) renderRunBox(box, p);
  }, POLL_MS);
}

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
          r.stop_requested_at ? ` Stopping after the call under way… ${r.progress.done} of ${r.progress.total} done.` : ` Running ${r.progress.current ?? ''}… ${r.progress.done} of ${r.progress.total} done.`,
          ' ',
          r.stop_requested_at
            ? null
            : h('button', {
                type: 'button',
                class: 'btn small',
                id: 'run-stop',
                onclick: async (ev) => {
                  ev.target.disabled = true;
                  const stopped = await api.stopRun(r.run_id);
                  if (!stopped.ok) notify(stopped.error.message);
                  else if (runView?.run_id === stopped.value.run_id) {
                    runView = stopped.value;
                    renderProgress($('run-progress'));
                  }
                },
              }, 'Stop'),
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
              ['html', 'json', 'junit'].map((f, i) => [i ? ' · ' : '', h('a', { href: `/api/runs/${encodeURIComponent(r.run_id)}/report?format=${f}`, download: '', id: `run-report-${f}`, title: `the ${f === 'junit' ? 'JUnit XML' : f.toUpperCase()} report pcsim run --reporter ${f}:PATH writes` }, f === 'junit' ? 'JUnit' : f.toUpperCase())]),
            ),
          );
  const reports = new Map((r.report?.journeys ?? []).map((j) => [j.id, j]));
  mount(
    el,
    head,
    h(
      'table',
      { class: 'grid run-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'journey'), h('th', {}, 'verdict'), h('th', {}, 'why'), h('th', {}, 'took'))),
      h(
        'tbody',
        {},
        r.journeys.map((j) => {
          const rep = reports.get(j.id);
          return h(
            'tr',
            { dataset: { journey: j.id, status: j.status } },
            h('td', {}, h('strong', {}, j.id), ' ', h('span', { class: 'muted' }, j.title)),
            h('td', {}, badge(j.status, STATUS_KIND[j.status] ?? 'muted')),
            h('td', { class: 'small' }, j.reason ?? '', rep && rep.steps?.length ? stepsDetail(rep) : null),
            h('td', { class: 'small' }, j.duration_ms !== undefined ? fmtMs(j.duration_ms) : ''),
          );
        }),
      ),
    ),
  );
}

function stepsDetail(rep) {
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
          errors.length ? h('ul', { class: 'violations' }, errors.map((v) => h('li', { class: 'sev-error' }, h('code', {}, v.rule), ' ', v.message))) : null,
        );
      }),
    ),
  );
}

/* ------------------------------------------------------------ checklist */

function renderChecklist(box, r) {
  if (!r.ok) {
    mount(box, h('h2', { id: 'h-check' }, 'Manual checklist'), h('div', { class: 'note note-bad' }, r.error.message));
    return;
  }
  const items = r.value.items;
  const done = items.filter((i) => i.done).length;
  const counter = h('span', { class: 'muted small', id: 'check-count' }, `${done} of ${items.length} ticked`);
  mount(
    box,
    h('h2', { id: 'h-check' }, 'Manual checklist ', counter),
    h('p', { class: 'muted small' }, 'What a reviewer judges by hand, from the onboarding test cases. Ticks and notes are saved on the server (and survive a restart with --data).'),
    h('ul', { class: 'checklist' }, items.map((item) => checkItem(item, items, counter))),
  );
}

function checkItem(item, items, counter) {
  const status = h('span', { class: 'hint', 'aria-live': 'polite' }, item.at ? `saved ${fmtDateTime(item.at)}` : '');
  const note = h('textarea', { rows: 2, placeholder: 'note (optional): what you saw', 'aria-label': `Note for ${item.journey_id}`, maxlength: 2000 });
  note.value = item.note ?? '';
  const box = h('input', { type: 'checkbox', id: `tick-${item.journey_id}`, checked: item.done });
  const save = async () => {
    status.textContent = 'saving…';
    const body = { done: box.checked };
    if (note.value.trim()) body.note = note.value.trim();
    const r = await api.tick(partnerSideId(), item.journey_id, body);
    if (!r.ok) {
      status.textContent = r.error.message;
      status.classList.add('bad');
      return;
    }
    status.classList.remove('bad');
    item.done = r.value.done;
    status.textContent = `saved ${fmtDateTime(r.value.at)}`;
    counter.textContent = `${items.filter((i) => i.done).length} of ${items.length} ticked`;
  };
  box.addEventListener('change', save);
  note.addEventListener('change', save);
  return h(
    'li',
    { class: ['check-item', item.done && 'done'], dataset: { journey: item.journey_id } },
    h('label', { class: 'check', for: `tick-${item.journey_id}` }, box, ' ', h('strong', {}, item.journey_id), ' ', item.title),
    h('ul', { class: 'expectations' }, (item.checks ?? []).map((c) => h('li', {}, c))),
    note,
    status,
  );
}

const partnerSideId = () => partnerId;
