// @ts-check
/** The partner-side tools: the calls a partner's own product or its test clean-up would make (hooks, connector list). */
import { api } from '../api.js';
import { connectionOf, currentUser, notify, partnerDetail, state } from '../state.js';
import { badge, closeDialog, h, mount, openDialog, prettyJson } from '../dom.js';
import { dialogHead, dlg, inspectButton, nextDialogToken, verdictLine, violationsList } from './common.js';

/** @param {string} partnerId */
export async function openPartnerSide(partnerId) {
  const r = await partnerDetail(partnerId);
  if (!r.ok) return notify(r.error.message);
  const p = r.value;
  const conn = connectionOf(partnerId);
  nextDialogToken();
  openDialog(
    dlg(),
    dialogHead(
      p,
      conn
        ? [badge('✓ Connected', 'ok'), ` in ${state.workspace.name}`]
        : `not connected in ${state.workspace?.name ?? 'this workspace'}`,
    ),
    partnerSidePanel(p),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'btn', onclick: () => closeDialog(dlg()) }, 'Close'),
    ),
  );
}

/** @param {any} p */
export function partnerSidePanel(p) {
  const out = h('div', { class: 'hook-out', id: 'hook-out', 'aria-live': 'polite' });
  const conn = connectionOf(p.id);
  const creator = conn ? state.workspace.users.find((u) => u.id === conn.created_by) : undefined;
  const user = currentUser();
  const domain = h('input', {
    id: 'hook-domain',
    value: (creator ?? user)?.email.split('@')[1] ?? '',
    'aria-label': 'Domain whose partner account to delete',
    size: 26,
  });
  const missing = (api, path) => (p.apis?.[api] ? undefined : `not in partner.json (endpoints.${path})`);
  const hookButton = (label, hint, apiKey, path, run) => {
    const why = missing(apiKey, path);
    return h(
      'div',
      { class: 'hook' },
      h(
        'button',
        {
          type: 'button',
          class: 'btn',
          disabled: Boolean(why),
          dataset: { hook: apiKey },
          onclick: (ev) => runHook(p, label, ev.currentTarget, out, run),
        },
        label,
      ),
      h('span', { class: 'hint' }, why ?? hint),
    );
  };
  const ws = () => state.workspace.id;
  return h(
    'section',
    { class: 'col partner-side', 'aria-labelledby': 'h-side' },
    h('h3', { id: 'h-side' }, 'Partner side'),
    h(
      'p',
      { class: 'muted small' },
      "Calls the partner's own product or its test clean-up would make, not a Databricks user. Use them to set up the delete, expiry and test-connection journeys.",
    ),
    hookButton(
      'Delete connection (partner side)',
      'The partner drops the connection; Databricks keeps its own (P401, P402).',
      'delete_connection',
      'delete_connection_path',
      () => api.hook(ws(), p.id, 'delete-connection', {}),
    ),
    h(
      'div',
      { class: 'hook' },
      h(
        'button',
        {
          type: 'button',
          class: 'btn',
          disabled: !p.apis?.delete_account,
          dataset: { hook: 'delete_account' },
          onclick: (ev) =>
            runHook(p, 'Delete account', ev.currentTarget, out, () =>
              api.hook(ws(), p.id, 'delete-account', domain.value.trim() ? { domain: domain.value.trim() } : {}),
            ),
        },
        'Delete account',
      ),
      h(
        'span',
        { class: 'hint' },
        p.apis?.delete_account
          ? ['of domain ', domain, ' (test domains only: P403, P404, P405)']
          : 'not in partner.json (endpoints.delete_account_path)',
      ),
    ),
    hookButton(
      'Expire account',
      `The trial of ${user?.email ?? 'the current user'} ends (P500, P501).`,
      'expire_account',
      'expire_account_path',
      () => api.hook(ws(), p.id, 'expire-account', { user_id: user.id }),
    ),
    hookButton(
      'Test connection',
      'The partner checks the connection (P800, P801).',
      'test_connection',
      'test_connection_path',
      () => api.hook(ws(), p.id, 'test-connection', {}),
    ),
    hookButton(
      'List connectors',
      'Reads every page of the connector list (P900).',
      'connectors',
      'get_connectors_path',
      () => api.connectors(p.id),
    ),
    out,
  );
}

/** @param {any} p @param {string} label @param {HTMLButtonElement} button @param {HTMLElement} out @param {() => Promise<any>} run */
async function runHook(p, label, button, out, run) {
  button.disabled = true;
  mount(
    out,
    h(
      'p',
      { class: 'muted' },
      h('span', { class: 'spinner small', 'aria-hidden': 'true' }),
      ` ${label}: calling the partner…`,
    ),
  );
  const r = await run();
  button.disabled = false;
  if (!r.ok) {
    mount(out, h('div', { class: 'note note-bad' }, r.error.message));
    return;
  }
  const v = r.value;
  const parts = [
    h('h4', {}, label),
    verdictLine(v.verdict ? { ...v.verdict, status: v.verdict.status ?? v.status } : undefined),
    violationsList(v.verdict?.violations),
  ];
  if (Array.isArray(v.connectors)) {
    parts.push(
      h('p', { class: 'small' }, `${v.connectors.length} connector(s) on ${v.pages} page(s).`),
      v.connectors.length
        ? h(
            'table',
            { class: 'grid connectors' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', {}, 'identifier'),
                h('th', {}, 'name'),
                h('th', {}, 'type'),
                h('th', {}, 'description'),
              ),
            ),
            h(
              'tbody',
              {},
              v.connectors
                .slice(0, 200)
                .map((c) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, h('code', {}, String(c?.identifier ?? ''))),
                    h('td', {}, String(c?.name ?? '')),
                    h('td', {}, String(c?.type ?? '')),
                    h('td', {}, String(c?.description ?? '')),
                  ),
                ),
            ),
          )
        : null,
    );
  } else {
    parts.push(h('pre', { class: 'json small' }, prettyJson(v.response ?? null)));
  }
  parts.push(h('div', { class: 'actions left' }, inspectButton(v.exchange_ids)));
  mount(out, parts);
}
