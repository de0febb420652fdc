/**
 * The Partner Connect view: the gallery of tiles, the Connect dialog (resources, catalog,
 * destination location, progress with Databricks' retries, then Launch or the error screen),
 * the connected tile's details (Launch = sign-in, Delete connection) and the partner-side panel
 * (the test hooks and the connector list).
 */
import { api } from './api.js';
import { bus, connectionOf, currentUser, loadWorkspace, notify, partnerDetail, state, userName } from './app.js';
import { badge, closeDialog, dl, externalLink, fmtDateTime, fmtMs, fmtTime, h, httpUrl, mount, openDialog, prettyJson } from './dom.js';

const $ = (id) => document.getElementById(id);

export const CATEGORY_LABELS = {
  INGEST: 'Data ingestion',
  DATA_PREP_AND_TRANSFORM: 'Data preparation and transformation',
  SECURITY_AND_GOVERNANCE: 'Security and governance',
  BI_AND_VIZ: 'BI and visualisation',
  ML: 'Machine learning',
  DATA_QUALITY: 'Data quality',
  REVERSE_ETL: 'Reverse ETL',
  SEMANTIC_LAYER: 'Semantic layer',
  DATA_GOVERNANCE: 'Data governance',
};

/** Databricks' retry policy on HTTP 500 (CONTRACT §3): 3 retries after 1 s, 2 s, 4 s. */
const RETRY_NOTE = 'If the partner answers HTTP 500, Databricks retries 3 times, waiting 1 s, 2 s and 4 s in between: a failing partner keeps this screen up for about 7 s plus its own answer times.';

let dialogToken = 0;

export function initConnect() {
  bus.on('dialog-closed', () => {
    dialogToken++;
  });
}

/* --------------------------------------------------------------- gallery */

function initials(name) {
  const words = String(name).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  return (words.length > 1 ? words[0][0] + words[1][0] : (words[0] ?? '?').slice(0, 2)).toUpperCase();
}

function hue(text) {
  let n = 0;
  for (const ch of String(text)) n = (n * 31 + ch.codePointAt(0)) % 360;
  return n;
}

function logo(p, size = '') {
  return h('span', { class: ['logo', size, `hue-${hue(p.name) % 12}`], 'aria-hidden': 'true' }, initials(p.name));
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
        ? ['Acting as ', h('strong', {}, `${user.first_name} ${user.last_name}`.trim() || user.email), user.admin ? ' (workspace admin)' : ' (not an admin)', ' in ', h('strong', {}, ws.name), '. Click a tile to connect, as in Databricks; every call to the partner appears in the inspector.']
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
  const groups = new Map();
  for (const p of state.partners) {
    if (!groups.has(p.category)) groups.set(p.category, []);
    groups.get(p.category).push(p);
  }
  const sections = [...groups.entries()].map(([cat, partners]) =>
    h(
      'section',
      { class: 'category', 'aria-label': CATEGORY_LABELS[cat] ?? cat },
      h('h2', {}, CATEGORY_LABELS[cat] ?? cat),
      h('ul', { class: 'tiles' }, partners.map((p) => h('li', {}, tile(p)))),
    ),
  );
  // A refresh (a live event) must not take the keyboard focus away from a tile.
  const focused = view.contains(document.activeElement) ? document.activeElement.id : '';
  mount(view, head, sections);
  if (focused) document.getElementById(focused)?.focus();
}

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
        onclick: () => (connectionOf(p.id) ? openConnected(p.id) : openConnect(p.id)),
        'aria-label': `${p.name}${conn ? ' (connected)' : ''}`,
        disabled: !state.workspace || !currentUser(),
      },
      h('span', { class: 'tile-top' }, logo(p), conn ? h('span', { class: 'check', title: 'Connected in this workspace' }, '✓ Connected') : null),
      h('span', { class: 'tile-name' }, p.name),
      h('span', { class: 'tile-blurb' }, p.description_blurb ?? ''),
      h('span', { class: 'tile-foot' }, clouds.map((c) => badge(c, c === state.workspace?.cloud ? 'cloud' : 'muted')), unsupported ? badge(`not on ${state.workspace.cloud}`, 'warn') : null),
    ),
    h('button', { type: 'button', class: 'btn small ghost tile-side', id: `tile-side-${p.id}`, onclick: () => openPartnerSide(p.id) }, 'Partner-side tools…'),
  );
}

/* --------------------------------------------------------- dialog pieces */

function dialogHead(p, extra) {
  return h(
    'div',
    { class: 'dlg-head' },
    logo(p, 'big'),
    h('div', { class: 'dlg-title' }, h('h2', { id: 'dlg-title' }, p.name), extra ? h('div', { class: 'dlg-sub' }, extra) : null),
    h('button', { type: 'button', class: 'btn icon ghost', 'aria-label': 'Close', onclick: () => closeDialog($('dlg')) }, '✕'),
  );
}

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
  if (kinds.has('SqlEndpoint')) items.push(h('li', {}, 'A SQL warehouse (its JDBC URL and HTTP path go to the partner)'));
  if (kinds.has('InteractiveCluster')) items.push(h('li', {}, 'An interactive cluster'));
  if (kinds.has('DestLocation')) items.push(h('li', {}, 'Access to the destination (external) location you choose under Advanced options'));
  const perms = [
    ...(config.object_permissions ?? []).map((o) => `${o.level} on ${o.name}`),
    ...(config.data_permissions ?? []).map((d) => d.permission),
  ];
  if (perms.length) items.push(h('li', {}, 'Permissions for the service principal: ', perms.join(', ')));
  return h('ul', { class: 'resources' }, items);
}

function needsCatalog(config) {
  const kinds = new Set((config.resources_to_provision ?? []).map((r) => r.resource_type));
  return (config.data_permissions ?? []).length > 0 || kinds.has('SqlEndpoint') || kinds.has('InteractiveCluster') || kinds.has('DestLocation');
}

function resourcesView(r) {
  if (!r) return h('p', { class: 'muted' }, 'No resources recorded.');
  return dl([
    ['Service principal', h('code', {}, r.service_principal_id)],
    ['Personal access token', r.pat !== undefined ? h('code', { class: 'secret', title: 'secrets are never shown' }, r.pat) : undefined],
    ['OAuth secret', r.oauth_secret !== undefined ? h('code', { class: 'secret', title: 'secrets are never shown' }, r.oauth_secret) : undefined],
    ['OAuth U2M app', r.u2m_app_id ? h('code', {}, r.u2m_app_id) : undefined],
    ['SQL warehouse', r.warehouse ? [h('code', {}, r.warehouse.id), ' · ', h('code', {}, r.warehouse.http_path)] : undefined],
    ['Cluster', r.cluster ? h('code', {}, r.cluster.id) : undefined],
    ['Catalog', r.catalog_name],
    ['Destination location', r.destination_location ? h('code', {}, r.destination_location) : undefined],
    ['Status', r.status === 'active' ? badge('active', 'ok') : badge(`${r.status}${r.deleted_at ? ` ${fmtDateTime(r.deleted_at)}` : ''}`, 'muted')],
  ]);
}

function violationsList(violations) {
  if (!violations || violations.length === 0) return null;
  return h(
    'ul',
    { class: 'violations' },
    violations.map((v) => h('li', { class: `sev-${v.severity}` }, badge(v.severity, v.severity === 'error' ? 'bad' : 'warn'), ' ', h('code', {}, v.rule), ' ', v.message)),
  );
}

function verdictLine(verdict) {
  if (!verdict) return null;
  const parts = [verdict.compliant ? badge('follows the contract', 'ok') : badge('breaks the contract', 'bad')];
  if (verdict.status !== undefined && verdict.status !== null) parts.push(' HTTP ', h('strong', {}, String(verdict.status)));
  if (verdict.error_reason) parts.push(' · ', h('code', {}, verdict.error_reason));
  if (verdict.attempts > 1) parts.push(` · ${verdict.attempts} attempts`);
  if (verdict.network_error) parts.push(' · ', verdict.network_error);
  return h('p', { class: 'verdict' }, parts);
}

function inspectButton(ids, label = 'Show the call in the inspector') {
  if (!ids || ids.length === 0) return null;
  return h('button', { type: 'button', class: 'btn ghost', onclick: () => bus.emit('inspect', ids[ids.length - 1]) }, label);
}

/* --------------------------------------------------------- connect flow */

async function openConnect(partnerId) {
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
        h('select', { name: 'catalog', id: 'connect-catalog' }, catalogs.map((c) => h('option', { value: c }, c === 'hive_metastore' ? 'hive_metastore (legacy metastore)' : c))),
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
          h('input', { id: 'connect-dest', list: 'connect-dest-list', placeholder: 'none: the partner chooses', autocomplete: 'off' }),
          h('datalist', { id: 'connect-dest-list' }, (ws.external_locations ?? []).map((l) => h('option', { value: l }))),
          h('span', { class: 'hint' }, `External locations of this workspace: ${(ws.external_locations ?? []).join(', ') || 'none'}. Leave empty to send no destination_location.`),
        ),
      )
    : null;
  const token = ++dialogToken;
  openDialog(
    $('dlg'),
    dialogHead(p, [CATEGORY_LABELS[p.category] ?? p.category]),
    h('p', {}, p.description_blurb ?? ''),
    user && !user.admin
      ? h('p', { class: 'note' }, `${user.email} is not a workspace admin. In Databricks, creating a connection needs a workspace admin; pcsim lets you try anyway, so you can see what the partner answers.`)
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
      h('button', { type: 'button', class: 'btn', onclick: () => closeDialog($('dlg')) }, 'Cancel'),
      h(
        'button',
        {
          type: 'button',
          class: 'btn primary',
          id: 'connect-go',
          autofocus: true,
          onclick: () => {
            const body = { user_id: user.id };
            const cat = $('connect-catalog')?.value;
            if (cat) body.catalog_name = cat;
            const d = $('connect-dest')?.value?.trim();
            if (d) body.destination_location = d;
            runConnect(p, body, 'connect', token);
          },
        },
        'Connect',
      ),
    ),
  );
}

/** Calls connect (new connection or sign-in) and shows progress, then the result. */
async function runConnect(p, body, mode, token) {
  const ws = state.workspace;
  const wsId = ws.id;
  const started = performance.now();
  const elapsed = h('strong', { class: 'elapsed', id: 'connect-elapsed' }, '0.0 s');
  const attempts = h('ol', { class: 'attempt-log small', id: 'connect-attempts', 'aria-label': 'Attempts so far', hidden: true });
  const url = `${p.config.base_url}${p.config.endpoints.connect_path}`;
  openDialog(
    $('dlg'),
    dialogHead(p, mode === 'connect' ? 'Connecting…' : 'Signing in…'),
    h(
      'div',
      { class: 'progress', role: 'status', 'aria-live': 'polite', id: 'connect-progress' },
      h('span', { class: 'spinner', 'aria-hidden': 'true' }),
      h(
        'div',
        {},
        h('p', {}, mode === 'connect' ? 'Databricks created the resources and is calling the partner: ' : 'Databricks is asking the partner to sign you in: ', h('code', {}, `POST ${url}`)),
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
  const still = token === dialogToken && $('dlg').open;
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
    notify(o.outcome === 'error' ? `${p.name}: ${o.error?.title ?? 'error'}. ${o.error?.action ?? ''}` : `${p.name}: ${o.outcome.replace('_', ' ')}.`, o.outcome === 'error' ? 'error' : 'info');
    return;
  }
  let answer;
  if (o.exchange_ids?.length) {
    const ex = await api.exchange(o.exchange_ids[0]);
    if (ex.ok) answer = ex.value;
  }
  if (token !== dialogToken || !$('dlg').open) return;
  if (o.outcome === 'error') showErrorScreen(p, o, answer, token);
  else showSuccess(p, o, answer);
}

/** "Attempt 1 of 4: HTTP 500 after 12 ms. Databricks retries in 1.0 s." */
function attemptLine(a) {
  const answer = a.status !== undefined ? `HTTP ${a.status}` : a.error ?? 'no answer';
  const next = a.retry_in_ms !== undefined ? ` Databricks retries in ${(a.retry_in_ms / 1000).toFixed(1)} s.` : '';
  return `Attempt ${a.n} of ${a.of}: ${answer} after ${fmtMs(a.duration_ms)}.${next}`;
}

function showApiError(p, message) {
  openDialog(
    $('dlg'),
    dialogHead(p, 'pcsim could not make the call'),
    h('div', { class: 'screen screen-error' }, h('p', {}, message)),
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn primary', onclick: () => closeDialog($('dlg')) }, 'Close')),
  );
}

function launchLink(p, uri, label) {
  const safe = httpUrl(uri);
  if (!uri) return h('p', { class: 'note' }, 'The partner sent no redirect_uri: there is nothing to open.');
  if (!safe) {
    return h(
      'div',
      { class: 'note note-bad', id: 'launch-refused' },
      h('p', {}, 'pcsim will not open this redirect_uri: it is not an http(s) URL. Databricks opens only web pages; the partner must send an https:// address on one of its hostnames.'),
      h('code', { class: 'wrap' }, uri),
    );
  }
  return h('a', { href: safe, target: '_blank', rel: 'noopener noreferrer', class: 'btn primary launch', id: 'launch' }, label ?? `Launch ${p.name} ↗`);
}

function answerFacts(answer) {
  const b = answer?.response?.body;
  if (!b || typeof b !== 'object') return null;
  const facts = ['redirect_value', 'user_status', 'account_status', 'configured_resources', 'connection_id']
    .filter((k) => b[k] !== undefined)
    .map((k) => h('span', { class: 'fact' }, h('span', { class: 'muted' }, `${k}: `), h('code', {}, typeof b[k] === 'string' ? b[k] : JSON.stringify(b[k]))));
  return facts.length ? h('p', { class: 'facts' }, facts) : null;
}

function redirectCheck(answer) {
  const rc = answer?.redirect;
  if (!rc) return null;
  const ok = typeof rc.status === 'number' && rc.status >= 200 && rc.status < 400;
  return h('p', { class: 'small' }, ok ? badge(`page answers ${rc.status}`, 'ok') : badge(`page failed: ${rc.error ?? rc.status}`, 'bad'), ' pcsim opened the redirect_uri once to check it.');
}

/** A success that needed retries is worth knowing: a real user waited through the back-off. */
function retriesNote(answer) {
  const tries = answer?.attempts ?? [];
  if (tries.length < 2) return null;
  const failed = tries.slice(0, -1).map((t) => (t.status !== undefined ? `HTTP ${t.status}` : t.error ?? 'no answer'));
  return h('p', { class: 'warn small', id: 'connect-retries' }, `Databricks tried ${tries.length} times: the partner answered ${failed.join(', ')} first, and the user waited ${fmtMs(tries.reduce((n, t) => n + (t.waited_ms ?? 0), 0))} of back-off.`);
}

function showSuccess(p, o, answer) {
  const title = { connected: `Connected to ${p.name}`, signed_in: `Signed in to ${p.name}`, not_configured: `${p.name} did not set up a connection` }[o.outcome] ?? o.outcome;
  const explain = {
    connected: `Databricks saved the connection (id ${o.connection?.connection_id ?? '?'}) and keeps the resources it created. Launch opens the partner's page in a new tab, as Databricks does; the tile now shows a check mark.`,
    signed_in: 'Databricks already held a connection and sent is_connection_established: true; the partner answered with where to sign in. Launch opens it in a new tab.',
    not_configured: 'The partner answered configured_resources: false, so Databricks deleted the resources it created for this attempt and saved no connection. Launch opens the partner page where the user continues.',
  }[o.outcome];
  openDialog(
    $('dlg'),
    dialogHead(p, o.outcome === 'not_configured' ? badge('no connection', 'warn') : badge('✓ ' + (o.outcome === 'connected' ? 'connected' : 'signed in'), 'ok')),
    h(
      'div',
      { class: 'screen screen-ok', id: 'connect-result', dataset: { outcome: o.outcome } },
      h('h3', {}, title),
      h('p', {}, explain),
      answerFacts(answer),
      retriesNote(answer),
      h('div', { class: 'launch-row' }, launchLink(p, o.redirect_uri)),
      o.redirect_uri && httpUrl(o.redirect_uri) ? h('p', { class: 'muted small wrap' }, 'Opens ', h('code', {}, o.redirect_uri)) : null,
      redirectCheck(answer),
    ),
    h('details', { class: 'dev' }, h('summary', {}, 'For the developer: verdict and resources'), verdictLine(o.verdict), violationsList(o.verdict?.violations), h('h4', {}, o.resources_kept ? 'Resources (kept)' : 'Resources (deleted by Databricks)'), resourcesView(o.resources)),
    h('div', { class: 'actions' }, inspectButton(o.exchange_ids), h('button', { type: 'button', class: 'btn', onclick: () => closeDialog($('dlg')) }, 'Done')),
  );
}

function showErrorScreen(p, o, answer, token) {
  const e = o.error ?? { title: 'The partner answered with an error', action: '' };
  const signIn = externalLink(e.sign_in_page, `Sign in to ${p.name} ↗`, 'btn primary');
  const fix = [];
  if (e.kind === 'connection_not_found' || e.kind === 'account_not_found') {
    if (connectionOf(p.id)) fix.push(h('button', { type: 'button', class: 'btn danger', id: 'error-delete', onclick: () => confirmDelete(p, token) }, 'Delete the connection in Databricks'));
  }
  openDialog(
    $('dlg'),
    dialogHead(p, badge('could not connect', 'bad')),
    h(
      'div',
      { class: 'screen screen-error', id: 'connect-result', role: 'alert', dataset: { outcome: 'error', kind: e.kind ?? '' } },
      h('h3', { id: 'error-title' }, e.title),
      e.action ? h('p', { class: 'action', id: 'error-action' }, h('strong', {}, 'What to do: '), e.action) : null,
      e.display_message ? h('figure', { class: 'partner-message' }, h('figcaption', {}, `Message from ${p.name}:`), h('blockquote', { id: 'error-message' }, e.display_message)) : null,
      h('p', { class: 'small' }, o.resources_kept ? 'Databricks keeps the resources it created for this connection (service principal, token, warehouse), so it can be finished on the partner site.' : 'Databricks deleted the resources it created for this attempt (tokens revoked).'),
      signIn || fix.length ? h('div', { class: 'launch-row' }, signIn, fix) : null,
    ),
    h(
      'details',
      { class: 'dev', open: true },
      h('summary', {}, 'For the developer'),
      verdictLine(o.verdict),
      e.detail ? h('p', { class: 'small' }, e.detail) : null,
      violationsList(o.verdict?.violations),
      (o.verdict?.attempts ?? 0) > 1 ? h('p', { class: 'small muted' }, `Databricks tried ${o.verdict.attempts} times (retries after 1 s, 2 s, 4 s on HTTP 500).`) : null,
      answer?.response?.body?.debugging_message ? h('p', { class: 'small' }, 'debugging_message (logged, never shown to users): ', h('code', {}, String(answer.response.body.debugging_message))) : null,
      h('h4', {}, o.resources_kept ? 'Resources (kept by Databricks)' : 'Resources (deleted by Databricks)'),
      resourcesView(o.resources),
    ),
    h(
      'div',
      { class: 'actions' },
      inspectButton(o.exchange_ids),
      h('button', { type: 'button', class: 'btn', onclick: () => (connectionOf(p.id) ? openConnected(p.id) : openConnect(p.id)) }, 'Try again'),
      h('button', { type: 'button', class: 'btn', onclick: () => closeDialog($('dlg')) }, 'Close'),
    ),
  );
}

/* ------------------------------------------------------ connected tile */

async function openConnected(partnerId) {
  const r = await partnerDetail(partnerId);
  if (!r.ok) return notify(r.error.message);
  const p = r.value;
  const conn = connectionOf(partnerId);
  if (!conn) return openConnect(partnerId);
  const user = currentUser();
  const token = ++dialogToken;
  openDialog(
    $('dlg'),
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
          h('button', { type: 'button', class: 'btn primary', id: 'launch-signin', autofocus: true, onclick: () => runConnect(p, { user_id: user.id }, 'sign-in', token) }, `Launch ${p.name}`),
          h('button', { type: 'button', class: 'btn danger', id: 'delete-connection', onclick: () => confirmDelete(p, token) }, 'Delete connection'),
        ),
        h('p', { class: 'muted small' }, `Launch signs ${user.email} in: Databricks calls Connect with is_connection_established: true, then opens the partner's page.`),
        coreSection(p, conn, token),
      ),
      partnerSidePanel(p),
    ),
  );
}

const VERDICT_KIND = { passed: 'ok', failed: 'bad', pending: 'warn' };

/**
 * P200/P201 live: what the partner did in the workspace with the credentials of this connection
 * (SCIM, SQL, tables…) and the verdicts judged from it. Refreshed on each `activity` event while
 * the dialog is open.
 */
function coreSection(p, conn, token) {
  const wsId = state.workspace.id;
  const body = h('div', { id: 'core-body' }, h('p', { class: 'muted small' }, 'Loading…'));
  const section = h('section', { class: 'core', id: 'core-integration', 'aria-labelledby': 'h-core' }, h('h4', { id: 'h-core' }, 'Core integration: what the partner did in this workspace'), body);
  const render = async () => {
    const r = await api.activity(wsId, p.id);
    if (token !== dialogToken) return;
    if (!r.ok) return mount(body, h('p', { class: 'muted small' }, r.error.message));
    const mine = r.value.connections.find((c) => c.connection_id === conn.connection_id);
    if (!mine) return mount(body, h('p', { class: 'muted small' }, 'No activity is tracked for this connection.'));
    const calls = r.value.activity.filter((a) => a.resources_id === mine.resources_id).slice(0, 8);
    mount(
      body,
      h(
        'ul',
        { class: 'verdicts' },
        ...['P200', 'P201'].map((id) => {
          const v = mine.verdicts[id];
          return h('li', { 'data-journey': id }, badge(`${id} ${v.status}`, VERDICT_KIND[v.status] ?? ''), ' ', h('span', { class: 'small' }, v.reason));
        }),
      ),
      calls.length
        ? h(
            'ol',
            { class: 'activity small', 'aria-label': 'Latest calls, newest first' },
            ...calls.map((a) => h('li', { 'data-ok': String(a.ok) }, h('span', { class: 'muted' }, fmtTime(a.at)), ' ', badge(String(a.status), a.ok ? 'ok' : 'bad'), ' ', h('code', {}, `${a.method} ${a.path}`), a.auth ? ` · ${a.auth}` : '', a.detail ? h('div', { class: 'muted' }, a.detail) : null)),
          )
        : h('p', { class: 'muted small' }, 'The partner has not called the workspace yet with these credentials. This updates live.'),
    );
  };
  let pending = null;
  const stop = bus.on('activity', (a) => {
    if (token !== dialogToken) return stop();
    if (a.workspace_id !== wsId) return;
    clearTimeout(pending);
    pending = setTimeout(render, 150);
  });
  void render();
  return section;
}

function confirmDelete(p, token) {
  const notifyBox = h('input', { type: 'checkbox', id: 'notify-partner', checked: Boolean(p.apis?.delete_connection), disabled: !p.apis?.delete_connection });
  openDialog(
    $('dlg'),
    dialogHead(p, 'Delete connection'),
    h(
      'div',
      { class: 'screen' },
      h('h3', {}, `Delete the connection to ${p.name} in ${state.workspace.name}?`),
      h('p', {}, 'Databricks deletes the service principal, revokes its token and removes the connection. The tile loses its check mark; connecting again creates a new connection.'),
      h(
        'label',
        { class: 'check' },
        notifyBox,
        p.apis?.delete_connection
          ? " Tell the partner (call its delete-connection API, as Databricks does). Untick to have Databricks forget the connection silently: the set-up of P400."
          : ' The partner has no delete-connection API (endpoints.delete_connection_path): Databricks only forgets the connection.',
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'btn', onclick: () => (connectionOf(p.id) ? openConnected(p.id) : closeDialog($('dlg'))) }, 'Cancel'),
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
            if (token !== dialogToken) return;
            if (!r.ok) return showApiError(p, r.error.message);
            const d = r.value;
            // The state event refreshes the tiles too; this makes the dialog right at once.
            state.workspace.connections = state.workspace.connections.filter((c) => c.partner_id !== p.id);
            bus.emit('context');
            openDialog(
              $('dlg'),
              dialogHead(p, 'Connection deleted'),
              h(
                'div',
                { class: 'screen screen-ok', id: 'delete-result' },
                h('h3', {}, 'The connection is deleted in Databricks'),
                h('p', {}, d.partner_notified ? ['The partner was told; it answered ', h('code', {}, d.resource_status ?? `HTTP ${d.verdict?.status ?? '?'}`), '.'] : 'The partner was not called: it still believes the connection exists (the situation of P400).'),
                verdictLine(d.verdict),
                violationsList(d.verdict?.violations),
                h('p', {}, 'Click the tile again to create a new connection.'),
              ),
              h(
                'div',
                { class: 'actions' },
                inspectButton(d.exchange_ids),
                h('button', { type: 'button', class: 'btn primary', id: 'reconnect', onclick: () => openConnect(p.id) }, `Connect again…`),
                h('button', { type: 'button', class: 'btn', onclick: () => closeDialog($('dlg')) }, 'Done'),
              ),
            );
          },
        },
        'Delete connection',
      ),
    ),
  );
}

/* ---------------------------------------------------- partner-side tools */

async function openPartnerSide(partnerId) {
  const r = await partnerDetail(partnerId);
  if (!r.ok) return notify(r.error.message);
  const p = r.value;
  const conn = connectionOf(partnerId);
  ++dialogToken;
  openDialog(
    $('dlg'),
    dialogHead(p, conn ? [badge('✓ Connected', 'ok'), ` in ${state.workspace.name}`] : `not connected in ${state.workspace?.name ?? 'this workspace'}`),
    partnerSidePanel(p),
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', onclick: () => closeDialog($('dlg')) }, 'Close')),
  );
}

function partnerSidePanel(p) {
  const out = h('div', { class: 'hook-out', id: 'hook-out', 'aria-live': 'polite' });
  const conn = connectionOf(p.id);
  const creator = conn ? state.workspace.users.find((u) => u.id === conn.created_by) : undefined;
  const user = currentUser();
  const domain = h('input', { id: 'hook-domain', value: (creator ?? user)?.email.split('@')[1] ?? '', 'aria-label': 'Domain whose partner account to delete', size: 26 });
  const missing = (api, path) => (p.apis?.[api] ? undefined : `not in partner.json (endpoints.${path})`);
  const hookButton = (label, hint, apiKey, path, run) => {
    const why = missing(apiKey, path);
    return h(
      'div',
      { class: 'hook' },
      h('button', { type: 'button', class: 'btn', disabled: Boolean(why), dataset: { hook: apiKey }, onclick: (ev) => runHook(p, label, ev.currentTarget, out, run) }, label),
      h('span', { class: 'hint' }, why ?? hint),
    );
  };
  const ws = () => state.workspace.id;
  return h(
    'section',
    { class: 'col partner-side', 'aria-labelledby': 'h-side' },
    h('h3', { id: 'h-side' }, 'Partner side'),
    h('p', { class: 'muted small' }, "Calls the partner's own product or its test clean-up would make, not a Databricks user. Use them to set up the delete, expiry and test-connection journeys."),
    hookButton('Delete connection (partner side)', 'The partner drops the connection; Databricks keeps its own (P401, P402).', 'delete_connection', 'delete_connection_path', () => api.hook(ws(), p.id, 'delete-connection', {})),
    h(
      'div',
      { class: 'hook' },
      h('button', { type: 'button', class: 'btn', disabled: !p.apis?.delete_account, dataset: { hook: 'delete_account' }, onclick: (ev) => runHook(p, 'Delete account', ev.currentTarget, out, () => api.hook(ws(), p.id, 'delete-account', domain.value.trim() ? { domain: domain.value.trim() } : {})) }, 'Delete account'),
      h('span', { class: 'hint' }, p.apis?.delete_account ? ['of domain ', domain, ' (test domains only: P403, P404, P405)'] : 'not in partner.json (endpoints.delete_account_path)'),
    ),
    hookButton('Expire account', `The trial of ${user?.email ?? 'the current user'} ends (P500, P501).`, 'expire_account', 'expire_account_path', () => api.hook(ws(), p.id, 'expire-account', { user_id: user.id })),
    hookButton('Test connection', 'The partner checks the connection (P800, P801).', 'test_connection', 'test_connection_path', () => api.hook(ws(), p.id, 'test-connection', {})),
    hookButton('List connectors', 'Reads every page of the connector list (P900).', 'connectors', 'get_connectors_path', () => api.connectors(p.id)),
    out,
  );
}

async function runHook(p, label, button, out, run) {
  button.disabled = true;
  mount(out, h('p', { class: 'muted' }, h('span', { class: 'spinner small', 'aria-hidden': 'true' }), ` ${label}: calling the partner…`));
  const r = await run();
  button.disabled = false;
  if (!r.ok) {
    mount(out, h('div', { class: 'note note-bad' }, r.error.message));
    return;
  }
  const v = r.value;
  const parts = [h('h4', {}, label), verdictLine(v.verdict ? { ...v.verdict, status: v.verdict.status ?? v.status } : undefined), violationsList(v.verdict?.violations)];
  if (Array.isArray(v.connectors)) {
    parts.push(
      h('p', { class: 'small' }, `${v.connectors.length} connector(s) on ${v.pages} page(s).`),
      v.connectors.length
        ? h(
            'table',
            { class: 'grid connectors' },
            h('thead', {}, h('tr', {}, h('th', {}, 'identifier'), h('th', {}, 'name'), h('th', {}, 'type'), h('th', {}, 'description'))),
            h('tbody', {}, v.connectors.slice(0, 200).map((c) => h('tr', {}, h('td', {}, h('code', {}, String(c?.identifier ?? ''))), h('td', {}, String(c?.name ?? '')), h('td', {}, String(c?.type ?? '')), h('td', {}, String(c?.description ?? ''))))),
          )
        : null,
    );
  } else {
    parts.push(h('pre', { class: 'json small' }, prettyJson(v.response ?? null)));
  }
  parts.push(h('div', { class: 'actions left' }, inspectButton(v.exchange_ids)));
  mount(out, parts);
}
