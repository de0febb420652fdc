/**
 * The rules of what Databricks does on each click (issue 3), driven through the admin API
 * against the reference partner, compliant or with faults. A partner's misbehaviour is always a
 * 200 answer carrying the outcome; the partner's side is read from its model or from the raw
 * request bodies it recorded.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import express from 'express';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { parseJson } from '../../src/contract/json.js';
import {
  ACME,
  ADMIN,
  DEMO,
  connectPath,
  harness,
  lastConnect,
  postRaw,
  type Harness,
  type HarnessOptions,
} from './harness.js';

const open: Harness[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function setup(opts: HarnessOptions = {}): Promise<Harness> {
  const h = await harness({ record: true, ...opts });
  open.push(h);
  return h;
}

let seq = 0;
async function wsWithUsers(h: Harness, emails: string[], extra: Record<string, unknown> = {}) {
  const ws = (
    await request(h.app)
      .post('/api/workspaces')
      .send({ name: `rules-${++seq}`, ...extra })
      .expect(201)
  ).body.id as string;
  const users: string[] = [];
  for (const email of emails)
    users.push((await request(h.app).post(`/api/workspaces/${ws}/users`).send({ email }).expect(201)).body.id);
  return { ws, users };
}
const domain = () => `r${process.pid}x${++seq}.databricks-test.com`;
const connect = (h: Harness, ws: string, user: string, partner = h.partner.id) =>
  request(h.app).post(connectPath(ws, partner)).send({ user_id: user }).expect(200);
const workspace = async (h: Harness, ws: string) =>
  (await request(h.app).get(`/api/workspaces/${ws}`).expect(200)).body;
const connectBodies = (h: Harness) =>
  h.ref.calls.filter((c) => c.path === '/connect').map((c) => parseJson(c.text) as Record<string, any>);

describe('resources and connection state', () => {
  it('provisions the resources before calling Connect, and sends exactly those', async () => {
    const h = await setup({ patToken: 'dapiPROVISIONEDBEFORE0001' });
    const { ws, users } = await wsWithUsers(h, [`u1@${domain()}`]);
    const res = await connect(h, ws, users[0]!);
    const { body } = lastConnect(h.ref);
    const r = res.body.resources;
    expect(body).toMatchObject({
      service_principal_id: r.service_principal_id,
      http_path: r.warehouse.http_path,
      // derived from where the workspace is served now, never stored (a restart may move the port)
      jdbc_url: `jdbc:spark://${body.hostname}:${body.port}/default;transportMode=http;ssl=1;AuthMech=3;httpPath=${r.warehouse.http_path};`,
      databricks_jdbc_url: `jdbc:databricks://${body.hostname}:${body.port}/default;transportMode=http;ssl=1;AuthMech=3;httpPath=${r.warehouse.http_path};`,
      cluster_id: r.warehouse.id,
      is_sql_warehouse: true,
      user_info: { auth: { personal_access_token: 'dapiPROVISIONEDBEFORE0001' } },
    });
    expect((await workspace(h, ws)).resources).toEqual([
      expect.objectContaining({ id: r.id, status: 'active', service_principal_id: r.service_principal_id }),
    ]);
    expect(r.warehouse).toEqual({ id: expect.any(String), http_path: expect.any(String) });
  });

  it('sends is_connection_established and connection_id from its own state, not from the partner', async () => {
    const h = await setup();
    const { ws, users } = await wsWithUsers(h, [`u1@${domain()}`]);
    const first = await connect(h, ws, users[0]!);
    const id = first.body.connection.connection_id;
    await connect(h, ws, users[0]!);
    // Databricks forgets (no call to the partner, which still holds the connection): the next click is a create again.
    const forgot = await request(h.app)
      .delete(`/api/workspaces/${ws}/partners/${h.partner.id}/connection?notify_partner=false`)
      .expect(200);
    expect(forgot.body).toMatchObject({ deleted: true, partner_notified: false, exchange_ids: [] });
    expect(h.ref.model.liveConnection(id)).toBeDefined();
    const third = await connect(h, ws, users[0]!);
    const [b1, b2, b3] = connectBodies(h);
    expect(b1!.user_info).toMatchObject({
      is_connection_established: false,
      auth: { personal_access_token: expect.stringMatching(/^dapi/) },
    });
    expect(b1).not.toHaveProperty('connection_id');
    expect(b2!.user_info.is_connection_established).toBe(true);
    expect(b2!.connection_id).toBe(id);
    expect(b2!.user_info).not.toHaveProperty('auth');
    expect(b3!.user_info.is_connection_established).toBe(false);
    expect(b3).not.toHaveProperty('connection_id');
    expect(third.body).toMatchObject({ outcome: 'connected', established: false });
    expect(third.body.connection.connection_id).not.toBe(id);
  });

  it('two clicks at once make one connection: the second waits and signs in', async () => {
    const h = await setup();
    const { ws, users } = await wsWithUsers(h, [`u1@${domain()}`]);
    const [a, b] = await Promise.all([connect(h, ws, users[0]!), connect(h, ws, users[0]!)]);
    expect([a.body.outcome, b.body.outcome].sort()).toEqual(['connected', 'signed_in']);
    expect(a.body.connection.connection_id).toBe(b.body.connection.connection_id);
    const after = await workspace(h, ws);
    expect(after.connections).toHaveLength(1);
    expect(after.resources).toHaveLength(1);
  });

  it('200 with configured_resources false and no connection: deletes what it provisioned', async () => {
    const h = await setup();
    const d = domain();
    const a = await wsWithUsers(h, [`u1@${d}`]);
    await connect(h, a.ws, a.users[0]!);
    await request(h.app)
      .post(`/api/workspaces/${a.ws}/partners/${h.partner.id}/hooks/expire-account`)
      .send({ user_id: a.users[0] })
      .expect(200);
    const b = await wsWithUsers(h, [`u1@${d}`]);
    const res = await connect(h, b.ws, b.users[0]!);
    expect(res.body).toMatchObject({
      outcome: 'not_configured',
      established: false,
      resources_kept: false,
      resources: { status: 'deleted' },
      redirect_uri: expect.stringContaining('purchase_product'),
    });
    expect(res.body.connection).toBeUndefined();
    expect(lastConnect(h.ref).body.user_info).toMatchObject({ auth: { personal_access_token: expect.any(String) } }); // they existed when Connect was sent
    const after = await workspace(h, b.ws);
    expect(after.connections).toEqual([]);
    expect(after.resources).toEqual([]);
  });
});

describe('error screens', () => {
  it('500: retries per the contract, then keeps the resources and offers the sign-in page', async () => {
    const h = await setup({ reference: { faults: ['error-500'] } });
    const { ws, users } = await wsWithUsers(h, [`u1@${domain()}`]);
    const res = await connect(h, ws, users[0]!);
    expect(res.body).toMatchObject({
      outcome: 'error',
      resources_kept: true,
      resources: { status: 'active' },
      error: {
        kind: 'general_error',
        sign_in_page: h.ref.config.sign_up_page,
        display_message: expect.stringContaining('internal error'),
      },
      verdict: { status: 500, attempts: 4 },
    });
    expect(connectBodies(h)).toHaveLength(4);
    const ex = (await request(h.app).get(`/api/journal/${res.body.exchange_ids[0]}`).expect(200)).body;
    expect(ex.attempts.map((a: { n: number; status: number }) => [a.n, a.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
      [4, 500],
    ]);
    const after = await workspace(h, ws);
    expect(after.connections).toEqual([]);
    expect(after.resources).toEqual([expect.objectContaining({ id: res.body.resources.id, status: 'active' })]);
  });

  it('a transient 500: the retry succeeds and the connection is made', async () => {
    const h = await setup({ reference: { faults: ['flaky-500'] } });
    const { ws, users } = await wsWithUsers(h, [`u1@${domain()}`]);
    const res = await connect(h, ws, users[0]!);
    expect(res.body).toMatchObject({ outcome: 'connected', verdict: { attempts: 3 } });
    // Every retry is the same request: same resources, same PAT.
    const bodies = h.ref.calls.filter((c) => c.path === '/connect').map((c) => c.text);
    expect(new Set(bodies).size).toBe(1);
  });

  it('the partner is down: outcome error with the reason, resources kept, the server stays up', async () => {
    const h = await setup();
    const { ws, users } = await wsWithUsers(h, [`u1@${domain()}`]);
    await h.ref.close();
    const res = await connect(h, ws, users[0]!);
    expect(res.body).toMatchObject({
      outcome: 'error',
      resources_kept: true,
      error: {
        kind: 'unreachable',
        sign_in_page: h.ref.config.sign_up_page,
        detail: expect.stringContaining('connection refused'),
      },
      verdict: { status: null, attempts: 4 },
    });
    await request(h.app).get('/api/health').expect(200);
  });

  it('401: offers the sign-in page and keeps nothing', async () => {
    const h = await setup();
    await request(h.app)
      .post('/api/partners')
      .send({
        config: h.ref.config,
        id: 'wrong-creds',
        credentials: { user: 'databricks', password: 'not-the-password' },
      })
      .expect(201);
    const { ws, users } = await wsWithUsers(h, [`u1@${domain()}`]);
    const res = await connect(h, ws, users[0]!, 'wrong-creds');
    expect(res.body).toMatchObject({
      outcome: 'error',
      resources_kept: false,
      resources: { status: 'deleted' },
      error: { kind: 'unauthorized', sign_in_page: h.ref.config.sign_up_page },
      verdict: { status: 401, attempts: 1 },
    });
    expect((await workspace(h, ws)).resources).toEqual([]);
  });

  it('404 connection_not_found: tells the user to delete and re-create; that works', async () => {
    const h = await setup();
    const { ws, users } = await wsWithUsers(h, [`u1@${domain()}`]);
    const first = await connect(h, ws, users[0]!);
    await request(h.app).post(`/api/workspaces/${ws}/partners/${h.partner.id}/hooks/delete-connection`).expect(200);
    const res = await connect(h, ws, users[0]!);
    expect(res.body).toMatchObject({
      outcome: 'error',
      established: true,
      error: {
        kind: 'connection_not_found',
        action: expect.stringMatching(/delete the connection.*create it again/i),
        display_message: expect.stringContaining(first.body.connection.connection_id),
      },
      verdict: { status: 404, error_reason: 'connection_not_found' },
    });
    // Databricks still holds its side until the user deletes it.
    expect(res.body.connection.connection_id).toBe(first.body.connection.connection_id);
    const del = await request(h.app).delete(`/api/workspaces/${ws}/partners/${h.partner.id}/connection`).expect(200);
    expect(del.body).toMatchObject({ deleted: true, partner_notified: true, verdict: { status: 404 } });
    expect((await connect(h, ws, users[0]!)).body).toMatchObject({ outcome: 'connected', established: false });
  });

  it('404 account_not_found: tells the user to contact an admin', async () => {
    const h = await setup({ reference: { newUserAction: 'not_found' } });
    const d = domain();
    const { ws, users } = await wsWithUsers(h, [`u1@${d}`, `u2@${d}`]);
    await connect(h, ws, users[0]!);
    const res = await connect(h, ws, users[1]!);
    expect(res.body).toMatchObject({
      outcome: 'error',
      established: true,
      error: {
        kind: 'account_not_found',
        action: expect.stringMatching(/contact your admin/i),
        display_message: expect.stringContaining(`u2@${d}`),
      },
      verdict: { status: 404, error_reason: 'account_not_found' },
    });
  });

  it("returns display_message as data, exactly as the partner wrote it (escaping is the UI's job)", async () => {
    const h = await setup();
    const hostile = `<img src=x onerror="alert(1)">&amp; <script>document.cookie</script> \u2028`;
    const app = express();
    app.post(
      '/connect',
      (_req, res) =>
        void res
          .status(500)
          .type('application/json')
          .send(JSON.stringify({ error_reason: 'general_error', display_message: hostile })),
    );
    const server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const config = {
      ...h.ref.config,
      name: 'Hostile Partner',
      base_url: base,
      endpoints: { connect_path: '/connect' },
      sign_up_page: `${base}/signup`,
    };
    await request(h.app).post('/api/partners').send({ config }).expect(201);
    const res = await connect(h, ACME, ADMIN, 'hostile-partner');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body.error.display_message).toBe(hostile);
    expect(res.body.verdict.display_message).toBe(hostile);
    expect(res.text).not.toContain('&lt;');
    const ex = (await request(h.app).get(`/api/journal/${res.body.exchange_ids[0]}`).expect(200)).body;
    expect(ex.response.body.display_message).toBe(hostile);
  });

  it('opens only a redirect_uri whose host is allowed; another host is a violation', async () => {
    const h = await setup({ reference: { faults: ['redirect-outside-allowlist'] } });
    const { ws, users } = await wsWithUsers(h, [`u1@${domain()}`]);
    const res = await connect(h, ws, users[0]!);
    expect(res.body).toMatchObject({
      outcome: 'error',
      resources_kept: false,
      error: { kind: 'invalid_response', detail: expect.stringContaining('evil.example.net') },
      verdict: { compliant: false },
    });
    expect(res.body.redirect_uri).toBeUndefined();
    expect(res.body.verdict.violations).toEqual(
      expect.arrayContaining([expect.objectContaining({ rule: 'connect.redirect_uri.host', field: 'redirect_uri' })]),
    );
    const ex = (await request(h.app).get(`/api/journal/${res.body.exchange_ids[0]}`).expect(200)).body;
    expect(ex.redirect).toBeUndefined(); // never opened
    expect(h.ref.calls.filter((c) => c.path === '/launch')).toEqual([]);
  });
});

describe('the Databricks-side delete', () => {
  it("calls the partner's delete-connection, records resource_status, and revokes the resources", async () => {
    const h = await setup();
    const { ws, users } = await wsWithUsers(h, [`u1@${domain()}`]);
    const c = (await connect(h, ws, users[0]!)).body;
    const res = await request(h.app).delete(`/api/workspaces/${ws}/partners/${h.partner.id}/connection`).expect(200);
    expect(res.body).toMatchObject({
      deleted: true,
      partner_notified: true,
      resource_status: 'resources_deleted',
      exchange_ids: [expect.any(String)],
    });
    const call = h.ref.calls.find((x) => x.path === '/delete-connection')!;
    expect(call.method).toBe('POST');
    expect(call.text).toContain(`"databricks_organization_id":${ws}`);
    expect(parseJson(call.text)).toMatchObject({ connection_id: c.connection.connection_id, cloud_provider: 'aws' });
    expect(h.ref.model.liveConnection(c.connection.connection_id)).toBeUndefined();
    const ex = (await request(h.app).get(`/api/journal/${res.body.exchange_ids[0]}`).expect(200)).body;
    expect(ex).toMatchObject({
      kind: 'delete_connection',
      response: { status: 200, body: { resource_status: 'resources_deleted' } },
    });
    const after = await workspace(h, ws);
    expect(after.connections).toEqual([]);
    expect(after.resources).toEqual([
      expect.objectContaining({ id: c.resources.id, status: 'deleted', deleted_at: expect.any(String) }),
    ]);
  });

  it('?notify_partner=false does not call the partner', async () => {
    const h = await setup();
    const { ws, users } = await wsWithUsers(h, [`u1@${domain()}`]);
    const c = (await connect(h, ws, users[0]!)).body;
    const res = await request(h.app)
      .delete(`/api/workspaces/${ws}/partners/${h.partner.id}/connection?notify_partner=false`)
      .expect(200);
    expect(res.body).toEqual({ deleted: true, partner_notified: false, exchange_ids: [] });
    expect(h.ref.calls.filter((x) => x.path === '/delete-connection')).toEqual([]);
    expect(h.ref.model.liveConnection(c.connection.connection_id)).toBeDefined();
    expect((await workspace(h, ws)).resources[0].status).toBe('deleted');
  });

  it('a partner without delete-connection is not called', async () => {
    const h = await setup({ reference: { hooks: { delete_connection: false } } });
    const { ws, users } = await wsWithUsers(h, [`u1@${domain()}`]);
    await connect(h, ws, users[0]!);
    const res = await request(h.app).delete(`/api/workspaces/${ws}/partners/${h.partner.id}/connection`).expect(200);
    expect(res.body).toEqual({ deleted: true, partner_notified: false, exchange_ids: [] });
    expect(h.ref.calls.filter((x) => x.path === '/delete-connection')).toEqual([]);
  });
});

describe('payloads', () => {
  it('a demo workspace sends demo: true, a production one demo: false, a PATCH switches it', async () => {
    const h = await setup();
    await connect(h, DEMO, ADMIN);
    expect(lastConnect(h.ref).body.demo).toBe(true);
    await connect(h, ACME, ADMIN);
    expect(lastConnect(h.ref).body.demo).toBe(false);
    const { ws, users } = await wsWithUsers(h, [`u1@${domain()}`]);
    await request(h.app).patch(`/api/workspaces/${ws}`).send({ demo: true }).expect(200);
    const res = await connect(h, ws, users[0]!);
    expect(lastConnect(h.ref).body.demo).toBe(true);
    expect(res.body.redirect_uri).toContain('redirect_value=create_trial');
  });

  it('int64 ids above 2^53 stay exact: JSON integers in, strings out, integers to the partner', async () => {
    const h = await setup();
    const WS = '9007199254740993'; // 2^53 + 1: a double would make it ...992
    const USER = '9223372036854775807'; // the largest int64
    await postRaw(h.app, '/api/workspaces', `{"id": ${WS}, "name": "Exact"}`).expect(201);
    const user = await postRaw(
      h.app,
      `/api/workspaces/${WS}/users`,
      `{"id": ${USER}, "email": "max@${domain()}"}`,
    ).expect(201);
    expect(user.text).toContain(`"id":"${USER}"`);
    const res = await postRaw(h.app, connectPath(WS, h.partner.id), `{"user_id": ${USER}}`).expect(200);
    expect(res.body.outcome).toBe('connected');
    expect(res.text).toContain(`"workspace_id":"${WS}"`);
    expect(res.text).toContain(`"created_by":"${USER}"`);
    const { text } = lastConnect(h.ref);
    expect(text).toContain(`"workspace_id":${WS}`);
    expect(text).toContain(`"databricks_organization_id":${WS}`);
    expect(text).toContain(`"databricks_user_id":${USER}`);
    expect(text).toContain(`?o=${WS}"`);
    expect(res.body.redirect_uri).toContain(`o=${WS}`);
    const ex = await request(h.app).get(`/api/journal/${res.body.exchange_ids[0]}`).expect(200);
    expect(ex.body.request.body).toMatchObject({
      workspace_id: WS,
      user_info: { databricks_user_id: USER, databricks_organization_id: WS },
    });
    // The hooks too: the same user, sent as an integer to expire-account.
    await postRaw(
      h.app,
      `/api/workspaces/${WS}/partners/${h.partner.id}/hooks/expire-account`,
      `{"user_id": ${USER}}`,
    ).expect(200);
    const expire = h.ref.calls.find((c) => c.path === '/expire-account')!;
    expect(expire.text).toContain(`"databricks_user_id":${USER}`);
    expect(expire.text).toContain(`"databricks_organization_id":${WS}`);
    // Path parameters and query filters take the same exact ids.
    expect((await request(h.app).get(`/api/journal?workspace=${WS}&kind=connect`).expect(200)).body.total).toBe(1);
  });
});
