/**
 * The admin API from the page. Errors are values: every call resolves to {ok: true, value} or
 * {ok: false, error: {code, message}}, where message reads "Failed to X: reason. Expected Y.".
 * ids are decimal strings in and out (never Number: int64 ids above 2^53 would be rounded).
 */

const enc = encodeURIComponent;

async function call(method, path, body) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (err) {
    return { ok: false, error: { code: 'network', message: `Failed to ${method} ${path}: ${err?.message ?? err}. Expected pcsim serve to be running.` } };
  }
  let parsed;
  const text = await res.text();
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    return { ok: false, error: { code: 'bad_answer', message: `Failed to ${method} ${path}: the answer is not JSON (HTTP ${res.status}). Expected JSON from the admin API.` } };
  }
  if (!res.ok) {
    const e = parsed?.error ?? {};
    return { ok: false, status: res.status, error: { code: e.code ?? `http_${res.status}`, message: e.message ?? `Failed to ${method} ${path}: HTTP ${res.status}.`, details: e.details } };
  }
  return { ok: true, status: res.status, value: parsed };
}

/** A file download from the admin API: {ok, value: {blob, filename}} or the API's error. */
async function download(path) {
  let res;
  try {
    res = await fetch(path, { cache: 'no-store' });
  } catch (err) {
    return { ok: false, error: { code: 'network', message: `Failed to GET ${path}: ${err?.message ?? err}. Expected pcsim serve to be running.` } };
  }
  if (!res.ok) {
    const e = (await res.json().catch(() => ({})))?.error ?? {};
    return { ok: false, status: res.status, error: { code: e.code ?? `http_${res.status}`, message: e.message ?? `Failed to GET ${path}: HTTP ${res.status}.` } };
  }
  const filename = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'download';
  return { ok: true, value: { blob: await res.blob(), filename } };
}

const ws = (id) => `/api/workspaces/${enc(id)}`;
const partnerIn = (wsId, partner) => `${ws(wsId)}/partners/${enc(partner)}`;

export const api = {
  health: () => call('GET', '/api/health'),
  workspaces: () => call('GET', '/api/workspaces'),
  workspace: (id) => call('GET', ws(id)),
  createWorkspace: (body) => call('POST', '/api/workspaces', body),
  users: (wsId) => call('GET', `${ws(wsId)}/users`),
  addUser: (wsId, body) => call('POST', `${ws(wsId)}/users`, body),
  partners: () => call('GET', '/api/partners'),
  partner: (id) => call('GET', `/api/partners/${enc(id)}`),
  connectors: (id) => call('GET', `/api/partners/${enc(id)}/connectors`),
  checklist: (id) => call('GET', `/api/partners/${enc(id)}/checklist`),
  tick: (id, journey, body) => call('PUT', `/api/partners/${enc(id)}/checklist/${enc(journey)}`, body),
  connect: (wsId, partner, body) => call('POST', `${partnerIn(wsId, partner)}/connect`, body),
  connection: (wsId, partner) => call('GET', `${partnerIn(wsId, partner)}/connection`),
  activity: (wsId, partner) => call('GET', `${ws(wsId)}/activity?${new URLSearchParams({ partner, limit: '20' })}`),
  deleteConnection: (wsId, partner, notifyPartner) => call('DELETE', `${partnerIn(wsId, partner)}/connection?notify_partner=${notifyPartner ? 'true' : 'false'}`),
  hook: (wsId, partner, hook, body) => call('POST', `${partnerIn(wsId, partner)}/hooks/${enc(hook)}`, body),
  journal: (params = {}) => call('GET', `/api/journal?${new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== ''))}`),
  exchange: (id) => call('GET', `/api/journal/${enc(id)}`),
  clearJournal: () => call('DELETE', '/api/journal'),
  /** wsId undefined: every workspace's calls. */
  recordedScenario: (wsId, name) => download(`/api/recorded-scenario?${new URLSearchParams(wsId ? { workspace: wsId, name } : { name })}`),
  /** scenarios: [{file, text}] run as `pcsim run --scenario` (alone unless journeys are given too). */
  startRun: (partner, journeys, scenarios) => call('POST', '/api/runs', { partner, ...(journeys && journeys.length ? { journeys } : {}), ...(scenarios && scenarios.length ? { scenarios } : {}) }),
  run: (id) => call('GET', `/api/runs/${enc(id)}`),
  stopRun: (id) => call('POST', `/api/runs/${enc(id)}/stop`),
};
