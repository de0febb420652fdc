/**
 * Snapshot, restore, export and import of the simulated Databricks, as pure functions over State
 * (the routes apply them through Store.update, so lowdb and the memory store behave alike).
 *
 * What a copy holds: workspaces, users, connections, resources (secrets as SHA-256 digests only,
 * as stored), partners, the journal, the checklist, and what partners did in the workspaces
 * (activity, tables, notebooks). What it leaves out: the workspaces' private signing keys (new
 * ones are made on first use, so tokens issued before an import no longer verify). Partners
 * registered on this server stay as they are: their base_url and credentials belong to this
 * process; a copy only adds partners this server does not know.
 */
import { STATE_VERSION, type State } from '../databricks/model.js';

export const EXPORT_FORMAT = 'pcsim-state';

export interface ExportedState {
  format: typeof EXPORT_FORMAT;
  version: typeof STATE_VERSION;
  exported_at: string;
  state: Omit<State, 'workspace_keys'>;
}

/** The state as a file may hold it: a deep copy without the signing keys. */
export function exportState(s: Readonly<State>, now: Date): ExportedState {
  const { workspace_keys: _keys, ...rest } = structuredClone(s) as State;
  return { format: EXPORT_FORMAT, version: STATE_VERSION, exported_at: now.toISOString(), state: rest };
}

const COLLECTIONS = ['workspaces', 'users', 'partners', 'connections', 'resources', 'journal', 'checklist'] as const;
const OPTIONAL = ['activity', 'sql_tables', 'notebooks', 'u2m_redirects'] as const;

export interface TransferProblem {
  field: string;
  message: string;
}

/**
 * Checks an exported state before anything changes: its format and version, every collection
 * an array, and no secret in clear text. All problems at once.
 */
export function readExport(
  raw: unknown,
): { ok: true; copy: ExportedState } | { ok: false; problems: TransferProblem[] } {
  const problems: TransferProblem[] = [];
  const o = raw as Partial<ExportedState> | undefined;
  if (!o || typeof o !== 'object' || Array.isArray(o))
    return {
      ok: false,
      problems: [
        {
          field: '(body)',
          message: `is ${Array.isArray(o) ? 'an array' : typeof o}. Expected the JSON object GET /api/state writes.`,
        },
      ],
    };
  for (const k of Object.keys(o))
    if (!['format', 'version', 'exported_at', 'state'].includes(k))
      problems.push({
        // An empty key is still named (as the admin API's validation names one): "".
        field: k === '' ? '""' : k,
        message: 'is not a field of an export. Expected only format, version, exported_at and state.',
      });
  if (o.format !== EXPORT_FORMAT)
    problems.push({ field: 'format', message: `is ${JSON.stringify(o.format ?? null)}. Expected "${EXPORT_FORMAT}".` });
  if (o.version !== STATE_VERSION)
    problems.push({ field: 'version', message: `is ${JSON.stringify(o.version ?? null)}. Expected ${STATE_VERSION}.` });
  const s = o.state as Record<string, unknown> | undefined;
  if (!s || typeof s !== 'object' || Array.isArray(s)) {
    problems.push({ field: 'state', message: 'is missing or not an object. Expected the state of a pcsim export.' });
    return { ok: false, problems };
  }
  for (const k of COLLECTIONS)
    if (!Array.isArray(s[k]))
      problems.push({
        field: `state.${k}`,
        message: `is ${s[k] === undefined ? 'missing' : typeof s[k]}. Expected an array.`,
      });
  for (const k of OPTIONAL)
    if (s[k] !== undefined && !Array.isArray(s[k]))
      problems.push({ field: `state.${k}`, message: `is ${typeof s[k]}. Expected an array or nothing.` });
  if (s.workspace_keys !== undefined)
    problems.push({
      field: 'state.workspace_keys',
      message: 'is present. Expected no signing keys in an export (they never leave the server).',
    });
  (Array.isArray(s.resources) ? s.resources : []).forEach((r, i) => {
    for (const secret of ['pat', 'oauth_secret'] as const) {
      if (r && typeof r === 'object' && secret in r)
        problems.push({
          field: `state.resources[${i}].${secret}`,
          message: `holds a secret in clear text. Expected only its digest (${secret}_sha256), as pcsim stores and exports it.`,
        });
    }
  });
  return problems.length ? { ok: false, problems } : { ok: true, copy: o as ExportedState };
}

/**
 * Replaces the state with a copy (an import or a snapshot), in place (inside Store.update):
 * the partners of this server win over the copy's, the workspaces point at this server's
 * endpoint, and the signing keys of this server are kept only when the copy is one of its own
 * snapshots (keepKeys).
 */
export function applyCopy(
  s: State,
  copy: Omit<State, 'workspace_keys'> & { workspace_keys?: State['workspace_keys'] },
  endpoint: { hostname: string; port: number },
  keepKeys: boolean,
): void {
  const c = structuredClone(copy);
  const partners = [...s.partners, ...c.partners.filter((p) => !s.partners.some((q) => q.id === p.id))];
  const keys = keepKeys ? c.workspace_keys : undefined;
  for (const k of Object.keys(s) as (keyof State)[]) delete s[k];
  Object.assign(s, c, { partners, version: STATE_VERSION });
  if (keys) s.workspace_keys = keys;
  else delete s.workspace_keys;
  for (const w of s.workspaces) Object.assign(w, { hostname: endpoint.hostname, port: endpoint.port });
}

/** Counts for listings and answers. */
export const countsOf = (s: Readonly<Pick<State, 'workspaces' | 'users' | 'connections' | 'journal'>>) => ({
  workspaces: s.workspaces.length,
  users: s.users.length,
  connections: s.connections.length,
  journal: s.journal.length,
});
