// @ts-check
/**
 * Connecting, as in Databricks: the dialog (resources, catalog, destination location), the
 * progress with Databricks' retries, then Launch or the error screen. Launch of a connected
 * tile (sign-in) uses the same call and opens the partner in one click.
 */
import { api } from '../api.js';
import { bus, connectionOf, currentUser, loadWorkspace, notify, partnerDetail, state, $ } from '../state.js';
import { badge, closeDialog, externalLink, h, httpUrl, openDialog } from '../dom.js';
import {
  CATEGORY_LABELS,
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
import { answerFacts, attemptLine, launchLink, redirectCheck, retriesNote } from './answer.js';

/** Databricks' retry policy on HTTP 500 (CONTRACT §3): 3 retries after 1 s, 2 s, 4 s. */
const RETRY_NOTE =
  'If the partner answers HTTP 500, Databricks retries 3 times, waiting 1 s, 2 s and 4 s in between: a failing partner keeps this screen up for about 7 s plus its own answer times.';

/** @type {Record<string, string>} */
const AUTH_TEXT = {
  AUTH_PAT: 'A personal access token (PAT) for the service principal, sent in the Connect call',
  AUTH_OAUTH_M2M: 'An OAuth secret for the service principal (machine-to-machine), sent in the Connect call',
  AUTH_OAUTH_U2M: 'An OAuth app for user sign-in (U2M)',
};

function resourcesToCreate(config) {
  const kinds = new Set((config.resources_to_provision ?? []).map((r) => r.resource_type));
  const auth = config.auth_options && config.auth_options.length ? config.auth_options : ['AUTH_PAT'];
  const items = [h('li', {}, 'A service principal that acts for the partner in this workspace')];
  for (const a of auth) items.push(h('li', {}, AUTH_TEXT[a] ?? a));
  if (kinds.has('SqlEndpoint'))
    items.push(h('li', {}, 'A SQL warehouse (its JDBC URL and HTTP path go to the partner)'));
  if (kinds.has('InteractiveCluster')) items.push(h('li', {}, 'An interactive cluster'));
  if (kinds.has('DestLocation'))
    items.push(h('li', {}, 'Access to the destination (external) location you choose under Advanced options'));
  const perms = [
    ...(config.object_permissions ?? []).map((o) => `${o.level} on ${o.name}`),
    ...(config.data_permissions ?? []).map((d) => d.permission),
  ];
  if (perms.length) items.push(h('li', {}, 'Permissions for the service principal: ', perms.join(', ')));
  return h('ul', { class: 'resources' }, items);
}

function needsCatalog(config) {
  const kinds = new Set((config.resources_to_provision ?? []).map((r) => r.resource_type));
  return (
    (config.data_permissions ?? []).length > 0 ||
    kinds.has('SqlEndpoint') ||
    kinds.has('InteractiveCluster') ||
    kinds.has('DestLocation')
  );
}

/** @param {string} partnerId */
export async function openConnect(partnerId) {
  const r = await partnerDetail(partnerId);
  if (!r.ok) return notify(r.error.message);
  const p = r.value;
  const ws = state.workspace;
  const user = currentUser();
  const config = p.config;
  const kinds = new Set((config.resources_to_provision ?? []).map((x) => x.resource_type));
  const catalogs = ws.catalogs ?? [];
  const catalog = needsCatalog(config)
    ? h(
        'label',
        { class: 'field' },
        h('span', { class: 'field-label' }, 'Catalog'),
        h(
          'select',
          { name: 'catalog', id: 'connect-catalog' },
          catalogs.map((c) =>
            h('option', { value: c }, c === 'hive_metastore' ? 'hive_metastore (legacy metastore)' : c),
          ),
        ),
        h('span', { class: 'hint' }, 'The Unity Catalog catalog the partner reads and writes (sent as catalog_name).'),
      )
    : null;
  const dest = kinds.has('DestLocation')
    ? h(
        'details',
        { class: 'advanced', open: false },
        h('summary', {}, 'Advanced options'),
        h(
          'label',
          { class: 'field' },
          h('span', { class: 'field-label' }, 'Destination location'),
          h('input', {
            id: 'connect-dest',
            list: 'connect-dest-list',
            placeholder: 'none: the partner chooses',
            autocomplete: 'off',
          }),
          h(
            'datalist',
            { id: 'connect-dest-list' },
            (ws.external_locations ?? []).map((l) => h('option', { value: l })),
          ),
          h(
            'span',
            { class: 'hint' },
            `External locations of this workspace: ${(ws.external_locations ?? []).join(', ') || 'none'}. Leave empty to send no destination_location.`,
          ),
        ),
      )
    : null;
  const token = nextDialogToken();
  openDialog(
    dlg(),
    dialogHead(p, [CATEGORY_LABELS[p.category] ?? p.category]),
    h('p', {}, p.description_blurb ?? ''),
    user && !user.admin
      ? h(
          'p',
          { class: 'note' },
          `${user.email} is not a workspace admin. In Databricks, creating a connection needs a workspace admin; pcsim lets you try anyway, so you can see what the partner answers.`,
        )
      : null,
    h('h3', {}, `Databricks will create in ${ws.name}`),
    resourcesToCreate(config),
    catalog,
    dest,
    h(
      'p',
      { class: 'muted small' },
      'Connect calls ',
      h('code', {}, `POST ${config.base_url}${config.endpoints.connect_path}`),
      ` as ${user.email} with is_connection_established: false${ws.demo ? ' and demo: true (demo workspace)' : ''}.`,
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'btn', onclick: () => closeDialog(dlg()) }, 'Cancel'),
      h(
        'button',
        {
          type: 'button',
          class: 'btn primary',
          id: 'connect-go',
          autofocus: true,
          onclick: () => {
            /** @type {Record<string, string>} */
            const body = { user_id: user.id };
            const cat = /** @type {HTMLSelectElement | null} */ ($('connect-catalog'))?.value;
            if (cat) body.catalog_name = cat;
            const d = /** @type {HTMLInputElement | null} */ ($('connect-dest'))?.value?.trim();
            if (d) body.destination_location = d;
            runConnect(p, body, 'connect', token);
          },
        },
        'Connect',
      ),
    ),
  );
}

/**
 * Calls connect (new connection or sign-in) and shows progress, then the result. launchTab: a
 * tab opened by the click itself (browsers allow that only during a click), sent to the
 * redirect_uri once the partner answers, or closed when there is nothing to open.
 * @param {any} p @param {any} body @param {'connect' | 'sign-in'} mode @param {number} token
 * @param {Window | null} [launchTab]
 */
export async function runConnect(p, body, mode, token, launchTab = null) {
  const ws = state.workspace;
  const wsId = ws.id;
  const started = performance.now();
  const elapsed = h('strong', { class: 'elapsed', id: 'connect-elapsed' }, '0.0 s');
  const attempts = h('ol', {
    class: 'attempt-log small',
    id: 'connect-attempts',
    'aria-label': 'Attempts so far',
    hidden: true,
  });
  const url = `${p.config.base_url}${p.config.endpoints.connect_path}`;
  openDialog(
    dlg(),
    dialogHead(p, mode === 'connect' ? 'Connecting…' : 'Signing in…'),
    h(
      'div',
      { class: 'progress', role: 'status', 'aria-live': 'polite', id: 'connect-progress' },
      h('span', { class: 'spinner', 'aria-hidden': 'true' }),
      h(
        'div',
        {},
        h(
          'p',
          {},
          mode === 'connect'
            ? 'Databricks created the resources and is calling the partner: '
            : 'Databricks is asking the partner to sign you in: ',
          h('code', {}, `POST ${url}`),
        ),
        h('p', {}, 'Waiting for the partner: ', elapsed),
        attempts,
        h('p', { class: 'muted small' }, RETRY_NOTE),
      ),
    ),
  );
  const timer = setInterval(() => {
    elapsed.textContent = `${((performance.now() - started) / 1000).toFixed(1)} s`;
  }, 100);
  // Each attempt is announced as it ends (server-sent events), so a retrying partner is visible while it happens.
  const stopAttempts = bus.on('attempt', (a) => {
    if (a.workspace_id !== wsId || a.partner !== p.id || a.kind !== 'connect') return;
    attempts.hidden = false;
    attempts.append(h('li', { 'data-status': String(a.status ?? 'error') }, attemptLine(a)));
  });
  const r = await api.connect(wsId, p.id, body);
  clearInterval(timer);
  stopAttempts();
  const still = token === dialogToken() && dlg().open;
  // One-click Launch: the tab opened by the click goes to the partner's page, or closes.
  const target = r.ok && r.value.outcome !== 'error' ? httpUrl(r.value.redirect_uri) : null;
  if (launchTab && target) launchTab.location.href = target;
  else launchTab?.close();
  if (!r.ok) {
    if (still) showApiError(p, r.error.message);
    else notify(r.error.message);
    return;
  }
  const o = r.value;
  // The live event refreshes the tiles too; this makes them right even if it comes late.
  void loadWorkspace();
  if (!still) {
    // The dialog was closed meanwhile: say how it ended where the user is.
    notify(
      o.outcome === 'error'
        ? `${p.name}: ${o.error?.title ?? 'error'}. ${o.error?.action ?? ''}`
        : `${p.name}: ${o.outcome.replace('_', ' ')}.`,
      o.outcome === 'error' ? 'error' : 'info',
    );
    return;
  }
  let answer;
  if (o.exchange_ids?.length) {
    const ex = await api.exchange(o.exchange_ids[0]);
    if (ex.ok) answer = ex.value;
  }
  if (token !== dialogToken() || !dlg().open) return;
  if (o.outcome === 'error') showErrorScreen(p, o, answer, token);
  else showSuccess(p, o, answer, Boolean(launchTab && target));
}

/** @param {any} p @param {any} o @param {any} answer @param {boolean} [opened] the partner's page was opened already */
function showSuccess(p, o, answer, opened = false) {
  const title =
    {
      connected: `Connected to ${p.name}`,
      signed_in: `Signed in to ${p.name}`,
      not_configured: `${p.name} did not set up a connection`,
    }[o.outcome] ?? o.outcome;
  const explain = {
    connected: `Databricks saved the connection (id ${o.connection?.connection_id ?? '?'}) and keeps the resources it created. Launch opens the partner's page in a new tab, as Databricks does; the tile now shows a check mark.`,
    signed_in:
      'Databricks already held a connection and sent is_connection_established: true; the partner answered with where to sign in. Launch opens it in a new tab.',
    not_configured:
      'The partner answered configured_resources: false, so Databricks deleted the resources it created for this attempt and saved no connection. Launch opens the partner page where the user continues.',
  }[o.outcome];
  openDialog(
    dlg(),
    dialogHead(
      p,
      o.outcome === 'not_configured'
        ? badge('no connection', 'warn')
        : badge('✓ ' + (o.outcome === 'connected' ? 'connected' : 'signed in'), 'ok'),
    ),
    h(
      'div',
      { class: 'screen screen-ok', id: 'connect-result', dataset: { outcome: o.outcome } },
      h('h3', {}, title),
      h('p', {}, explain),
      answerFacts(answer),
      retriesNote(answer),
      opened
        ? h('p', { id: 'launched' }, badge('opened in a new tab', 'info'), " The partner's page opened in a new tab.")
        : null,
      h('div', { class: 'launch-row' }, launchLink(p, o.redirect_uri, opened ? `Open ${p.name} again ↗` : undefined)),
      o.redirect_uri && httpUrl(o.redirect_uri)
        ? h('p', { class: 'muted small wrap' }, 'Opens ', h('code', {}, o.redirect_uri))
        : null,
      redirectCheck(answer),
    ),
    h(
      'details',
      { class: 'dev' },
      h('summary', {}, 'For the developer: verdict and resources'),
      verdictLine(o.verdict),
      violationsList(o.verdict?.violations),
      h('h4', {}, o.resources_kept ? 'Resources (kept)' : 'Resources (deleted by Databricks)'),
      resourcesView(o.resources),
    ),
    h(
      'div',
      { class: 'actions' },
      inspectButton(o.exchange_ids),
      h('button', { type: 'button', class: 'btn', onclick: () => closeDialog(dlg()) }, 'Done'),
    ),
  );
}

/** @param {any} p @param {any} o @param {any} answer @param {number} _token */
function showErrorScreen(p, o, answer, _token) {
  const e = o.error ?? { title: 'The partner answered with an error', action: '' };
  const signIn = externalLink(e.sign_in_page, `Sign in to ${p.name} ↗`, 'btn primary');
  const fix = [];
  if (e.kind === 'connection_not_found' || e.kind === 'account_not_found') {
    if (connectionOf(p.id))
      fix.push(
        h(
          'button',
          {
            type: 'button',
            class: 'btn danger',
            id: 'error-delete',
            onclick: () => bus.emit('open', { view: 'delete', partner: p.id }),
          },
          'Delete the connection in Databricks',
        ),
      );
  }
  openDialog(
    dlg(),
    dialogHead(p, badge('could not connect', 'bad')),
    h(
      'div',
      {
        class: 'screen screen-error',
        id: 'connect-result',
        role: 'alert',
        dataset: { outcome: 'error', kind: e.kind ?? '' },
      },
      h('h3', { id: 'error-title' }, e.title),
      e.action ? h('p', { class: 'action', id: 'error-action' }, h('strong', {}, 'What to do: '), e.action) : null,
      e.display_message
        ? h(
            'figure',
            { class: 'partner-message' },
            h('figcaption', {}, `Message from ${p.name}:`),
            h('blockquote', { id: 'error-message' }, e.display_message),
          )
        : null,
      h(
        'p',
        { class: 'small' },
        o.resources_kept
          ? 'Databricks keeps the resources it created for this connection (service principal, token, warehouse), so it can be finished on the partner site.'
          : 'Databricks deleted the resources it created for this attempt (tokens revoked).',
      ),
      signIn || fix.length ? h('div', { class: 'launch-row' }, signIn, fix) : null,
    ),
    h(
      'details',
      { class: 'dev', open: true },
      h('summary', {}, 'For the developer'),
      verdictLine(o.verdict),
      e.detail ? h('p', { class: 'small' }, e.detail) : null,
      violationsList(o.verdict?.violations),
      (o.verdict?.attempts ?? 0) > 1
        ? h(
            'p',
            { class: 'small muted' },
            `Databricks tried ${o.verdict.attempts} times (retries after 1 s, 2 s, 4 s on HTTP 500).`,
          )
        : null,
      answer?.response?.body?.debugging_message
        ? h(
            'p',
            { class: 'small' },
            'debugging_message (logged, never shown to users): ',
            h('code', {}, String(answer.response.body.debugging_message)),
          )
        : null,
      h('h4', {}, o.resources_kept ? 'Resources (kept by Databricks)' : 'Resources (deleted by Databricks)'),
      resourcesView(o.resources),
    ),
    h(
      'div',
      { class: 'actions' },
      inspectButton(o.exchange_ids),
      h(
        'button',
        {
          type: 'button',
          class: 'btn',
          onclick: () =>
            connectionOf(p.id) ? bus.emit('open', { view: 'connected', partner: p.id }) : openConnect(p.id),
        },
        'Try again',
      ),
      h('button', { type: 'button', class: 'btn', onclick: () => closeDialog(dlg()) }, 'Close'),
    ),
  );
}
