/**
 * The workspace REST APIs a partner's product calls with its token, in the shapes Databricks
 * uses: SCIM Me, SQL warehouses, clusters, Unity Catalog catalogs, workspace objects (notebook
 * import) and the Statement Execution API on the simulated warehouse.
 */
import { createHash, randomInt } from 'node:crypto';
import type { Request } from 'express';
import type { Int64 } from '../contract/int64.js';
import type { Resources, State } from '../databricks/model.js';
import type { Store } from '../store/types.js';
import { invalidParameter, notFound, WorkspaceApiError } from './errors.js';
import { scimMe } from './scim.js';
import type { SqlEngine } from './sql.js';
import type { StatementCache } from './statements.js';
import type { Principal } from './tokens.js';
import type { ActivityKind, NotebookRecord } from './types.js';

export interface CallContext {
  state: Readonly<State>;
  principal: Principal;
  req: Request;
  body: unknown;
  now: Date;
  store: Store;
  engine: SqlEngine;
  statements: StatementCache;
  /** hostname/port the workspace is reached at (for odbc_params, jdbc urls). */
  host: string;
}

export interface CallResult {
  status: number;
  body: unknown;
  kind: ActivityKind;
  ok?: boolean;
  detail?: string;
  table?: { name: string; location?: string; managed: boolean };
  /** SQL: the catalogs the statement used. */
  catalogs?: string[];
  error?: string;
}

export type RestHandler = (c: CallContext) => CallResult | Promise<CallResult>;

const liveResources = (state: Readonly<State>, ws: Int64): Resources[] => state.resources.filter((r) => r.workspace_id === ws && r.status === 'active');
const epoch = (iso: string) => new Date(iso).getTime();
const asObject = (body: unknown, what: string): Record<string, unknown> => {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new WorkspaceApiError('MALFORMED_REQUEST', `Failed to ${what}: the body is not a JSON object. Expected a JSON object.`);
  return body as Record<string, unknown>;
};
const str = (o: Record<string, unknown>, key: string, what: string, required = true): string | undefined => {
  const v = o[key];
  if (v === undefined || v === null || v === '') {
    if (required) throw invalidParameter(`Failed to ${what}: ${key} is missing. Expected a non-empty string.`);
    return undefined;
  }
  if (typeof v !== 'string') throw invalidParameter(`Failed to ${what}: ${key} is ${JSON.stringify(v)}. Expected a string.`);
  return v;
};

// ---- SCIM, warehouses, clusters, catalogs ----

export const me: RestHandler = (c) => ({ status: 200, body: scimMe(c.state, c.principal), kind: 'auth' });

function warehouseView(c: CallContext, r: Resources): Record<string, unknown> {
  const w = r.warehouse!;
  const [hostname, port] = [c.host.replace(/:\d+$/, ''), Number(/:(\d+)$/.exec(c.host)?.[1] ?? 443)];
  const partner = c.state.partners.find((p) => p.id === r.partner_id);
  return {
    id: w.id,
    name: `${partner?.config.name ?? r.partner_id} endpoint`,
    cluster_size: '2X-Small',
    min_num_clusters: 1,
    max_num_clusters: 1,
    auto_stop_mins: 10,
    num_clusters: 1,
    num_active_sessions: 0,
    state: 'RUNNING',
    health: { status: 'HEALTHY' },
    warehouse_type: 'PRO',
    enable_serverless_compute: true,
    enable_photon: true,
    spot_instance_policy: 'COST_OPTIMIZED',
    channel: { name: 'CHANNEL_NAME_CURRENT' },
    creator_name: r.service_principal_id,
    odbc_params: { hostname, path: w.http_path, protocol: 'https', port },
    jdbc_url: w.jdbc_url,
  };
}

const warehouseOf = (c: CallContext, id: string) => liveResources(c.state, c.principal.workspace_id).find((r) => r.warehouse?.id === id);

export const getWarehouse: RestHandler = (c) => {
  const id = String(c.req.params.id ?? '');
  const r = warehouseOf(c, id);
  if (!r) throw notFound(`Failed to get SQL warehouse ${id}: no such warehouse in workspace ${c.principal.workspace_id}. Expected the id from http_path or cluster_id of the Connect request.`);
  return { status: 200, body: warehouseView(c, r), kind: 'read' };
};

export const listWarehouses: RestHandler = (c) => ({ status: 200, body: { warehouses: liveResources(c.state, c.principal.workspace_id).filter((r) => r.warehouse).map((r) => warehouseView(c, r)) }, kind: 'read' });

export const getCluster: RestHandler = (c) => {
  const id = c.req.query.cluster_id;
  if (typeof id !== 'string' || id === '') throw invalidParameter('Failed to get the cluster: cluster_id is missing. Expected ?cluster_id=<the cluster_id of the Connect request>.');
  const r = liveResources(c.state, c.principal.workspace_id).find((x) => x.cluster?.id === id);
  if (!r) throw invalidParameter(`Cluster ${id} does not exist`);
  return {
    status: 200,
    kind: 'read',
    body: {
      cluster_id: id,
      cluster_name: `${r.partner_id} cluster`,
      spark_version: '15.4.x-scala2.12',
      node_type_id: 'i3.xlarge',
      driver_node_type_id: 'i3.xlarge',
      num_workers: 1,
      autotermination_minutes: 60,
      state: 'RUNNING',
      state_message: '',
      creator_user_name: r.service_principal_id,
      start_time: epoch(r.created_at),
      data_security_mode: 'USER_ISOLATION',
      cluster_source: 'UI',
    },
  };
};

export const listCatalogs: RestHandler = (c) => {
  const ws = c.state.workspaces.find((w) => w.id === c.principal.workspace_id);
  const created = epoch(ws?.created_at ?? c.now.toISOString());
  const catalogs = [...(ws?.catalogs ?? []), 'samples'].map((name) => ({
    name,
    full_name: name,
    owner: name === 'samples' || name === 'hive_metastore' ? 'System user' : 'admins',
    comment: name === 'samples' ? 'Read-only sample data' : '',
    catalog_type: name === 'samples' ? 'SYSTEM_CATALOG' : name === 'hive_metastore' ? 'HIVE_METASTORE_CATALOG' : 'MANAGED_CATALOG',
    metastore_id: `pcsim-metastore-${c.principal.workspace_id}`,
    isolation_mode: 'OPEN',
    securable_type: 'CATALOG',
    created_at: created,
    created_by: 'System user',
  }));
  return { status: 200, body: { catalogs }, kind: 'read' };
};

// ---- workspace objects ----

const LANGUAGES = ['PYTHON', 'SQL', 'SCALA', 'R'];
const FORMATS = ['SOURCE', 'JUPYTER', 'HTML', 'DBC', 'AUTO', 'R_MARKDOWN'];

function rootsOf(c: CallContext): string[] {
  const ws = c.principal.workspace_id;
  return ['/Shared', ...c.state.users.filter((u) => u.workspaces.includes(ws)).map((u) => `/Users/${u.email}`), ...c.state.resources.filter((r) => r.workspace_id === ws).map((r) => `/Users/${r.service_principal_id}`)];
}

const notebooksOf = (c: CallContext) => (c.state.notebooks ?? []).filter((n) => n.workspace_id === c.principal.workspace_id);

function normPath(p: string, what: string): string {
  if (!p.startsWith('/') || p.includes('\0') || p.split('/').some((s) => s === '..' || s === '.')) throw invalidParameter(`Failed to ${what}: path ${JSON.stringify(p)} is not an absolute workspace path. Expected a path like /Users/<user>/<name>.`);
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

function isDirectory(c: CallContext, path: string): boolean {
  if (path === '/' || path === '/Users') return true;
  if (rootsOf(c).some((r) => r === path || path.startsWith(`${r}/`))) {
    // Inside a home or /Shared: a directory when it is a root or holds a notebook.
    return rootsOf(c).includes(path) || notebooksOf(c).some((n) => n.path.startsWith(`${path}/`));
  }
  return false;
}

export const getStatus: RestHandler = (c) => {
  const raw = c.req.query.path;
  if (typeof raw !== 'string' || raw === '') throw invalidParameter('Failed to get the status: path is missing. Expected ?path=<absolute workspace path>.');
  const path = normPath(raw, 'get the status');
  const nb = notebooksOf(c).find((n) => n.path === path);
  if (nb) return { status: 200, kind: 'read', body: { object_type: 'NOTEBOOK', path, language: nb.language, object_id: Number(nb.object_id), created_at: epoch(nb.created_at), modified_at: epoch(nb.created_at), size: nb.bytes } };
  if (isDirectory(c, path)) return { status: 200, kind: 'read', body: { object_type: 'DIRECTORY', path, object_id: Number(BigInt.asUintN(48, BigInt(`0x${createHash('sha256').update(`${c.principal.workspace_id}:${path}`).digest('hex').slice(0, 12)}`))) } };
  throw notFound(`Path (${path}) doesn't exist.`);
};

export const importObject: RestHandler = async (c) => {
  const what = 'import the notebook';
  const b = asObject(c.body, what);
  const path = normPath(str(b, 'path', what)!, what);
  const format = (str(b, 'format', what, false) ?? 'SOURCE').toUpperCase();
  if (!FORMATS.includes(format)) throw invalidParameter(`Failed to ${what}: format is ${JSON.stringify(b.format)}. Expected one of ${FORMATS.join(', ')}.`);
  const language = str(b, 'language', what, false)?.toUpperCase();
  if (format === 'SOURCE' && !language) throw invalidParameter(`Failed to ${what}: language is missing for format SOURCE. Expected one of ${LANGUAGES.join(', ')}.`);
  if (language && !LANGUAGES.includes(language)) throw invalidParameter(`Failed to ${what}: language is ${JSON.stringify(b.language)}. Expected one of ${LANGUAGES.join(', ')}.`);
  const content = str(b, 'content', what, false) ?? '';
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(content.replace(/\s/g, '')) || content.replace(/\s/g, '').length % 4 !== 0) throw invalidParameter(`Failed to ${what}: content is not base64. Expected the notebook source, base64-encoded.`);
  if (b.overwrite !== undefined && typeof b.overwrite !== 'boolean') throw invalidParameter(`Failed to ${what}: overwrite is ${JSON.stringify(b.overwrite)}. Expected true or false.`);
  const bytes = Buffer.from(content, 'base64');
  const parent = path.slice(0, path.lastIndexOf('/')) || '/';
  const roots = rootsOf(c);
  if (!(parent === '/Shared' || roots.some((r) => parent === r || parent.startsWith(`${r}/`)))) throw notFound(`The parent folder (${parent}) does not exist.`);
  const existing = notebooksOf(c).find((n) => n.path === path);
  if (existing && b.overwrite !== true) throw new WorkspaceApiError('RESOURCE_ALREADY_EXISTS', `Path (${path}) already exists.`);
  if (roots.includes(path)) throw new WorkspaceApiError('RESOURCE_ALREADY_EXISTS', `Path (${path}) already exists.`);
  const record: NotebookRecord = {
    workspace_id: c.principal.workspace_id,
    path,
    object_id: String(existing?.object_id ?? randomInt(1, 2 ** 47)),
    language: language ?? 'PYTHON',
    format,
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    resources_id: c.principal.resources.id,
    created_at: c.now.toISOString(),
  };
  await c.store.update((s) => {
    const list = (s.notebooks ??= []);
    const i = list.findIndex((n) => n.workspace_id === record.workspace_id && n.path === path);
    if (i >= 0) list[i] = record;
    else list.push(record);
  });
  return { status: 200, body: {}, kind: 'notebook', detail: path };
};
