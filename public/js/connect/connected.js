// @ts-check
/**
 * A connected tile: the connection and its resources, Launch (sign-in, one click), Delete
 * connection, the live core integration verdicts (P200, and P201 where it applies) and the
 * partner-side tools.
 */
import { api } from '../api.js';
import { bus, connectionOf, currentUser, notify, partnerDetail, state, userName } from '../state.js';
import { badge, closeDialog, dl, fmtDateTime, fmtTime, h, mount, openDialog } from '../dom.js';
import {
  dialogHead,
  dialogToken,
  dlg,
  inspectButton,
  nextDialogToken,
  resourcesView,
  showApiError,
  verdictLine,
  violationsList,
} from './common.js';
import { openConnect, runConnect } from './flow.js';
import { partnerSidePanel } from './side.js';

/** @param {string} partnerId */
export async function openConnected(partnerId) {
  const r = await partnerDetail(partnerId);
  if (!r.ok) return notify(r.error.message);
  const p = r.value;
  const conn = connectionOf(partnerId);
  if (!conn) return openConnect(partnerId);
  const user = currentUser();
  const token = nextDialogToken();
  openDialog(
    dlg(),
    dialogHead(p, [badge('✓ Connected', 'ok'), ` in ${state.workspace.name}`]),
    h(
      'div',
      { class: 'cols' },
      h(
        'section',
        { class: 'col', 'aria-labelledby': 'h-conn' },
        h('h3', { id: 'h-conn' }, 'Connection'),
        dl([
          ['Connection id', h('code', { id: 'conn-id' }, conn.connection_id)],
          ['Created by', userName(conn.created_by)],
          ['Created', fmtDateTime(conn.created_at)],
        ]),
        h('h4', {}, 'Resources Databricks created'),
        resourcesView(conn.resources),
        h(
          'div',
          { class: 'actions left' },
          h(
            'button',
            {
              type: 'button',
              class: 'btn primary',
              id: 'launch-signin',
              autofocus: true,
              onclick: () => launch(p, user, token),
            },
            `Launch ${p.name} ↗`,
          ),
          h(
            'button',
            { type: 'button', class: 'btn danger', id: 'delete-connection', onclick: () => confirmDelete(p, token) },
            'Delete connection',
          ),
        ),
        h(
          'p',
          { class: 'muted small' },
          `Launch signs ${user.email} in: Databricks calls Connect with is_connection_established: true and opens the partner's page in a new tab.`,
        ),
        coreSection(p, conn, token),
      ),
      partnerSidePanel(p),
    ),
  );
}

/** @type {Record<string, string>} */
const VERDICT_KIND = { passed: 'ok', failed: 'bad', pending: 'warn' };

/**
 * The core integration journeys that apply to a partner, as `pcsim run` and `validate` decide
 * (P201 is skipped without a DestLocation).
 * @param {any} p
 */
export const coreJourneysOf = (p) =>
  ['P200', 'P201'].filter((id) => (p.journeys ?? []).find((/** @type {any} */ j) => j.id === id)?.status !== 'skipped');

/** @param {any} p @param {any} conn @param {number} token */
function coreSection(p, conn, token) {
  const wsId = state.workspace.id;
  const body = h('div', { id: 'core-body' }, h('p', { class: 'muted small' }, 'Loading…'));
  const section = h(
    'section',
    { class: 'core', id: 'core-integration', 'aria-labelledby': 'h-core' },
    h('h4', { id: 'h-core' }, 'Core integration: what the partner did in this workspace'),
    body,
  );
  const render = async () => {
    const r = await api.activity(wsId, p.id);
    if (token !== dialogToken()) return;
    if (!r.ok) return mount(body, h('p', { class: 'muted small' }, r.error.message));
    const mine = r.value.connections.find((c) => c.connection_id === conn.connection_id);
    if (!mine) return mount(body, h('p', { class: 'muted small' }, 'No activity is tracked for this connection.'));
    const calls = r.value.activity.filter((a) => a.resources_id === mine.resources_id).slice(0, 8);
    mount(
      body,
      h(
        'ul',
        { class: 'verdicts' },
        ...coreJourneysOf(p).map((id) => {
          const v = mine.verdicts[id];
          return h(
            'li',
            { 'data-journey': id },
            badge(`${id} ${v.status}`, VERDICT_KIND[v.status] ?? ''),
            ' ',
            h('span', { class: 'small' }, v.reason),
          );
        }),
      ),
      calls.length
        ? h(
            'ol',
            { class: 'activity small', 'aria-label': 'Latest calls, newest first' },
            ...calls.map((a) =>
              h(
                'li',
                { 'data-ok': String(a.ok) },
                h('span', { class: 'muted' }, fmtTime(a.at)),
                ' ',
                badge(String(a.status), a.ok ? 'ok' : 'bad'),
                ' ',
                h('code', {}, `${a.method} ${a.path}`),
                a.auth ? ` · ${a.auth}` : '',
                a.detail ? h('div', { class: 'muted' }, a.detail) : null,
              ),
            ),
          )
        : h(
            'p',
            { class: 'muted small' },
            'The partner has not called the workspace yet with these credentials. This updates live.',
          ),
    );
  };
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let pending;
  const stop = bus.on('activity', (a) => {
    if (token !== dialogToken()) return stop();
    if (a.workspace_id !== wsId) return;
    clearTimeout(pending);
    pending = setTimeout(render, 150);
  });
  void render();
  return section;
}

/** @param {any} p @param {number} token */
export function confirmDelete(p, token) {
  const notifyBox = h('input', {
    type: 'checkbox',
    id: 'notify-partner',
    checked: Boolean(p.apis?.delete_connection),
    disabled: !p.apis?.delete_connection,
  });
  openDialog(
    dlg(),
    dialogHead(p, 'Delete connection'),
    h(
      'div',
      { class: 'screen' },
      h('h3', {}, `Delete the connection to ${p.name} in ${state.workspace.name}?`),
      h(
        'p',
        {},
        'Databricks deletes the service principal, revokes its token and removes the connection. The tile loses its check mark; connecting again creates a new connection.',
      ),
      h(
        'label',
        { class: 'check' },
        notifyBox,
        p.apis?.delete_connection
          ? ' Tell the partner (call its delete-connection API, as Databricks does). Untick to have Databricks forget the connection silently: the set-up of P400.'
          : ' The partner has no delete-connection API (endpoints.delete_connection_path): Databricks only forgets the connection.',
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        {
          type: 'button',
          class: 'btn',
          onclick: () => (connectionOf(p.id) ? openConnected(p.id) : closeDialog(dlg())),
        },
        'Cancel',
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'btn danger',
          id: 'confirm-delete',
          autofocus: true,
          onclick: async (ev) => {
            ev.currentTarget.disabled = true;
            const r = await api.deleteConnection(state.workspace.id, p.id, notifyBox.checked);
            if (token !== dialogToken()) return;
            if (!r.ok) return showApiError(p, r.error.message);
            const d = r.value;
            // The state event refreshes the tiles too; this makes the dialog right at once.
            state.workspace.connections = state.workspace.connections.filter((c) => c.partner_id !== p.id);
            bus.emit('context');
            openDialog(
              dlg(),
              dialogHead(p, 'Connection deleted'),
              h(
                'div',
                { class: 'screen screen-ok', id: 'delete-result' },
                h('h3', {}, 'The connection is deleted in Databricks'),
                h(
                  'p',
                  {},
                  d.partner_notified
                    ? [
                        'The partner was told; it answered ',
                        h('code', {}, d.resource_status ?? `HTTP ${d.verdict?.status ?? '?'}`),
                        '.',
                      ]
                    : 'The partner was not called: it still believes the connection exists (the situation of P400).',
                ),
                verdictLine(d.verdict),
                violationsList(d.verdict?.violations),
                h('p', {}, 'Click the tile again to create a new connection.'),
              ),
              h(
                'div',
                { class: 'actions' },
                inspectButton(d.exchange_ids),
                h(
                  'button',
                  { type: 'button', class: 'btn primary', id: 'reconnect', onclick: () => openConnect(p.id) },
                  `Connect again…`,
                ),
                h('button', { type: 'button', class: 'btn', onclick: () => closeDialog(dlg()) }, 'Done'),
              ),
            );
          },
        },
        'Delete connection',
      ),
    ),
  );
}

/**
 * Launch in one click: the tab is opened by the click (browsers refuse later pop-ups) and sent
 * to the partner's page once it answers the sign-in.
 * @param {any} p @param {any} user @param {number} token
 */
function launch(p, user, token) {
  const tab = window.open('', '_blank');
  if (tab) tab.opener = null;
  void runConnect(p, { user_id: user.id }, 'sign-in', token, tab);
}
