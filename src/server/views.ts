/**
 * What the admin API shows of the state: pure functions from records to JSON-ready views.
 * Ids leave as decimal strings (a browser's JSON.parse would round int64 integers above 2^53),
 * and secrets held by Databricks (PATs, OAuth secrets) never leave at all.
 */
import { errorsOnly } from '../contract/diagnostics.js';
import type { PartnerConfig } from '../contract/partner-config.js';
import type { WorkspaceEndpoint } from '../databricks/databricks.js';
import type { ConnectionRecord, PartnerRecord, Resources, State, User, Workspace } from '../databricks/model.js';
import { supports } from '../partner-client/client.js';
import { REDACTED } from '../partner-client/redact.js';
import type { CallKind, Exchange } from '../partner-client/types.js';
import { connectionsOfWorkspace, resourceById, usersOfWorkspace } from '../databricks/indexes.js';

/** A deep copy where every bigint (an exact int64 read off the wire) becomes its decimal string. */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = jsonSafe(v);
    return out;
  }
  return value;
}

export function workspaceUrl(ws: Workspace, scheme: WorkspaceEndpoint['scheme']): string {
  const defaultPort = (scheme === 'https' && ws.port === 443) || (scheme === 'http' && ws.port === 80);
  return `${scheme}://${ws.hostname}${defaultPort ? '' : `:${ws.port}`}/?o=${ws.id}`;
}

export function workspaceView(ws: Workspace, state: Readonly<State>, scheme: WorkspaceEndpoint['scheme']) {
  return {
    ...ws,
    workspace_url: workspaceUrl(ws, scheme),
    user_count: usersOfWorkspace(state, ws.id).length,
    connection_count: connectionsOfWorkspace(state, ws.id).length,
  };
}

export const userView = (u: User) => ({ ...u });

/** Resources without their secrets: whether a PAT / OAuth secret exists is shown, never its value. */
export function resourcesView(r: Resources, status: Resources['status'] = r.status) {
  const { pat, oauth_secret, pat_sha256, oauth_secret_sha256, ...rest } = r;
  const hasPat = pat !== undefined || pat_sha256 !== undefined;
  const hasSecret = oauth_secret !== undefined || oauth_secret_sha256 !== undefined;
  return { ...rest, status, ...(hasPat ? { pat: REDACTED } : {}), ...(hasSecret ? { oauth_secret: REDACTED } : {}) };
}

export function connectionView(c: ConnectionRecord, state: Readonly<State>) {
  const r = resourceById(state, c.resources_id);
  return { ...c, resources: r ? resourcesView(r) : undefined };
}

const API_KINDS: CallKind[] = [
  'delete_connection',
  'delete_account',
  'expire_account',
  'test_connection',
  'connectors',
];

/** Which optional partner APIs exist (what the UI offers buttons for). */
export function apisOf(config: PartnerConfig): Record<string, boolean> {
  return Object.fromEntries(API_KINDS.map((k) => [k, supports(config, k)]));
}

export function partnerSummary(p: PartnerRecord) {
  const c = p.config;
  return {
    id: p.id,
    name: c.name,
    category: c.category,
    description_blurb: c.description_blurb,
    base_url: c.base_url,
    sign_up_page: c.sign_up_page,
    logo_file: c.logo_file,
    icon_file: c.icon_file,
    supported_clouds: c.supported_clouds,
    supports_demo: c.supports_demo ?? false,
    new_user_action: c.new_user_action,
    apis: apisOf(c),
    source: p.source,
    registered_at: p.registered_at,
  };
}

/** Which journeys of the catalogue apply to a config (as `pcsim validate` lists them). The catalogue's files load on first use. */
export async function journeysFor(config: PartnerConfig) {
  const { applicability, CATALOGUE } = await import('../journeys/catalogue.js');
  return CATALOGUE.map((j) => {
    const a = applicability(j, config);
    if (a.status === 'skipped') return { id: j.id, title: j.title, status: a.status, reason: a.reason, field: a.field };
    // A journey with no run is manual by nature (its checks are listed); one that a config makes manual says why.
    if (a.status === 'manual' && j.run) return { id: j.id, title: j.title, status: a.status, reason: a.reason };
    return { id: j.id, title: j.title, status: a.status };
  });
}

/** The verdict on one exchange: did the partner keep the contract, and what did it answer. */
export function verdictOf(ex: Exchange) {
  const body =
    ex.response?.body && typeof ex.response.body === 'object' ? (ex.response.body as Record<string, unknown>) : {};
  return {
    compliant: errorsOnly(ex.violations).length === 0,
    status: ex.response?.status ?? null,
    error_reason: typeof body.error_reason === 'string' ? body.error_reason : undefined,
    display_message: typeof body.display_message === 'string' ? body.display_message : undefined,
    network_error: ex.error,
    attempts: ex.attempts.length,
    violations: ex.violations,
  };
}

/** The verdict on several exchanges (the pages of the connector list). */
export function verdictOfAll(exchanges: Exchange[], extra: Record<string, unknown> = {}) {
  const each = exchanges.map(verdictOf);
  return {
    compliant: each.every((v) => v.compliant) && extra.stopped === undefined,
    pages: exchanges.length,
    status: each.at(-1)?.status ?? null,
    violations: each.flatMap((v) => v.violations),
    ...extra,
  };
}

/** An exchange as the API shows it: ids as strings, plus its verdict summary. */
export function exchangeView(ex: Exchange) {
  return { ...(jsonSafe(ex) as Record<string, unknown>), verdict: verdictSummary(ex) };
}

/**
 * The same for an answer of the admin API, whose writer turns bigints into strings itself: the
 * exchange is not copied first (a page of the journal is 100 exchanges with their bodies).
 */
export function exchangeAnswer(ex: Exchange) {
  return { ...ex, verdict: verdictSummary(ex) };
}

/** Every bigint as its exact decimal string (as jsonSafe does), written without copying the value first. */
const bigintAsString = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

/** An answer of the admin API as JSON text: the native writer, exact because every bigint becomes its string. */
export function answerJson(body: unknown): string {
  return JSON.stringify(body, bigintAsString);
}

/**
 * `exchangeAnswer(ex)` as JSON, encoded once per exchange. A recorded exchange never changes, and a
 * page of the journal is 100 of them (~280 KB): written anew as one string each time, the page
 * spent 2-4 ms building, measuring and encoding it (docs/PERFORMANCE.md). Kept as long as the exchange is.
 */
const answerBytes = new WeakMap<Exchange, Buffer>();
export function exchangeAnswerJson(ex: Exchange): Buffer {
  let bytes = answerBytes.get(ex);
  if (bytes === undefined) answerBytes.set(ex, (bytes = Buffer.from(answerJson(exchangeAnswer(ex)))));
  return bytes;
}

const COMMA = Buffer.from(',');

/**
 * `{[key]: [items…], ...fields}` as JSON, from items already encoded as JSON (fields after the
 * list, in their order; undefined ones left out, as JSON.stringify does).
 */
export function answerJsonWithList(key: string, items: readonly Buffer[], fields: Record<string, unknown>): Buffer {
  const rest = answerJson(fields).slice(1, -1);
  const parts: Uint8Array[] = [Buffer.from(`{${JSON.stringify(key)}:[`)];
  items.forEach((item, i) => parts.push(...(i > 0 ? [COMMA, item] : [item])));
  parts.push(Buffer.from(`]${rest ? `,${rest}` : ''}}`));
  return Buffer.concat(parts);
}

function verdictSummary(ex: Exchange) {
  const v = verdictOf(ex);
  return {
    compliant: v.compliant,
    status: v.status,
    error_reason: v.error_reason,
    attempts: v.attempts,
    errors: errorsOnly(ex.violations).length,
  };
}
