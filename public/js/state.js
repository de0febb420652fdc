// @ts-check
/**
 * The page's one shared state and event bus, and the loaders that fill it from the admin API.
 * Views import this module (and dom.js / api.js) only: nothing here imports a view, so there is
 * no import circle. ids are decimal strings (int64 above 2^53 stay exact).
 */
import { api } from './api.js';
import { h, mount } from './dom.js';

/**
 * @typedef {{id: string, email: string, first_name: string, last_name: string, admin: boolean}} User
 * @typedef {{partner_id: string, connection_id: string, created_by: string, created_at: string, resources?: any}} Connection
 * @typedef {{id: string, name: string, cloud: string, region?: string, demo: boolean, is_free_trial: boolean,
 *   catalogs?: string[], external_locations?: string[], users: User[], connections: Connection[]}} Workspace
 * @typedef {{id: string, name: string, category: string, description_blurb?: string, supported_clouds?: string[]}} Partner
 */

/** @param {string} id */
export const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

export const state = {
  /** The workspaces the picker lists (the first ones of a large state). @type {Array<Omit<Workspace, 'users' | 'connections'>>} */
  workspaces: [],
  /** Whether more workspaces exist than the picker lists. */
  moreWorkspaces: false,
  wsId: localStorage.getItem('pcsim.ws') ?? '',
  /** The selected workspace with users, connections and resources. @type {Workspace | null} */
  workspace: null,
  userId: localStorage.getItem('pcsim.user') ?? '',
  /** @type {Partner[]} */
  partners: [],
  /** Full partner records (config…) by id, fetched on demand. @type {Map<string, any>} */
  partnerDetails: new Map(),
};

/** @type {Map<string, Set<(data: any) => void>>} */
const listeners = new Map();

/**
 * A tiny event bus. Events: 'context' (workspace/user/connections changed), 'exchange',
 * 'attempt', 'activity', 'state', 'run' (server-sent), 'inspect' (an exchange id to show),
 * 'dialog-closed', 'open' ({view, partner}: a Partner Connect dialog to open).
 */
export const bus = {
  /**
   * Returns the function that removes the listener.
   * @param {string} name
   * @param {(data: any) => void} fn
   */
  on(name, fn) {
    if (!listeners.has(name)) listeners.set(name, new Set());
    listeners.get(name)?.add(fn);
    return () => void listeners.get(name)?.delete(fn);
  },
  /** @param {string} name @param {any} [data] */
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
/** @param {string} partnerId */
export const connectionOf = (partnerId) => state.workspace?.connections.find((c) => c.partner_id === partnerId);
/** @param {string} id */
export const userName = (id) => {
  const u = state.workspace?.users.find((x) => x.id === id);
  return u ? `${u.first_name} ${u.last_name} <${u.email}>`.trim() : `user ${id}`;
};

/**
 * Shows a page-level message (an admin API error) until dismissed or replaced; an action
 * button ({label, run}) may go with it (Undo).
 * @param {string | null} message
 * @param {'error' | 'info'} [kind]
 * @param {{label: string, run: () => void} | undefined} [action]
 */
export function notify(message, kind = 'error', action = undefined) {
  const el = $('notice');
  if (!message) {
    el.hidden = true;
    return;
  }
  el.className = `notice notice-${kind}`;
  el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  mount(
    el,
    h('span', {}, message),
    h(
      'span',
      { class: 'notice-actions' },
      action
        ? h(
            'button',
            {
              type: 'button',
              class: 'btn small',
              id: 'notice-action',
              onclick: () => ((el.hidden = true), action.run()),
            },
            action.label,
          )
        : null,
      h(
        'button',
        { type: 'button', class: 'btn small ghost', onclick: () => (el.hidden = true), 'aria-label': 'Dismiss' },
        'Dismiss',
      ),
    ),
  );
  el.hidden = false;
}

/** @param {string} id @param {boolean} [fresh] */
export async function partnerDetail(id, fresh = false) {
  if (!fresh && state.partnerDetails.has(id)) return { ok: true, value: state.partnerDetails.get(id) };
  const r = await api.partner(id);
  if (r.ok) state.partnerDetails.set(id, r.value);
  return r;
}

export async function loadWorkspaces() {
  const r = await api.pickerWorkspaces();
  if (!r.ok) return notify(r.error.message);
  /** @type {Array<Omit<Workspace, 'users' | 'connections'>>} */
  const listed = r.value;
  state.moreWorkspaces = r.more === true;
  if (state.wsId && state.moreWorkspaces && !listed.some((w) => w.id === state.wsId)) {
    // The selected workspace lies beyond the listed ones (a new one, in a large state): it stays.
    const own = await api.workspace(state.wsId);
    if (own.ok) listed.push(own.value);
  }
  state.workspaces = listed;
  if (!state.workspaces.some((w) => w.id === state.wsId)) state.wsId = state.workspaces[0]?.id ?? '';
  await loadWorkspace();
}

export async function loadWorkspace() {
  if (!state.wsId) {
    state.workspace = null;
    bus.emit('context');
    return;
  }
  const r = await api.workspace(state.wsId);
  if (!r.ok) {
    // Deleted meanwhile (another tab, the API): fall back to the list.
    if (r.status === 404) {
      state.wsId = '';
      return loadWorkspaces();
    }
    return notify(r.error.message);
  }
  state.workspace = r.value;
  localStorage.setItem('pcsim.ws', state.wsId);
  const users = r.value.users;
  if (!users.some((/** @type {User} */ u) => u.id === state.userId))
    state.userId = (users.find((/** @type {User} */ u) => u.admin) ?? users[0])?.id ?? '';
  if (state.userId) localStorage.setItem('pcsim.user', state.userId);
  bus.emit('context');
}

export async function loadPartners() {
  const r = await api.allPartners();
  if (!r.ok) return notify(r.error.message);
  state.partners = r.value;
  state.partnerDetails.clear();
  bus.emit('context');
}
