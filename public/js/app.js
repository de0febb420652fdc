/**
 * The page: a Databricks-like Partner Connect for manual exploratory testing. This module holds
 * the shared state (workspace, user, partners), the header switchers, the views' routing and
 * the live event stream; the views live in connect.js, inspector.js and journeys.js.
 */
import { api } from './api.js';
import { badge, closeDialog, h, mount, onDialogClosed, openDialog } from './dom.js';
import { initConnect, renderConnect } from './connect.js';
import { initInspector } from './inspector.js';
import { initJourneys, renderJourneys } from './journeys.js';

const $ = (id) => document.getElementById(id);

/** Shared state; ids are decimal strings. */
export const state = {
  workspaces: [],
  wsId: localStorage.getItem('pcsim.ws') ?? '',
  /** The selected workspace with users, connections and resources. */
  workspace: null,
  userId: localStorage.getItem('pcsim.user') ?? '',
  partners: [],
  /** Full partner records (config…) by id, fetched on demand. */
  partnerDetails: new Map(),
};

const listeners = new Map();
/** A tiny event bus: 'context' (workspace/user/connections changed), 'exchange', 'attempt', 'activity', 'state'. */
export const bus = {
  /** Returns the function that removes the listener. */
  on(name, fn) {
    if (!listeners.has(name)) listeners.set(name, new Set());
    listeners.get(name).add(fn);
    return () => listeners.get(name)?.delete(fn);
  },
  emit(name, data) {
    for (const fn of listeners.get(name) ?? []) {
      try {
        fn(data);
      } catch (err) {
        console.error(err);
      }
    }
  },
};

export const currentUser = () => state.workspace?.users.find((u) => u.id === state.userId);
export const connectionOf = (partnerId) => state.workspace?.connections.find((c) => c.partner_id === partnerId);
export const userName = (id) => {
  const u = state.workspace?.users.find((x) => x.id === id);
  return u ? `${u.first_name} ${u.last_name} <${u.email}>`.trim() : `user ${id}`;
};

/** Shows a page-level problem (an admin API error) until dismissed or replaced. */
export function notify(message, kind = 'error') {
  const el = $('notice');
  if (!message) {
    el.hidden = true;
    return;
  }
  el.className = `notice notice-${kind}`;
  mount(el, h('span', {}, message), h('button', { type: 'button', class: 'btn small ghost', onclick: () => (el.hidden = true), 'aria-label': 'Dismiss' }, 'Dismiss'));
  el.hidden = false;
}

export async function partnerDetail(id, fresh = false) {
  if (!fresh && state.partnerDetails.has(id)) return { ok: true, value: state.partnerDetails.get(id) };
  const r = await api.partner(id);
  if (r.ok) state.partnerDetails.set(id, r.value);
  return r;
}

/* ------------------------------------------------------------------ data */

export async function loadWorkspaces() {
  const r = await api.workspaces();
  if (!r.ok) return notify(r.error.message);
  state.workspaces = r.value.workspaces;
  if (!state.workspaces.some((w) => w.id === state.wsId)) state.wsId = state.workspaces[0]?.id ?? '';
  await loadWorkspace();
}

export async function loadWorkspace() {
  if (!state.wsId) {
    state.workspace = null;
    renderHeader();
    bus.emit('context');
    return;
  }
  const r = await api.workspace(state.wsId);
  if (!r.ok) return notify(r.error.message);
  state.workspace = r.value;
  localStorage.setItem('pcsim.ws', state.wsId);
  const users = state.workspace.users;
  if (!users.some((u) => u.id === state.userId)) state.userId = (users.find((u) => u.admin) ?? users[0])?.id ?? '';
  if (state.userId) localStorage.setItem('pcsim.user', state.userId);
  renderHeader();
  bus.emit('context');
}

export async function loadPartners() {
  const r = await api.partners();
  if (!r.ok) return notify(r.error.message);
  state.partners = r.value.partners;
  state.partnerDetails.clear();
  bus.emit('context');
}

/* ---------------------------------------------------------------- header */

function renderHeader() {
  const wsSel = $('ws-select');
  mount(wsSel, state.workspaces.map((w) => h('option', { value: w.id, selected: w.id === state.wsId }, `${w.name}${w.demo ? ' (demo)' : ''}`)));
  if (state.workspaces.length === 0) mount(wsSel, h('option', { value: '' }, 'no workspace: create one →'));
  const w = state.workspace;
  mount(
    $('ws-meta'),
    w
      ? [h('code', { class: 'id', title: 'workspace_id (int64)' }, w.id), badge(w.cloud, 'cloud'), w.region ? h('span', { class: 'muted' }, w.region) : null, w.demo ? badge('demo', 'demo') : null, w.is_free_trial ? badge('trial', 'warn') : null]
      : [],
  );
  const userSel = $('user-select');
  const users = w?.users ?? [];
  mount(userSel, users.map((u) => h('option', { value: u.id, selected: u.id === state.userId }, `${u.first_name} ${u.last_name} · ${u.email}`)));
  if (users.length === 0) mount(userSel, h('option', { value: '' }, 'no user: add one →'));
  const u = currentUser();
  mount($('user-meta'), u ? [u.admin ? badge('admin', 'admin') : badge('non-admin', 'muted'), h('code', { class: 'id', title: 'databricks_user_id (int64)' }, u.id)] : []);
}

const CLOUDS = ['aws', 'azure', 'gcp'];

function field(label, input, hint) {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), input, hint ? h('span', { class: 'hint' }, hint) : null);
}

function formDialog(title, fields, submitLabel, onSubmit) {
  const dlg = $('dlg-form');
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, submitLabel);
  const form = h(
    'form',
    {
      method: 'dialog',
      onsubmit: async (ev) => {
        ev.preventDefault();
        submit.disabled = true;
        const message = await onSubmit(new FormData(form));
        submit.disabled = false;
        if (message) {
          error.textContent = message;
          error.hidden = false;
        } else closeDialog(dlg);
      },
    },
    h('h2', { id: 'dlg-form-title' }, title),
    fields,
    error,
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', onclick: () => closeDialog(dlg) }, 'Cancel'), submit),
  );
  openDialog(dlg, form);
}

function newWorkspaceDialog() {
  formDialog(
    'Create a workspace',
    [
      field('Name', h('input', { name: 'name', required: true, autofocus: true, placeholder: 'e.g. Partner QA', maxlength: 200 })),
      field('Cloud', h('select', { name: 'cloud' }, CLOUDS.map((c) => h('option', { value: c }, c)))),
      field('Region', h('input', { name: 'region', placeholder: 'us-west-2 (optional)' })),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'demo' }), ' Sales demo workspace (every Connect call carries demo: true)'),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'is_free_trial' }), ' The workspace itself is a free trial (is_free_trial: true)'),
    ],
    'Create workspace',
    async (fd) => {
      const body = { name: String(fd.get('name')), cloud: String(fd.get('cloud')), demo: fd.get('demo') === 'on', is_free_trial: fd.get('is_free_trial') === 'on' };
      const region = String(fd.get('region') ?? '').trim();
      if (region) body.region = region;
      const r = await api.createWorkspace(body);
      if (!r.ok) return r.error.message;
      state.wsId = r.value.id;
      await loadWorkspaces();
      return null;
    },
  );
}

function newUserDialog() {
  if (!state.workspace) return notify('Failed to add a user: no workspace is selected. Expected a workspace first (+ Workspace).');
  formDialog(
    `Add a user to ${state.workspace.name}`,
    [
      field('Email', h('input', { name: 'email', type: 'email', required: true, autofocus: true, placeholder: 'u2@acme.databricks-test.com' }), 'Use a databricks-test.com sub-domain so the partner\'s test-only hooks (delete / expire account) accept it. A known email joins with its existing user id.'),
      h('div', { class: 'row' }, field('First name', h('input', { name: 'first_name' })), field('Last name', h('input', { name: 'last_name' }))),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'admin' }), ' Workspace admin'),
    ],
    'Add user',
    async (fd) => {
      const body = { email: String(fd.get('email')).trim(), first_name: String(fd.get('first_name') ?? ''), last_name: String(fd.get('last_name') ?? ''), admin: fd.get('admin') === 'on' };
      const r = await api.addUser(state.wsId, body);
      if (!r.ok) return r.error.message;
      state.userId = r.value.id;
      await loadWorkspace();
      return null;
    },
  );
}

/* ----------------------------------------------------------------- views */

function route() {
  const view = location.hash.startsWith('#/journeys') ? 'journeys' : 'connect';
  $('view-connect').hidden = view !== 'connect';
  $('view-journeys').hidden = view !== 'journeys';
  for (const v of ['connect', 'journeys']) {
    const tab = $(`tab-${v}`);
    if (v === view) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
  if (view === 'journeys') renderJourneys();
  else renderConnect();
}

/* ---------------------------------------------------------------- events */

let refreshTimer = null;
function refreshSoon(what) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    if (what.has('partners')) await loadPartners();
    if (what.has('workspaces')) await loadWorkspaces();
    else await loadWorkspace();
    what.clear();
  }, 150);
}

function connectEvents() {
  const live = $('live');
  const pending = new Set();
  const source = new EventSource('/api/events');
  source.addEventListener('hello', () => {
    live.textContent = 'live';
    live.className = 'live on';
  });
  source.addEventListener('exchange', (ev) => {
    try {
      bus.emit('exchange', JSON.parse(ev.data));
    } catch (err) {
      console.error(err);
    }
  });
  // An attempt of a call still in flight (Databricks retrying), and a partner's call into the workspace.
  for (const name of ['attempt', 'activity']) {
    source.addEventListener(name, (ev) => {
      try {
        bus.emit(name, JSON.parse(ev.data));
      } catch (err) {
        console.error(err);
      }
    });
  }
  source.addEventListener('state', (ev) => {
    let changed = [];
    try {
      changed = JSON.parse(ev.data).changed ?? [];
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
    state.wsId = ev.target.value;
    await loadWorkspace();
  });
  $('user-select').addEventListener('change', (ev) => {
    state.userId = ev.target.value;
    localStorage.setItem('pcsim.user', state.userId);
    renderHeader();
    bus.emit('context');
  });
  $('ws-new').addEventListener('click', newWorkspaceDialog);
  $('user-new').addEventListener('click', newUserDialog);
  const toggle = $('inspector-toggle');
  toggle.addEventListener('click', () => {
    const hidden = document.body.classList.toggle('no-inspector');
    toggle.textContent = hidden ? 'Show inspector' : 'Hide inspector';
    toggle.setAttribute('aria-expanded', String(!hidden));
  });
  onDialogClosed($('dlg'), () => bus.emit('dialog-closed'));
  onDialogClosed($('dlg-form'), () => undefined);

  initConnect();
  initInspector();
  initJourneys();
  window.addEventListener('hashchange', route);
  connectEvents();
  await Promise.all([loadPartners(), loadWorkspaces()]);
  route();
  bus.on('context', () => {
    if (!$('view-connect').hidden) renderConnect();
  });
  document.body.dataset.ready = 'true';
}

init();
