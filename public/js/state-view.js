// @ts-check
/**
 * The "State & time" view: snapshots of the simulated Databricks (take, restore, forget), export
 * to a file and import one (secrets stay digests), and the simulated clock, moved forward to
 * expire OAuth tokens and codes without waiting.
 */
import { api } from './api.js';
import { $, loadPartners, loadWorkspaces, notify } from './state.js';
import { fmtDateTime, h, mount } from './dom.js';

export async function renderStateView() {
  const view = $('view-state');
  const snapshots = h('section', { class: 'panel', id: 'snapshots', 'aria-labelledby': 'h-snapshots' });
  const transfer = h('section', { class: 'panel', id: 'transfer', 'aria-labelledby': 'h-transfer' });
  const clock = h('section', { class: 'panel', id: 'clock', 'aria-labelledby': 'h-clock' });
  mount(
    view,
    h(
      'div',
      { class: 'view-head' },
      h('h1', { id: 'h-state' }, 'State & time'),
      h(
        'p',
        { class: 'lead' },
        'Keep the simulated Databricks as it is and come back to it, move it to another pcsim, and move its clock forward instead of waiting. The same as ',
        h('code', {}, 'pcsim state'),
        ' on the command line.',
      ),
    ),
    h('div', { class: 'journeys-cols' }, snapshots, transfer, clock),
  );
  renderTransfer(transfer);
  await Promise.all([renderSnapshots(snapshots), renderClock()]);
}

/** After a restore or an import everything on the page may have changed. */
async function reloadAll() {
  await Promise.all([loadPartners(), loadWorkspaces()]);
}

/** @param {HTMLElement} box */
async function renderSnapshots(box) {
  const r = await api.snapshots();
  const name = /** @type {HTMLInputElement} */ (
    h('input', {
      id: 'snapshot-name',
      placeholder: 'e.g. before the expiry test',
      maxlength: 100,
      'aria-label': 'Snapshot name',
    })
  );
  const list = r.ok
    ? r.value.snapshots.length
      ? h(
          'ul',
          { class: 'snapshots', id: 'snapshot-list' },
          r.value.snapshots.map((/** @type {any} */ s) =>
            h(
              'li',
              { dataset: { snapshot: s.id } },
              h('strong', {}, s.name),
              ' ',
              h(
                'span',
                { class: 'muted small' },
                `${fmtDateTime(s.taken_at)} · ${s.counts.workspaces} workspaces, ${s.counts.connections} connections, ${s.counts.journal} calls`,
              ),
              h(
                'span',
                { class: 'row-actions' },
                confirmButton(`restore-${s.id}`, 'Restore', `Replace the current state with “${s.name}”?`, async () => {
                  const done = await api.restoreSnapshot(s.id);
                  if (!done.ok) return notify(done.error.message);
                  await reloadAll();
                  notify(`Restored the snapshot “${s.name}”.`, 'info');
                }),
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'btn small ghost',
                    'aria-label': `Forget ${s.name}`,
                    onclick: async () => {
                      const done = await api.deleteSnapshot(s.id);
                      if (!done.ok) return notify(done.error.message);
                      await renderSnapshots(box);
                    },
                  },
                  'Forget',
                ),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted small' }, 'No snapshot yet.')
    : h('div', { class: 'note note-bad' }, r.error.message);
  mount(
    box,
    h('h2', { id: 'h-snapshots' }, 'Snapshots'),
    h(
      'p',
      { class: 'muted small' },
      'Kept in this pcsim process (the newest 20); export to keep one for good. Restoring keeps the partners registered now.',
    ),
    h(
      'form',
      {
        class: 'actions left',
        onsubmit: async (/** @type {SubmitEvent} */ ev) => {
          ev.preventDefault();
          const done = await api.takeSnapshot(name.value.trim() || undefined);
          if (!done.ok) return notify(done.error.message);
          await renderSnapshots(box);
        },
      },
      name,
      h('button', { type: 'submit', class: 'btn primary', id: 'snapshot-take' }, 'Take a snapshot'),
    ),
    list,
  );
}

/** @param {HTMLElement} box */
function renderTransfer(box) {
  const file = /** @type {HTMLInputElement} */ (
    h('input', {
      type: 'file',
      id: 'import-file',
      accept: '.json,application/json',
      hidden: true,
      onchange: async () => {
        const f = file.files?.[0];
        file.value = '';
        if (!f) return;
        let body;
        try {
          body = JSON.parse(await f.text());
        } catch (err) {
          return notify(
            `Failed to import ${f.name}: it is not JSON (${/** @type {Error} */ (err).message}). Expected a file Export wrote.`,
          );
        }
        const done = await api.importState(body);
        if (!done.ok) return notify(done.error.message);
        await reloadAll();
        notify(
          `Imported ${f.name}: ${done.value.counts.workspaces} workspaces, ${done.value.counts.connections} connections.`,
          'info',
        );
      },
    })
  );
  mount(
    box,
    h('h2', { id: 'h-transfer' }, 'Export and import'),
    h(
      'p',
      { class: 'muted small' },
      'One JSON file: workspaces, users, connections, resources (tokens and secrets as SHA-256 digests only), partners, the journal and what partners did. Importing replaces the state; the partners registered here stay.',
    ),
    h(
      'div',
      { class: 'actions left' },
      h('a', { class: 'btn', id: 'export-state', href: '/api/state?download=1', download: '' }, 'Export…'),
      h('button', { type: 'button', class: 'btn', id: 'import-state', onclick: () => file.click() }, 'Import…'),
      file,
    ),
  );
}

async function renderClock() {
  const box = $('clock');
  if (!box) return;
  const r = await api.clock();
  if (!r.ok)
    return mount(box, h('h2', { id: 'h-clock' }, 'Clock'), h('div', { class: 'note note-bad' }, r.error.message));
  const c = r.value;
  const move = (/** @type {any} */ body) => async () => {
    const done = await api.advanceClock(body);
    if (!done.ok) return notify(done.error.message);
    await renderClock();
  };
  const custom = /** @type {HTMLInputElement} */ (
    h('input', {
      type: 'number',
      id: 'clock-seconds',
      min: 0,
      step: 1,
      value: '3601',
      'aria-label': 'Seconds to move forward',
      class: 'narrow-input',
    })
  );
  mount(
    box,
    h('h2', { id: 'h-clock' }, 'Clock'),
    h(
      'p',
      {},
      'Databricks time: ',
      h('strong', { id: 'clock-now' }, fmtDateTime(c.now)),
      ' ',
      h(
        'span',
        { class: 'muted small', id: 'clock-offset' },
        c.offset_seconds ? `(${formatOffset(c.offset_seconds)} ahead of real time)` : '(real time)',
      ),
    ),
    h(
      'p',
      { class: 'muted small' },
      'OAuth access tokens live 1 hour, authorization codes 5 minutes: move past them to see how the partner handles expiry.',
    ),
    h(
      'div',
      { class: 'actions left' },
      h(
        'button',
        { type: 'button', class: 'btn', id: 'clock-hour', onclick: move({ advance_seconds: 3600 }) },
        '+1 hour',
      ),
      h(
        'button',
        { type: 'button', class: 'btn', id: 'clock-day', onclick: move({ advance_seconds: 86400 }) },
        '+1 day',
      ),
      custom,
      h(
        'button',
        {
          type: 'button',
          class: 'btn',
          id: 'clock-advance',
          onclick: () => move({ advance_seconds: Math.max(0, Math.round(Number(custom.value) || 0)) })(),
        },
        '+ seconds',
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'btn ghost',
          id: 'clock-reset',
          disabled: !c.offset_seconds,
          onclick: move({ reset: true }),
        },
        'Back to real time',
      ),
    ),
  );
}

/** @param {number} s */
function formatOffset(s) {
  const d = Math.floor(s / 86400);
  const hh = Math.floor((s % 86400) / 3600);
  const mm = Math.floor((s % 3600) / 60);
  return [d ? `${d} d` : '', hh ? `${hh} h` : '', mm ? `${mm} min` : '', !d && !hh && !mm ? `${s} s` : '']
    .filter(Boolean)
    .join(' ');
}

/**
 * A button that asks first, in place: the first click turns it into the question, the second does it.
 * @param {string} id @param {string} label @param {string} question @param {() => Promise<void>} run
 */
function confirmButton(id, label, question, run) {
  const button = /** @type {HTMLButtonElement} */ (
    h(
      'button',
      {
        type: 'button',
        class: 'btn small',
        id,
        onclick: async () => {
          if (button.dataset.armed !== 'true') {
            button.dataset.armed = 'true';
            button.textContent = question;
            button.classList.add('danger');
            return;
          }
          button.disabled = true;
          await run();
        },
      },
      label,
    )
  );
  return button;
}
