/** Builders shared by the reference partner's tests: wire bodies with exact int64 ids, and a Databricks-like caller. */
import request from 'supertest';
import type { Express } from 'express';
import { stringifyJson } from '../../contract/json.js';
import { randomInt64 } from '../../contract/int64.js';
import { DEFAULT_BASIC_PASSWORD, DEFAULT_BASIC_USER } from '../types.js';

let seq = 0;
/** A fresh sub-domain of databricks-test.com, so each test is its own partner account. */
export function freshDomain(base = 'databricks-test.com'): string {
  seq += 1;
  return `t${process.pid}x${seq}.${base}`;
}

export const freshId = (): bigint => BigInt(randomInt64());

export interface ConnectArgs {
  email: string;
  userId?: bigint;
  workspaceId: bigint;
  established?: boolean;
  connectionId?: string;
  demo?: boolean;
  pat?: string;
  extra?: Record<string, unknown>;
}

/** A Connect body as Databricks sends it: int64 ids written as exact JSON integers. */
export function connectBody(a: ConnectArgs): string {
  const established = a.established ?? false;
  return stringifyJson({
    user_info: {
      email: a.email,
      first_name: 'Ada',
      last_name: '',
      databricks_user_id: a.userId ?? freshId(),
      databricks_organization_id: a.workspaceId,
      is_connection_established: established,
      ...(established ? {} : { auth: { personal_access_token: a.pat ?? 'dapi-test-token' } }),
    },
    hostname: 'pcsim-workspace.cloud.databricks.com',
    port: 443,
    workspace_url: `https://pcsim-workspace.cloud.databricks.com/?o=${a.workspaceId}`,
    workspace_id: a.workspaceId,
    demo: a.demo ?? false,
    cloud_provider: 'aws',
    cloud_provider_region: 'us-west-2',
    is_free_trial: false,
    ...(a.connectionId !== undefined ? { connection_id: a.connectionId } : {}),
    http_path: '/sql/1.0/warehouses/abc',
    jdbc_url: 'jdbc:spark://pcsim-workspace.cloud.databricks.com:443/default',
    databricks_jdbc_url: 'jdbc:databricks://pcsim-workspace.cloud.databricks.com:443/default',
    cluster_id: 'abc',
    is_sql_endpoint: true,
    is_sql_warehouse: true,
    ...a.extra,
  });
}

/** Reads any body as text (supertest's JSON parser would choke on the malformed-json fault). */
export function rawText(res: unknown, cb: (err: Error | null, body: string) => void): void {
  // superagent types this as its Response; in node it is the IncomingMessage stream.
  const stream = res as NodeJS.ReadableStream & { setEncoding(e: string): void };
  let data = '';
  stream.setEncoding('utf8');
  stream.on('data', (c: string) => (data += c));
  stream.on('end', () => cb(null, data));
}

/** A caller with the default credentials. */
export function caller(app: Express, auth: [string, string] = [DEFAULT_BASIC_USER, DEFAULT_BASIC_PASSWORD]) {
  const send = (method: 'post' | 'put' | 'delete', path: string, body: string) => {
    const agent = request(app);
    return agent[method](path)
      .auth(auth[0], auth[1])
      .set('Content-Type', 'application/json')
      .set('User-Agent', 'databricks')
      .send(body);
  };
  return {
    connect: (a: ConnectArgs) => send('post', '/connect', connectBody(a)),
    raw: send,
    deleteConnection: (connection_id: string, method: 'post' | 'delete' = 'post') =>
      send(
        method,
        '/delete-connection',
        stringifyJson({ connection_id, cloud_provider: 'aws', databricks_organization_id: freshId() }),
      ),
    deleteAccount: (domain: string, method: 'delete' | 'post' = 'delete') =>
      send(
        method,
        '/delete-account',
        stringifyJson({ domain, cloud_provider: 'aws', databricks_organization_id: freshId() }),
      ),
    expireAccount: (email: string, method: 'put' | 'post' = 'put') =>
      send(
        method,
        '/expire-account',
        stringifyJson({
          email,
          databricks_user_id: freshId(),
          cloud_provider: 'aws',
          databricks_organization_id: freshId(),
        }),
      ),
    testConnection: (connection_id: string) =>
      send(
        'post',
        '/test-connection',
        stringifyJson({ connection_id, cloud_provider: 'aws', databricks_organization_id: freshId() }),
      ),
    connectors: (token?: string) =>
      request(app)
        .get('/connectors')
        .query(token === undefined ? {} : { pagination_token: token })
        .auth(auth[0], auth[1]),
  };
}
