// @ts-check
/**
 * The inspector: every exchange with a partner, newest first, live from /api/events. Each row
 * expands to the request and response (headers redacted, bodies pretty-printed), the attempts
 * with Databricks' back-off, the timing, the redirect check and the contract violations; and
 * "copy as curl" (redacted values stay redacted).
 */
import { api } from './api.js';
import { $, bus, notify, state } from './state.js';
import { badge, fmtMs, fmtTime, h, mount } from './dom.js';
import { attemptsTable, bodyBlock, curlOf, headersTable } from './exchange-view.js';

export { curlOf };

const MAX_ROWS = 200;

/** Newest first; a UI run's exchanges carry run_id (they are not in the server's journal). @type {any[]} */
let exchanges = [];
/** @type {Set<string>} */
const open = new Set();
let onlyWorkspace = false;
let total = 0;

export function initInspector() {
  const aside = $('inspector');
  const list = h('ol', { class: 'journal', id: 'journal', 'aria-label': 'Exchanges, newest first' });
  const count = h('span', { class: 'muted small', id: 'journal-count' });
  const only = h('input', {
    type: 'checkbox',
    id: 'journal-only-ws',
    onchange: (/** @type {Event} */ ev) => {
      onlyWorkspace = /** @type {HTMLInputElement} */ (ev.target).checked;
      render();
    },
  });
  mount(
    aside,
    h(
      'div',
      { class: 'inspector-head' },
      h('h2', { id: 'h-inspector' }, 'Inspector'),
      count,
      h('span', { class: 'spacer' }),
      h(
        'label',
        { class: 'check small', title: 'Show only the calls of the selected workspace' },
        only,
        ' this workspace',
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'btn small ghost',
          id: 'journal-record',
          title:
            "Download the calls shown (this workspace's when ticked, else all) as a scenario file that pcsim run --scenario replays",
          onclick: saveScenario,
        },
        'Save scenario',
      ),
      clearButton(),
    ),
    h(
      'p',
      { class: 'muted small inspector-hint' },
      'Every call Databricks made to a partner, newest first. Click one to see the request, the answer, the retries and the contract verdict.',
    ),
    list,
  );
  bus.on('exchange', (ex) => {
    exchanges = [ex, ...exchanges.filter((e) => e.id !== ex.id)].slice(0, MAX_ROWS);
    if (!ex.run_id) total++;
    render();
  });
  bus.on('state', (changed) => {
    if (changed.includes('journal')) load();
  });
  bus.on('context', () => {
    if (onlyWorkspace) render();
  });
  bus.on('inspect', async (id) => {
    if (document.body.classList.contains('no-inspector')) $('inspector-toggle').click();
    if (!exchanges.some((e) => e.id === id)) {
      const r = await api.exchange(id);
      if (r.ok) exchanges = [r.value, ...exchanges];
    }
    open.add(id);
    render();
    const row = document.querySelector(`[data-exchange="${CSS.escape(id)}"]`);
    row?.scrollIntoView({ block: 'nearest' });
    /** @type {HTMLElement | null | undefined} */ (row?.querySelector('button.ex-toggle'))?.focus();
  });
  load();
}

async function load() {
  const r = await api.journal({ limit: MAX_ROWS });
  if (!r.ok) return notify(r.error.message);
  // The runs' exchanges are not in the journal: keep those already shown.
  exchanges = [...exchanges.filter((e) => e.run_id), ...r.value.exchanges]
    .sort((a, b) => String(b.at).localeCompare(String(a.at)))
    .slice(0, MAX_ROWS);
  total = r.value.total;
  render();
}

/** Record → replay from the UI: the calls the inspector shows (this workspace's, or all) as a scenario file. */
async function saveScenario() {
  let wsId;
  let name = 'pcsim-journal';
  if (onlyWorkspace) {
    const ws = state.workspaces.find((w) => w.id === state.wsId);
    if (!ws)
      return notify(
        'Failed to save a scenario: no workspace is selected. Expected a workspace in the switcher, or "this workspace" unticked to save every call.',
      );
    wsId = ws.id;
    name =
      ws.name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '') || 'recorded';
  }
  const r = await api.recordedScenario(wsId, name);
  if (!r.ok) return notify(r.error.message);
  const url = URL.createObjectURL(r.value.blob);
  const a = h('a', { href: url, download: r.value.filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  notify(
    `Saved ${r.value.filename}: replay it with pcsim run --partner partner.json --scenario ${r.value.filename}, or with Run scenario files… on the Journeys page`,
    'info',
  );
}

/**
 * Clear empties the server's journal (what Save scenario and `pcsim record --from` read), so it
 * asks first, in place: the button turns into a confirmation for a few seconds.
 */
function clearButton() {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let disarm;
  const button = /** @type {HTMLButtonElement} */ (
    h(
      'button',
      {
        type: 'button',
        class: 'btn small ghost',
        id: 'journal-clear',
        title: "Empty the server's journal (what Save scenario and pcsim record --from read)",
        onclick: async () => {
          if (button.dataset.armed !== 'true') {
            button.dataset.armed = 'true';
            button.textContent = `Clear ${total} call${total === 1 ? '' : 's'}?`;
            button.classList.add('danger');
            disarm = setTimeout(reset, 5000);
            return;
          }
          clearTimeout(disarm);
          reset();
          const r = await api.clearJournal();
          if (!r.ok) return notify(r.error.message);
          exchanges = [];
          total = 0;
          open.clear();
          render();
        },
        onblur: () => setTimeout(() => document.activeElement !== button && reset(), 200),
      },
      'Clear',
    )
  );
  const reset = () => {
    button.dataset.armed = 'false';
    button.textContent = 'Clear';
    button.classList.remove('danger');
  };
  return button;
}

function render() {
  const list = $('journal');
  const shown = onlyWorkspace && state.wsId ? exchanges.filter((e) => e.workspace_id === state.wsId) : exchanges;
  $('journal-count').textContent =
    `${shown.length}${total > exchanges.length ? ` of ${total}` : ''} call${shown.length === 1 ? '' : 's'}`;
  if (shown.length === 0) {
    mount(
      list,
      h(
        'li',
        { class: 'empty small' },
        'No calls yet. Click a partner tile: the Connect call will appear here as it happens.',
      ),
    );
    return;
  }
  mount(list, shown.map(row));
}

/** @type {Record<string, string>} */
const KIND_LABELS = {
  connect: 'connect',
  delete_connection: 'delete-connection',
  delete_account: 'delete-account',
  expire_account: 'expire-account',
  test_connection: 'test-connection',
  connectors: 'connectors',
};

function statusBadge(ex) {
  const s = ex.response?.status;
  if (s === undefined) return badge(ex.error ? 'no answer' : '—', 'bad');
  return badge(String(s), s >= 500 ? 'bad' : s >= 400 ? 'warn' : 'ok');
}

function severityCounts(ex) {
  const errors = (ex.violations ?? []).filter((v) => v.severity === 'error').length;
  const warnings = (ex.violations ?? []).length - errors;
  return [
    errors ? badge(`${errors} error${errors > 1 ? 's' : ''}`, 'bad') : null,
    warnings ? badge(`${warnings} warning${warnings > 1 ? 's' : ''}`, 'warn') : null,
  ];
}

function wsName(id) {
  return state.workspaces.find((w) => w.id === id)?.name;
}

function row(ex) {
  const isOpen = open.has(ex.id);
  let path = ex.request?.url ?? '';
  try {
    path = new URL(path).pathname;
  } catch {
    /* shown as is */
  }
  const established = ex.kind === 'connect' ? ex.request?.body?.user_info?.is_connection_established : undefined;
  return h(
    'li',
    {
      class: ['ex', (ex.violations ?? []).some((v) => v.severity === 'error') && 'has-errors'],
      dataset: { exchange: ex.id },
    },
    h(
      'button',
      {
        type: 'button',
        class: 'ex-toggle',
        'aria-expanded': String(isOpen),
        onclick: () => {
          if (open.has(ex.id)) open.delete(ex.id);
          else open.add(ex.id);
          render();
        },
      },
      h('span', { class: 'ex-time' }, fmtTime(ex.at)),
      h(
        'span',
        { class: 'ex-kind' },
        KIND_LABELS[ex.kind] ?? ex.kind,
        established === true ? ' (sign-in)' : established === false ? ' (new)' : '',
      ),
      ex.run_id ? badge(`run ${ex.run_id}`, 'info') : null,
      h('span', { class: 'ex-path' }, `${ex.request?.method ?? ''} ${path}`),
      statusBadge(ex),
      (ex.attempts?.length ?? 0) > 1 ? badge(`${ex.attempts.length} attempts`, 'warn') : null,
      severityCounts(ex),
      h('span', { class: 'ex-dur muted' }, fmtMs(ex.duration_ms)),
    ),
    isOpen ? detail(ex) : null,
  );
}

function detail(ex) {
  const req = ex.request ?? {};
  const res = ex.response;
  const curlOut = h('div', { class: 'curl-out' });
  const ws = ex.workspace_id ? wsName(ex.workspace_id) : undefined;
  return h(
    'div',
    { class: 'ex-detail' },
    h(
      'p',
      { class: 'small ex-meta' },
      `${ex.at ? new Date(ex.at).toLocaleString() : ''} · partner `,
      h('code', {}, ex.partner ?? '?'),
      ex.run_id ? [' · run ', h('code', {}, ex.run_id), ' (a throw-away workspace of the run)'] : null,
      ex.workspace_id && !ex.run_id ? [' · workspace ', ws ? `${ws} ` : '', h('code', {}, ex.workspace_id)] : null,
      ex.user_id ? [' · user ', h('code', {}, ex.user_id)] : null,
      ` · took ${fmtMs(ex.duration_ms)}`,
    ),
    (ex.violations ?? []).length
      ? h(
          'ul',
          { class: 'violations' },
          [...ex.violations]
            .sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1))
            .map((v) =>
              h(
                'li',
                { class: `sev-${v.severity}` },
                badge(v.severity, v.severity === 'error' ? 'bad' : 'warn'),
                ' ',
                h('code', {}, v.rule),
                v.field ? [' at ', h('code', {}, v.field)] : null,
                h('br'),
                v.message,
              ),
            ),
        )
      : h('p', { class: 'small' }, badge('follows the contract', 'ok'), ' no violations'),
    h('h4', {}, 'Request'),
    h('p', { class: 'mono small wrap' }, h('strong', {}, req.method ?? ''), ' ', req.url ?? ''),
    headersTable(req.headers),
    bodyBlock(req.body),
    h('h4', {}, 'Attempts'),
    attemptsTable(ex),
    h('h4', {}, res ? `Response ${res.status}` : 'Response'),
    res
      ? [
          headersTable(res.headers),
          bodyBlock(res.body, res.body_text),
          res.truncated ? h('p', { class: 'note small' }, `The body was cut: ${res.body_bytes} bytes in all.`) : null,
        ]
      : h('p', { class: 'note note-bad small' }, `No answer: ${ex.error ?? 'unknown error'}`),
    ex.redirect
      ? [
          h('h4', {}, 'Redirect check'),
          h(
            'p',
            { class: 'small wrap' },
            'pcsim opened ',
            h('code', {}, ex.redirect.url),
            ': ',
            ex.redirect.status !== undefined
              ? badge(String(ex.redirect.status), ex.redirect.status < 400 ? 'ok' : 'bad')
              : badge(ex.redirect.error ?? 'failed', 'bad'),
            ` in ${fmtMs(ex.redirect.duration_ms)}`,
          ),
        ]
      : null,
    h(
      'div',
      { class: 'actions left' },
      h(
        'button',
        {
          type: 'button',
          class: 'btn small',
          onclick: async () => {
            const text = curlOf(ex);
            let copied = false;
            try {
              await navigator.clipboard.writeText(text);
              copied = true;
            } catch {
              /* no clipboard (permissions): the text is shown to select by hand */
            }
            mount(
              curlOut,
              h('p', { class: 'small' }, copied ? 'Copied to the clipboard:' : 'Select and copy:'),
              h('pre', { class: 'json curl', tabindex: '0' }, text),
            );
          },
        },
        'Copy as curl',
      ),
      h('span', { class: 'muted small' }, 'secrets stay redacted'),
    ),
    curlOut,
  );
}
