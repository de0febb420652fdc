/**
 * The reference partner's core integration (on by default; fault no-core-integration turns it
 * off): after a new connection it uses the credentials Databricks sent — the PAT, or an OAuth M2M
 * token from the service principal's id and secret — against the workspace_url of the payload:
 * SCIM Me, then through the Statement Execution API a table (with LOCATION under
 * destination_location when one was chosen, managed otherwise), an insert, and a read back of
 * the row. It never logs or keeps the credentials.
 */
import type { ConnectRequest } from '../contract/messages.js';
import { workspaceClient, type WorkspaceClient, type WorkspaceTls } from './workspace-client.js';

export interface CoreStep {
  call: string;
  status?: number;
  /** SQL: the statement's state (SUCCEEDED, FAILED). */
  state?: string;
  error?: string;
}

/**
 * Waits before retrying a refused token (401, or 403 "Invalid access token."): Databricks stores
 * the resources right after Connect answers.
 */
const AUTH_RETRY_MS = [50, 100, 200, 400, 800, 1600];
const ROW = 'hello from the reference partner';

const safeName = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 40);

/** scheme://host:port of the payload's workspace_url (hostname and port as the fallback). */
export function workspaceBase(r: Pick<ConnectRequest, 'workspace_url' | 'hostname' | 'port'>): string {
  try {
    return new URL(r.workspace_url).origin;
  } catch {
    const host = r.hostname.includes(':') && !r.hostname.startsWith('[') ? `[${r.hostname}]` : r.hostname;
    return `http://${host}:${r.port}`;
  }
}

interface Statement {
  status?: { state?: string; error?: { message?: string } };
  result?: { data_array?: (string | null)[][] };
}

export async function useCredentials(
  r: ConnectRequest,
  connectionId: string | undefined,
  tls: WorkspaceTls = {},
  client?: WorkspaceClient,
): Promise<CoreStep[]> {
  const steps: CoreStep[] = [];
  const ws = client ?? workspaceClient(workspaceBase(r), tls);
  const request = async (
    call: string,
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: string },
  ) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await ws.request(path, init);
        if ((res.status === 401 || res.status === 403) && attempt < AUTH_RETRY_MS.length) {
          await new Promise((ok) => setTimeout(ok, AUTH_RETRY_MS[attempt]).unref());
          continue;
        }
        steps.push({ call, status: res.status });
        return res;
      } catch (err) {
        steps.push({ call, error: (err as Error).message });
        return undefined;
      }
    }
  };

  let token = r.user_info.auth?.personal_access_token ?? undefined;
  if (!token && r.service_principal_id && r.service_principal_oauth_secret) {
    const basic = Buffer.from(
      `${encodeURIComponent(r.service_principal_id)}:${encodeURIComponent(r.service_principal_oauth_secret)}`,
    ).toString('base64');
    const res = await request('oauth token', '/oidc/v1/token', {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=all-apis',
    });
    if (res?.status === 200) token = (res.body as { access_token?: string } | undefined)?.access_token;
  }
  if (!token) return steps;
  const auth = { authorization: `Bearer ${token}` };
  const me = await request('scim me', '/api/2.0/preview/scim/v2/Me', { headers: auth });
  if (me?.status !== 200) return steps;

  const warehouse = r.is_sql_warehouse && r.cluster_id ? r.cluster_id : undefined;
  if (!warehouse) return steps;
  /** Runs a statement; undefined unless it SUCCEEDED (the step says why). */
  const sql = async (statement: string): Promise<Statement | undefined> => {
    const res = await request(statement.split(' ').slice(0, 2).join(' '), '/api/2.0/sql/statements', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        warehouse_id: warehouse,
        statement,
        wait_timeout: '30s',
        ...(r.catalog_name ? { catalog: r.catalog_name } : {}),
      }),
    });
    const st = res?.body as Statement | undefined;
    const step = steps.at(-1)!;
    step.state = st?.status?.state;
    if (res?.status !== 200 || st?.status?.state !== 'SUCCEEDED') {
      step.error ??= st?.status?.error?.message ?? `statement not SUCCEEDED (HTTP ${res?.status ?? 'none'})`;
      return undefined;
    }
    return st;
  };
  const table = `default.pcsim_reference_${safeName(connectionId ?? 'events')}`;
  const location = r.destination_location
    ? ` LOCATION '${r.destination_location.replace(/\/+$/, '').replace(/'/g, "''")}/${table.split('.')[1]}'`
    : '';
  if (!(await sql(`CREATE TABLE IF NOT EXISTS ${table} (id BIGINT, name STRING) USING DELTA${location}`))) return steps;
  if (!(await sql(`INSERT INTO ${table} VALUES (1, '${ROW}')`))) return steps;
  const read = await sql(`SELECT id, name FROM ${table} WHERE id = 1`);
  const row = read?.result?.data_array?.[0];
  if (read && (row?.[0] !== '1' || row?.[1] !== ROW))
    steps.at(-1)!.error = `read back ${JSON.stringify(row ?? null)}, expected ["1", ${JSON.stringify(ROW)}]`;
  return steps;
}
