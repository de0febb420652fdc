/**
 * The official Databricks SDK for JavaScript (@databricks/sdk-experimental) runs statements on the
 * simulated warehouse with the credentials a partner server received in its Connect payload:
 * pcsim serve calls the reference partner through a recording proxy, the test takes the PAT (or
 * the service principal's OAuth secret) and the warehouse from the recorded request.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WorkspaceClient } from '@databricks/sdk-experimental';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startReferencePartner, type RunningReferencePartner } from '../../src/reference-partner/index.js';
import { SEED } from '../../src/server/seed.js';
import { startServer, type RunningServer } from '../../src/server/start.js';

const creds = { user: 'databricks', password: 'pcsim-reference-secret' };
let ref: RunningReferencePartner;
let proxy: Server;
let server: RunningServer;
const received: Record<string, any>[] = [];

/** Forwards to the reference partner and keeps each Connect request body, as the partner received it. */
async function recordingProxy(target: string): Promise<Server> {
  const s = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (req.url?.endsWith('/connect') && body.length) received.push(JSON.parse(body.toString('utf8')));
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)),
    ) as Record<string, string>;
    const out = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers,
      body: body.length ? body : undefined,
    });
    res.writeHead(out.status, { 'content-type': out.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await out.arrayBuffer()));
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return s;
}

async function connect(auth: 'AUTH_PAT' | 'AUTH_OAUTH_M2M'): Promise<Record<string, any>> {
  const base = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const name = `SDK partner ${auth}`;
  const reg = await fetch(`${server.url}/api/partners`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ config: { ...ref.config, name, base_url: base, auth_options: [auth] }, credentials: creds }),
  });
  expect(reg.status).toBe(201);
  const partner = (await reg.json()) as { id: string };
  const before = received.length;
  const ws = SEED.workspaces[0].id;
  const res = await fetch(`${server.url}/api/workspaces/${ws}/partners/${partner.id}/connect`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user_id: SEED.users[0].id }),
  });
  expect(res.status).toBe(200);
  expect(received.length).toBe(before + 1);
  return received.at(-1)!;
}

beforeAll(async () => {
  ref = await startReferencePartner({ basicUser: creds.user, basicPassword: creds.password });
  proxy = await recordingProxy(ref.url);
  server = await startServer({ port: 0, dataDir: null, credentials: creds, retryBackoffMs: [0, 0, 0] });
});
afterAll(async () => {
  await server?.close();
  await new Promise((r) => proxy?.close(r));
  await ref?.close();
});

describe('@databricks/sdk-experimental statement execution', () => {
  it('runs a parameterised statement synchronously and asynchronously with the PAT of the Connect payload', async () => {
    const payload = await connect('AUTH_PAT');
    const token = payload.user_info.auth.personal_access_token as string;
    const client = new WorkspaceClient({ host: `http://${payload.hostname}:${payload.port}`, token, authType: 'pat' });
    const warehouse_id = payload.cluster_id as string;

    const sync = await client.statementExecution.executeStatement({
      warehouse_id,
      statement:
        'SELECT :n * 2 AS doubled, :who AS who, fare_amount FROM samples.nyctaxi.trips ORDER BY fare_amount DESC LIMIT 1',
      parameters: [
        { name: 'n', value: '21', type: 'INT' },
        { name: 'who', value: 'sdk' },
      ],
      wait_timeout: '30s',
    });
    expect(sync.status?.state).toBe('SUCCEEDED');
    expect(sync.manifest?.schema?.columns?.map((c) => c.type_text)).toEqual(['int', 'string', 'double']);
    expect(sync.result?.data_array).toEqual([['42', 'sdk', '18.5']]);

    // current_user() is the caller as SCIM Me names it: the service principal the PAT belongs to.
    const me = await client.currentUser.me();
    const who = await client.statementExecution.executeStatement({
      warehouse_id,
      statement: 'SELECT current_user()',
      wait_timeout: '30s',
    });
    expect(who.manifest?.schema?.columns?.map((c) => c.name)).toEqual(['current_user()']);
    expect(who.result?.data_array).toEqual([[me.userName]]);
    expect(me.userName).toBe(payload.service_principal_id);

    const started = await client.statementExecution.executeStatement({
      warehouse_id,
      statement: 'SELECT ROW_NUMBER() OVER (ORDER BY pickup_zip DESC) AS rn, pickup_zip FROM samples.nyctaxi.trips',
      wait_timeout: '0s',
    });
    expect(started.status?.state).toBe('PENDING');
    let polled = await client.statementExecution.getStatement({ statement_id: started.statement_id! });
    for (let i = 0; i < 100 && polled.status?.state !== 'SUCCEEDED' && polled.status?.state !== 'FAILED'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      polled = await client.statementExecution.getStatement({ statement_id: started.statement_id! });
    }
    expect(polled.status?.state).toBe('SUCCEEDED');
    expect(polled.result?.data_array?.map((r) => r[0])).toEqual(['1', '2', '3', '4', '5']);
    expect(polled.result?.data_array?.[0]?.[1]).toBe('10199');
    const chunk = await client.statementExecution.getStatementResultChunkN({
      statement_id: started.statement_id!,
      chunk_index: 0,
    });
    expect(chunk.row_count).toBe(5);

    const failed = await client.statementExecution.executeStatement({
      warehouse_id,
      statement: 'SELECT * FROM main.default.missing',
      wait_timeout: '10s',
    });
    expect(failed.status).toMatchObject({
      state: 'FAILED',
      error: {
        error_code: 'BAD_REQUEST',
        message: expect.stringMatching(/^\[TABLE_OR_VIEW_NOT_FOUND\].*SQLSTATE: 42P01$/),
      },
    });
  });

  it('runs statements with an OAuth M2M token of the service principal from the Connect payload', async () => {
    const payload = await connect('AUTH_OAUTH_M2M');
    const client = new WorkspaceClient({
      host: `http://${payload.hostname}:${payload.port}`,
      clientId: payload.service_principal_id,
      clientSecret: payload.service_principal_oauth_secret,
      authType: 'oauth-m2m',
    });
    const r = await client.statementExecution.executeStatement({
      warehouse_id: payload.cluster_id,
      statement: 'SELECT current_catalog() AS c, 1 AS one',
      catalog: 'hive_metastore',
      wait_timeout: '30s',
    });
    expect(r.status?.state).toBe('SUCCEEDED');
    expect(r.result?.data_array).toEqual([['hive_metastore', '1']]);
  });
});
