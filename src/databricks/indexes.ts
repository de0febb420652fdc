/**
 * Named look-ups over the state by id, workspace, http_path or client id, through the indexes of
 * lookup.ts instead of scans: request paths (PAT checks, every SQL statement, the Thrift path
 * check) stay flat as the state grows to 100k connections. One index name per collection always
 * uses the same key function: look records up through these helpers rather than lookup.ts.
 *
 * Read the state from `store.read()`: inside a `store.update` change the arrays are proxies, and
 * their records are the ones the change may be editing.
 */
import type { Int64 } from '../contract/int64.js';
import { lookup, lookupOne } from './lookup.js';
import type { ConnectionRecord, Resources, State, User, Workspace } from './model.js';

type S = Readonly<State>;

export const workspaceById = (s: S, id: Int64): Workspace | undefined => lookupOne(s.workspaces, 'id', (w) => w.id, id);

export const userById = (s: S, id: Int64): User | undefined => lookupOne(s.users, 'id', (u) => u.id, id);

/** A user by email, case-insensitively (emails are one identity however they are typed). */
export const userByEmail = (s: S, email: string): User | undefined =>
  lookupOne(s.users, 'email', (u) => u.email.toLowerCase(), email.toLowerCase());

/** The users who are members of a workspace, in state order. */
export const usersOfWorkspace = (s: S, ws: Int64): readonly User[] =>
  lookup(s.users, 'workspace', (u) => u.workspaces, ws);

export const resourceById = (s: S, id: string): Resources | undefined => lookupOne(s.resources, 'id', (r) => r.id, id);

/** Every resources record of a workspace (active or deleted), in state order. */
export const resourcesOfWorkspace = (s: S, ws: Int64): readonly Resources[] =>
  lookup(s.resources, 'workspace', (r) => r.workspace_id, ws);

/** The resources of a workspace's live connections (status active), in state order. */
export const liveResourcesOf = (s: S, ws: Int64): Resources[] =>
  resourcesOfWorkspace(s, ws).filter((r) => r.status === 'active');

/** Resources whose SQL warehouse has this http_path (any workspace, any status), in state order. */
export const resourcesByHttpPath = (s: S, path: string): readonly Resources[] =>
  lookup(s.resources, 'http_path', (r) => r.warehouse?.http_path, path);

/** Resources of an OAuth client: the service principal (M2M) or the OAuth app (U2M), in state order. */
export const resourcesByClientId = (s: S, kind: 'm2m' | 'u2m', clientId: string): readonly Resources[] =>
  kind === 'm2m'
    ? lookup(s.resources, 'service_principal_id', (r) => r.service_principal_id, clientId)
    : lookup(s.resources, 'u2m_app_id', (r) => r.u2m_app_id, clientId);

/** Resources whose PAT has this digest: one with real PATs, every connection's under PAT_TOKEN (in state order). */
export const resourcesByPatDigest = (s: S, digest: string): readonly Resources[] =>
  lookup(s.resources, 'pat_sha256', (r) => r.pat_sha256, digest);

export const connectionsOfWorkspace = (s: S, ws: Int64): readonly ConnectionRecord[] =>
  lookup(s.connections, 'workspace', (c) => c.workspace_id, ws);

/** The connection a resources record was provisioned for. */
export const connectionByResources = (s: S, resourcesId: string): ConnectionRecord | undefined =>
  lookupOne(s.connections, 'resources_id', (c) => c.resources_id, resourcesId);

/** The catalogs of a workspace the SQL warehouse knows, besides `samples`: its own and its connections'. */
export function catalogsOfWorkspace(s: S, ws: Int64): string[] {
  const own = workspaceById(s, ws)?.catalogs ?? [];
  const live = liveResourcesOf(s, ws).flatMap((r) => (r.catalog_name ? [r.catalog_name] : []));
  return [...new Set([...own, ...live])];
}

/** One look-up of each index every click and every partner callback uses (same names and keys). */
const WARMERS: ReadonlyArray<(s: S) => unknown> = [
  (s) => workspaceById(s, ''),
  (s) => userById(s, ''),
  (s) => usersOfWorkspace(s, ''),
  (s) => userByEmail(s, ''),
  (s) => connectionsOfWorkspace(s, ''),
  (s) => resourceById(s, ''),
  (s) => resourcesOfWorkspace(s, ''),
  (s) => resourcesByHttpPath(s, ''),
  (s) => resourcesByPatDigest(s, ''),
];

/**
 * Builds the indexes every click and every partner callback uses, one per turn of the event loop,
 * so the first click after a restart at 100k connections does not pay ~100 ms per index, and a
 * request that comes meanwhile is answered between two of them (it builds what it needs itself).
 */
export async function warmIndexes(read: () => S): Promise<void> {
  for (const warm of WARMERS) {
    await new Promise((resolve) => setImmediate(resolve));
    warm(read());
  }
}
