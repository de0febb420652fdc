// @ts-check
/**
 * The admin API from the page. Errors are values: every call resolves to {ok: true, value} or
 * {ok: false, error: {code, message}}, where message reads "Failed to X: reason. Expected Y.".
 * ids are decimal strings in and out (never Number: int64 ids above 2^53 would be rounded).
 */

const enc = encodeURIComponent;

/**
 * @typedef {{code: string, message: string, details?: any}} ApiProblem
 * @typedef {{ok: true, status?: number, value: any} | {ok: false, status?: number, error: ApiProblem}} ApiResult
 */

/**
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<ApiResult>}
 */
async function call(method, path, body) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (err) {
    return {
      ok: false,
      error: {
        code: 'network',
        message: `Failed to ${method} ${path}: ${/** @type {Error} */ (err)?.message ?? err}. Expected pcsim serve to be running.`,
      },
    };
  }
  let parsed;
  const text = await res.text();
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    return {
      ok: false,
      error: {
        code: 'bad_answer',
        message: `Failed to ${method} ${path}: the answer is not JSON (HTTP ${res.status}). Expected JSON from the admin API.`,
      },
    };
  }
  if (!res.ok) {
    const e = parsed?.error ?? {};
    return {
      ok: false,
      status: res.status,
      error: {
        code: e.code ?? `http_${res.status}`,
        message: e.message ?? `Failed to ${method} ${path}: HTTP ${res.status}.`,
        details: e.details,
      },
    };
  }
  return { ok: true, status: res.status, value: parsed };
}

/**
 * The pages of a paginated listing (page_token / next_page_token), in big pages, up to `pages`
 * of them; `more` says whether the listing goes on.
 * @param {string} path
 * @param {string} key the array of the answer
 * @param {number} [pages]
 * @returns {Promise<ApiResult & {more?: boolean}>}
 */
async function all(path, key, pages = 100) {
  /** @type {unknown[]} */
  const items = [];
  let token = '';
  for (let page = 0; page < pages; page++) {
    const r = await call(
      'GET',
      `${path}?${new URLSearchParams({ limit: '200', ...(token ? { page_token: token } : {}) })}`,
    );
    if (!r.ok) return r;
    items.push(...(r.value[key] ?? []));
    token = r.value.next_page_token ?? '';
    if (!token) break;
  }
  return { ok: true, value: items, more: token !== '' };
}

/**
 * Workspaces the header's picker lists: the first 1000. A state of 100k would otherwise be fetched
 * whole (100 pages) at every change of the workspaces, with the UI open while clicks run.
 */
export const PICKER_WORKSPACES = 1000;

/**
 * A file download from the admin API: {ok, value: {blob, filename}} or the API's error.
 * @param {string} path
 * @returns {Promise<{ok: true, value: {blob: Blob, filename: string}} | {ok: false, status?: number, error: ApiProblem}>}
 */
async function download(path) {
  let res;
  try {
    res = await fetch(path, { cache: 'no-store' });
  } catch (err) {
    return {
      ok: false,
      error: {
        code: 'network',
        message: `Failed to GET ${path}: ${/** @type {Error} */ (err)?.message ?? err}. Expected pcsim serve to be running.`,
      },
    };
  }
  if (!res.ok) {
    const e = (await res.json().catch(() => ({})))?.error ?? {};
    return {
      ok: false,
      status: res.status,
      error: {
        code: e.code ?? `http_${res.status}`,
        message: e.message ?? `Failed to GET ${path}: HTTP ${res.status}.`,
      },
    };
  }
  const filename = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'download';
  return { ok: true, value: { blob: await res.blob(), filename } };
}

/** @param {string} id */
const ws = (id) => `/api/workspaces/${enc(id)}`;
/** @param {string} wsId @param {string} partner */
const partnerIn = (wsId, partner) => `${ws(wsId)}/partners/${enc(partner)}`;

/* The methods are one-liners; their parameters are ids (strings) and JSON bodies. */
/** @type {Record<string, (...args: any[]) => Promise<any>>} */
export const api = {
  health: () => call('GET', '/api/health'),
  pickerWorkspaces: () => all('/api/workspaces', 'workspaces', PICKER_WORKSPACES / 200),
  workspace: (id) => call('GET', ws(id)),
  createWorkspace: (body) => call('POST', '/api/workspaces', body),
  updateWorkspace: (id, body) => call('PATCH', ws(id), body),
  deleteWorkspace: (id) => call('DELETE', ws(id)),
  addUser: (wsId, body) => call('POST', `${ws(wsId)}/users`, body),
  updateUser: (wsId, userId, body) => call('PATCH', `${ws(wsId)}/users/${enc(userId)}`, body),
  removeUser: (wsId, userId) => call('DELETE', `${ws(wsId)}/users/${enc(userId)}`),
  allPartners: () => all('/api/partners', 'partners'),
  partner: (id) => call('GET', `/api/partners/${enc(id)}`),
  connectors: (id) => call('GET', `/api/partners/${enc(id)}/connectors`),
  checklist: (id) => call('GET', `/api/partners/${enc(id)}/checklist`),
  tick: (id, journey, body) => call('PUT', `/api/partners/${enc(id)}/checklist/${enc(journey)}`, body),
  connect: (wsId, partner, body) => call('POST', `${partnerIn(wsId, partner)}/connect`, body),
  connection: (wsId, partner) => call('GET', `${partnerIn(wsId, partner)}/connection`),
  activity: (wsId, partner) =>
    call('GET', `${ws(wsId)}/activity?${new URLSearchParams({ ...(partner ? { partner } : {}), limit: '20' })}`),
  deleteConnection: (wsId, partner, notifyPartner) =>
    call('DELETE', `${partnerIn(wsId, partner)}/connection?notify_partner=${notifyPartner ? 'true' : 'false'}`),
  hook: (wsId, partner, hook, body) => call('POST', `${partnerIn(wsId, partner)}/hooks/${enc(hook)}`, body),
  journal: (params = {}) =>
    call(
      'GET',
      `/api/journal?${new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== ''))}`,
    ),
  exchange: (id) => call('GET', `/api/journal/${enc(id)}`),
  clearJournal: () => call('DELETE', '/api/journal'),
  /** wsId undefined: every workspace's calls. */
  recordedScenario: (wsId, name) =>
    download(`/api/recorded-scenario?${new URLSearchParams(wsId ? { workspace: wsId, name } : { name })}`),
  /** scenarios: [{file, text}] run as `pcsim run --scenario` (alone unless journeys are given too). */
  startRun: (partner, journeys, scenarios, strict) =>
    call('POST', '/api/runs', {
      partner,
      ...(journeys && journeys.length ? { journeys } : {}),
      ...(scenarios && scenarios.length ? { scenarios } : {}),
      ...(strict ? { strict: true } : {}),
    }),
  run: (id) => call('GET', `/api/runs/${enc(id)}`),
  stopRun: (id) => call('POST', `/api/runs/${enc(id)}/stop`),
  snapshots: () => call('GET', '/api/snapshots'),
  takeSnapshot: (name) => call('POST', '/api/snapshots', name ? { name } : {}),
  restoreSnapshot: (id) => call('POST', `/api/snapshots/${enc(id)}/restore`),
  deleteSnapshot: (id) => call('DELETE', `/api/snapshots/${enc(id)}`),
  exportState: () => download('/api/state'),
  importState: (body) => call('PUT', '/api/state', body),
  clock: () => call('GET', '/api/clock'),
  advanceClock: (body) => call('POST', '/api/clock', body),
};

/**
 * Where a run's report opens (download: saved as a file instead).
 * @param {string} id @param {string} format @param {boolean} [download]
 */
export const reportUrl = (id, format, download) =>
  `/api/runs/${enc(id)}/report?format=${enc(format)}${download ? '&download=1' : ''}`;
