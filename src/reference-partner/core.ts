/**
 * The reference partner's "core integration" (option coreIntegration): after a new connection it
 * uses the credentials Databricks sent — the PAT, or an OAuth M2M token from the service
 * principal's id and secret — against the workspace named in the payload: SCIM Me, then on the
 * SQL warehouse a query, and a table (with LOCATION under destination_location when one was
 * chosen, managed otherwise) plus an insert. It never logs or keeps the credentials.
 */
import type { ConnectRequest } from '../contract/messages.js';

export interface CoreStep {
  call: string;
  status?: number;
  error?: string;
}

/**
 * Waits before retrying a refused token (401, or 403 "Invalid access token."): Databricks stores
 * the resources right after Connect answers.
 */
const AUTH_RETRY_MS = [50, 100, 200, 400, 800, 1600];
const TIMEOUT_MS = 5000;

const safeName = (s: string) => s.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 40);

export async function useCredentials(r: ConnectRequest, connectionId: string | undefined): Promise<CoreStep[]> {
  const steps: CoreStep[] = [];
  let scheme = 'http:';
  try {
    scheme = new URL(r.workspace_url).protocol;
  } catch {
    /* keep http */
  }
  const host = r.hostname.includes(':') && !r.hostname.startsWith('[') ? `[${r.hostname}]` : r.hostname;
  const base = `${scheme}//${host}:${r.port}`;
  const request = async (call: string, path: string, init: RequestInit): Promise<Response | undefined> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
        if ((res.status === 401 || res.status === 403) && attempt < AUTH_RETRY_MS.length) {
          await res.arrayBuffer();
          await new Promise((ok) => setTimeout(ok, AUTH_RETRY_MS[attempt]));
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
    const basic = Buffer.from(`${encodeURIComponent(r.service_principal_id)}:${encodeURIComponent(r.service_principal_oauth_secret)}`).toString('base64');
    const res = await request('oauth token', '/oidc/v1/token', { method: 'POST', headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&scope=all-apis' });
    if (res?.ok) token = ((await res.json()) as { access_token?: string }).access_token;
  }
  if (!token) return steps;
  const auth = { authorization: `Bearer ${token}` };
  const me = await request('scim me', '/api/2.0/preview/scim/v2/Me', { headers: auth });
  if (!me?.ok) return steps;
  await me.arrayBuffer();

  const warehouse = r.is_sql_warehouse && r.cluster_id ? r.cluster_id : undefined;
  if (!warehouse) return steps;
  const sql = async (statement: string) => {
    const res = await request(statement.split(' ').slice(0, 2).join(' '), '/api/2.0/sql/statements', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ warehouse_id: warehouse, statement, wait_timeout: '30s', ...(r.catalog_name ? { catalog: r.catalog_name } : {}) }),
    });
    if (res) await res.arrayBuffer();
  };
  await sql('SELECT COUNT(*) AS trips FROM samples.nyctaxi.trips');
  const table = `default.pcsim_reference_${safeName(connectionId ?? 'events')}`;
  const location = r.destination_location ? ` LOCATION '${r.destination_location.replace(/\/+$/, '').replace(/'/g, "''")}/${table.split('.')[1]}'` : '';
  await sql(`CREATE TABLE IF NOT EXISTS ${table} (id BIGINT, name STRING) USING DELTA${location}`);
  await sql(`INSERT INTO ${table} VALUES (1, 'hello from the reference partner')`);
  return steps;
}
