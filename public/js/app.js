// @ts-check
/**
 * The page: a Databricks-like Partner Connect for manual exploratory testing. This module wires
 * the header switchers, the routing between views and the live event stream to the shared
 * state (state.js); the views (connect/, journeys.js, inspector.js, settings.js) import
 * state.js, never this module.
 */
import { $, bus, currentUser, loadPartners, loadWorkspace, loadWorkspaces, state } from './state.js';
import { badge, h, mount, onDialogClosed } from './dom.js';
import { PICKER_WORKSPACES } from './api.js';
import { initConnect, renderConnect } from './connect/gallery.js';
import { initInspector } from './inspector.js';
import { initJourneys, renderJourneys } from './journeys.js';
import { renderStateView } from './state-view.js';
import { newUserDialog, newWorkspaceDialog, userSettingsDialog, workspaceSettingsDialog } from './settings.js';

/* ---------------------------------------------------------------- header */

function renderHeader() {
  const wsSel = $('ws-select');
  mount(
    wsSel,
    state.workspaces.map((w) =>
      h('option', { value: w.id, selected: w.id === state.wsId }, `${w.name}${w.demo ? ' (demo)' : ''}`),
    ),
  );
  if (state.workspaces.length === 0) mount(wsSel, h('option', { value: '' }, 'no workspace: create one →'));
  if (state.moreWorkspaces)
    wsSel.append(
      h('option', { value: '', disabled: true }, `… more: the first ${PICKER_WORKSPACES} workspaces are listed`),
    );
  const w = state.workspace;
  mount(
    $('ws-meta'),
    w
      ? [
          h('code', { class: 'id', title: 'workspace_id (int64)' }, w.id),
          badge(w.cloud.toUpperCase(), 'cloud'),
          w.region ? h('span', { class: 'muted region' }, w.region) : null,
          w.demo ? badge('demo', 'demo') : null,
          w.is_free_trial ? badge('trial', 'warn') : null,
        ]
      : [],
  );
  /** @type {HTMLButtonElement} */ ($('ws-settings')).disabled = !w;
  const userSel = $('user-select');
  const users = w?.users ?? [];
  mount(
    userSel,
    users.map((u) =>
      h('option', { value: u.id, selected: u.id === state.userId }, `${u.first_name} ${u.last_name} · ${u.email}`),
    ),
  );
  if (users.length === 0) mount(userSel, h('option', { value: '' }, 'no user: add one →'));
  const u = currentUser();
  mount(
    $('user-meta'),
    u
      ? [
          u.admin ? badge('admin', 'admin') : badge('non-admin', 'muted'),
          h('code', { class: 'id', title: 'databricks_user_id (int64)' }, u.id),
        ]
      : [],
  );
  /** @type {HTMLButtonElement} */ ($('user-settings')).disabled = !u;
}

/* ----------------------------------------------------------------- views */

const VIEWS = ['connect', 'journeys', 'state'];

function route() {
  const view = VIEWS.find((v) => location.hash.startsWith(`#/${v}`)) ?? 'connect';
  for (const v of VIEWS) {
    $(`view-${v}`).hidden = v !== view;
    const tab = $(`tab-${v}`);
    if (v === view) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
  if (view === 'journeys') void renderJourneys(location.hash);
  else if (view === 'state') void renderStateView();
  else renderConnect();
}

/* ---------------------------------------------------------------- events */

/** @type {ReturnType<typeof setTimeout> | undefined} */
let refreshTimer;
/** @param {Set<string>} what */
function refreshSoon(what) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    // Taken and cleared before the loads: a change announced while they run schedules its own refresh
    // (clearing after them dropped it, and a workspace made meanwhile never showed).
    const now = new Set(what);
    what.clear();
    if (now.has('partners')) await loadPartners();
    if (now.has('workspaces') || now.has('users')) await loadWorkspaces();
    else await loadWorkspace();
  }, 150);
}

function connectEvents() {
  const live = $('live');
  /** @type {Set<string>} */
  const pending = new Set();
  const source = new EventSource('/api/events');
  source.addEventListener('hello', () => {
    live.textContent = 'live';
    live.className = 'live on';
  });
  // A partner exchange (the journal's, or a UI run's: run_id), an attempt still in flight,
  // a partner's call into the workspace, a UI run's progress.
  for (const name of ['exchange', 'attempt', 'activity', 'run']) {
    source.addEventListener(name, (ev) => {
      try {
        bus.emit(name, JSON.parse(/** @type {MessageEvent} */ (ev).data));
      } catch (err) {
        console.error(err);
      }
    });
  }
  source.addEventListener('state', (ev) => {
    /** @type {string[]} */
    let changed = [];
    try {
      changed = JSON.parse(/** @type {MessageEvent} */ (ev).data).changed ?? [];
    } catch {
      /* ignored: a malformed event changes nothing */
    }
    bus.emit('state', changed);
    const relevant = changed.filter((c) => ['workspaces', 'users', 'partners', 'connections', 'resources'].includes(c));
    if (relevant.length) {
      for (const c of relevant) pending.add(c);
      refreshSoon(pending);
    }
  });
  source.onerror = () => {
    live.textContent = 'reconnecting…';
    live.className = 'live off';
  };
}

/* ------------------------------------------------------------------ init */

async function init() {
  $('ws-select').addEventListener('change', async (ev) => {
    state.wsId = /** @type {HTMLSelectElement} */ (ev.target).value;
    await loadWorkspace();
  });
  $('user-select').addEventListener('change', (ev) => {
    state.userId = /** @type {HTMLSelectElement} */ (ev.target).value;
    localStorage.setItem('pcsim.user', state.userId);
    bus.emit('context');
  });
  $('ws-new').addEventListener('click', newWorkspaceDialog);
  $('ws-settings').addEventListener('click', workspaceSettingsDialog);
  $('user-new').addEventListener('click', newUserDialog);
  $('user-settings').addEventListener('click', userSettingsDialog);
  const toggle = $('inspector-toggle');
  toggle.addEventListener('click', () => {
    const hidden = document.body.classList.toggle('no-inspector');
    toggle.textContent = hidden ? 'Show inspector' : 'Hide inspector';
    toggle.setAttribute('aria-expanded', String(!hidden));
  });
  // Narrow screens start with the inspector hidden: the gallery needs the width.
  if (window.matchMedia('(max-width: 900px)').matches) toggle.click();
  onDialogClosed(/** @type {HTMLDialogElement} */ ($('dlg')), () => bus.emit('dialog-closed'));
  onDialogClosed(/** @type {HTMLDialogElement} */ ($('dlg-form')), () => undefined);

  bus.on('context', renderHeader);
  bus.on('context', () => {
    if (!$('view-connect').hidden) renderConnect();
  });
  initConnect();
  initInspector();
  initJourneys();
  window.addEventListener('hashchange', route);
  connectEvents();
  await Promise.all([loadPartners(), loadWorkspaces()]);
  route();
  document.body.dataset.ready = 'true';
}

void init();
