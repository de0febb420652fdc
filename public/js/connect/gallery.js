// @ts-check
/**
 * The Partner Connect gallery: tiles by category, a connected tile's check mark and its live
 * core integration verdicts (P200; P201 where it applies), and the dialogs a tile opens.
 */
import { api } from '../api.js';
import { $, bus, connectionOf, currentUser, partnerDetail, state } from '../state.js';
import { badge, h, mount } from '../dom.js';
import { CATEGORY_LABELS, logo } from './common.js';
import { confirmDelete, coreJourneysOf, openConnected } from './connected.js';
import { openConnect } from './flow.js';
import { openPartnerSide } from './side.js';
import { dialogToken } from './common.js';

/** Live verdicts per partner id in the selected workspace: [{id, status, reason}]. @type {Map<string, {id: string, status: string, reason: string}[]>} */
const verdicts = new Map();
const VERDICT_KIND = /** @type {Record<string, string>} */ ({ passed: 'ok', failed: 'bad', pending: 'warn' });

export function initConnect() {
  bus.on('open', (/** @type {{view: string, partner: string}} */ o) => {
    if (o.view === 'connect') void openConnect(o.partner);
    else if (o.view === 'connected') void openConnected(o.partner);
    else if (o.view === 'side') void openPartnerSide(o.partner);
    else if (o.view === 'delete')
      void partnerDetail(o.partner).then((r) => r.ok && confirmDelete(r.value, dialogToken()));
  });
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void loadVerdicts(), 200);
  };
  bus.on('context', later);
  bus.on('activity', (a) => {
    if (a.workspace_id === state.wsId) later();
  });
}

/** Fetches the live P200/P201 verdicts of the workspace's connections, then re-draws the tiles. */
async function loadVerdicts() {
  const wsId = state.wsId;
  if (!wsId || !state.workspace?.connections.length) {
    if (verdicts.size) {
      verdicts.clear();
      renderConnect();
    }
    return;
  }
  const r = await api.activity(wsId, undefined);
  if (!r.ok || wsId !== state.wsId) return;
  verdicts.clear();
  for (const c of r.value.connections ?? []) {
    const p = await partnerDetail(c.partner_id);
    const ids = p.ok ? coreJourneysOf(p.value) : ['P200'];
    verdicts.set(
      c.partner_id,
      ids.map((id) => ({ id, ...c.verdicts[id] })),
    );
  }
  if (!$('view-connect').hidden) renderConnect();
}

export function renderConnect() {
  const view = $('view-connect');
  const ws = state.workspace;
  const user = currentUser();
  const head = h(
    'div',
    { class: 'view-head' },
    h('h1', { id: 'h-connect' }, 'Partner Connect'),
    h(
      'p',
      { class: 'lead' },
      ws && user
        ? [
            'Acting as ',
            h('strong', {}, `${user.first_name} ${user.last_name}`.trim() || user.email),
            user.admin ? ' (workspace admin)' : ' (not an admin)',
            ' in ',
            h('strong', {}, ws.name),
            '. Click a tile to connect, as in Databricks; every call to the partner appears in the inspector.',
          ]
        : 'Pick or create a workspace and a user in the header first.',
    ),
  );
  if (state.partners.length === 0) {
    mount(
      view,
      head,
      h(
        'div',
        { class: 'empty' },
        h('h2', {}, 'No partner is registered'),
        h('p', {}, 'Start pcsim with your partner.json:'),
        h('pre', {}, 'BASIC_USER=… BASIC_PASSWORD=… pcsim serve --partner partner.json'),
        h('p', {}, 'or register one with POST /api/partners (see /api/openapi.json).'),
      ),
    );
    return;
  }
  /** @type {Map<string, any[]>} */
  const groups = new Map();
  for (const p of state.partners) {
    if (!groups.has(p.category)) groups.set(p.category, []);
    groups.get(p.category)?.push(p);
  }
  const sections = [...groups.entries()].map(([cat, partners]) =>
    h(
      'section',
      { class: 'category', 'aria-label': CATEGORY_LABELS[cat] ?? cat },
      h('h2', {}, CATEGORY_LABELS[cat] ?? cat),
      h(
        'ul',
        { class: 'tiles' },
        partners.map((p) => h('li', {}, tile(p))),
      ),
    ),
  );
  // A refresh (a live event) must not take the keyboard focus away from a tile.
  const focused = document.activeElement && view.contains(document.activeElement) ? document.activeElement.id : '';
  mount(view, head, sections);
  if (focused) document.getElementById(focused)?.focus();
}

/** @param {any} p */
function tile(p) {
  const conn = connectionOf(p.id);
  const clouds = p.supported_clouds ?? [];
  const unsupported = state.workspace && clouds.length && !clouds.includes(state.workspace.cloud);
  return h(
    'article',
    { class: ['tile', conn && 'connected'], dataset: { partner: p.id } },
    h(
      'button',
      {
        type: 'button',
        class: 'tile-main',
        id: `tile-${p.id}`,
        onclick: () => void (connectionOf(p.id) ? openConnected(p.id) : openConnect(p.id)),
        disabled: !state.workspace || !currentUser(),
      },
      h(
        'span',
        { class: 'tile-top' },
        logo(p),
        conn ? h('span', { class: 'check', title: 'Connected in this workspace' }, '✓ Connected') : null,
      ),
      h('span', { class: 'tile-name' }, p.name),
      h('span', { class: 'tile-blurb' }, p.description_blurb ?? ''),
      h(
        'span',
        { class: 'tile-foot' },
        clouds.map((/** @type {string} */ c) =>
          badge(c.toUpperCase(), c === state.workspace?.cloud ? 'cloud' : 'muted'),
        ),
        unsupported ? badge(`not on ${state.workspace?.cloud.toUpperCase()}`, 'warn') : null,
      ),
    ),
    conn && verdicts.get(p.id)?.length
      ? h(
          'p',
          { class: 'tile-verdicts', id: `tile-verdicts-${p.id}` },
          verdicts.get(p.id)?.map((v) => badge(`${v.id} ${v.status}`, VERDICT_KIND[v.status] ?? '')),
        )
      : null,
    h(
      'button',
      {
        type: 'button',
        class: 'btn small ghost tile-side',
        id: `tile-side-${p.id}`,
        onclick: () => void openPartnerSide(p.id),
      },
      'Partner-side tools…',
    ),
  );
}
