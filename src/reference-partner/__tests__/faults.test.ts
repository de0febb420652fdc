import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { tryParseJson } from '../../contract/json.js';
import { Connection, ConnectorsResponse, TestConnectionResponse } from '../../contract/messages.js';
import { FAULTS, createReferencePartnerApp, type Fault } from '../index.js';
import { caller, connectBody, freshDomain, freshId, rawText } from './helpers.js';

function setup(faults: Fault[], extra: { slowMs?: number } = {}) {
  const partner = createReferencePartnerApp({ faults, ...extra });
  return { ...partner, call: caller(partner.app) };
}

/** A connect whose body is read as text whatever it is. */
const rawConnect = (app: ReturnType<typeof setup>['app'], body: string) =>
  request(app)
    .post('/connect')
    .auth('databricks', 'pcsim-reference-secret')
    .set('Content-Type', 'application/json')
    .buffer(true)
    .parse(rawText)
    .send(body);

async function created(call: ReturnType<typeof setup>['call'], email = `u1@${freshDomain()}`, ws = freshId()) {
  const res = await call.connect({ email, workspaceId: ws });
  expect(res.status).toBe(200);
  return { email, ws, id: res.body.connection_id as string, body: res.body };
}

describe('faults', () => {
  it('every fault is listed once', () => {
    expect(new Set(FAULTS).size).toBe(FAULTS.length);
    expect(FAULTS).toHaveLength(24);
  });

  it('slow: delays every API answer, not the pages', async () => {
    const { app, call } = setup(['slow'], { slowMs: 400 });
    for (const run of [
      () => call.connect({ email: `u1@${freshDomain()}`, workspaceId: freshId() }),
      () => call.connectors(),
      () => request(app).post('/connect').send('{}'),
    ]) {
      const t0 = performance.now();
      await run();
      expect(performance.now() - t0).toBeGreaterThanOrEqual(390);
    }
    const t0 = performance.now();
    expect((await request(app).get('/signup')).status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(390);
  });

  it('error-500: connect always answers 500 general_error; the hooks still work', async () => {
    const { call } = setup(['error-500']);
    const res = await call.connect({ email: `u1@${freshDomain()}`, workspaceId: freshId() });
    expect(res.status).toBe(500);
    expect(res.body.error_reason).toBe('general_error');
    expect((await call.connectors()).status).toBe(200);
    expect((await call.connect({ email: 'x', workspaceId: 1n, extra: {} })).status).toBe(500);
  });

  it('flaky-500: the first 2 attempts of a body fail, the 3rd succeeds; another body fails twice again', async () => {
    const { app, model } = setup(['flaky-500']);
    const body = connectBody({ email: `u1@${freshDomain()}`, workspaceId: freshId() });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await rawConnect(app, body)).status);
    expect(statuses).toEqual([500, 500, 200]);
    expect(model.connections.size).toBe(1); // the failed attempts changed nothing
    const other = connectBody({ email: `u1@${freshDomain()}`, workspaceId: freshId() });
    const first = await rawConnect(app, other);
    expect(first.status).toBe(500);
    expect(tryParseJson(first.body as string)).toMatchObject({ ok: true, value: { error_reason: 'general_error' } });
  });

  it('malformed-json: 200, application/json, a truncated body', async () => {
    const { app } = setup(['malformed-json']);
    const res = await rawConnect(app, connectBody({ email: `u1@${freshDomain()}`, workspaceId: freshId() }));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body as string).toMatch(/^\{"redirect_uri":/);
    expect(tryParseJson(res.body as string).ok).toBe(false);
  });

  it('html-body: 200 text/html', async () => {
    const { app } = setup(['html-body']);
    const res = await rawConnect(app, connectBody({ email: `u1@${freshDomain()}`, workspaceId: freshId() }));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body as string).toMatch(/^<(!doctype )?html/i);
  });

  it('huge-body: a valid Connection padded beyond 2 MB', async () => {
    const { app } = setup(['huge-body']);
    const res = await rawConnect(app, connectBody({ email: `u1@${freshDomain()}`, workspaceId: freshId() }));
    expect(res.status).toBe(200);
    expect((res.body as string).length).toBeGreaterThan(2_000_000);
    const parsed = tryParseJson(res.body as string);
    expect(parsed.ok && Connection.safeParse(parsed.value).success).toBe(true);
  });

  it('wrong-content-type: valid JSON sent as text/plain', async () => {
    const { app } = setup(['wrong-content-type']);
    const res = await rawConnect(app, connectBody({ email: `u1@${freshDomain()}`, workspaceId: freshId() }));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const parsed = tryParseJson(res.body as string);
    expect(parsed.ok && Connection.safeParse(parsed.value).success).toBe(true);
  });

  it('wrong-enum: redirect_value in upper case, on create and sign-in', async () => {
    const { call } = setup(['wrong-enum']);
    const c = await created(call);
    expect(c.body.redirect_value).toBe('CREATE_TRIAL');
    const signIn = await call.connect({ email: c.email, workspaceId: c.ws, established: true, connectionId: c.id });
    expect(signIn.body.redirect_value).toBe('SIGN_IN');
    expect(signIn.body.user_status).toBe('existing');
  });

  it('missing-fields: account_status is left out', async () => {
    const { call } = setup(['missing-fields']);
    const c = await created(call);
    expect(c.body).not.toHaveProperty('account_status');
    expect(c.body).toMatchObject({ redirect_value: 'create_trial', user_status: 'new', configured_resources: true });
  });

  it('redirect-outside-allowlist: redirect_uri on evil.example.net', async () => {
    const { call } = setup(['redirect-outside-allowlist']);
    const c = await created(call);
    expect(new URL(c.body.redirect_uri).hostname).toBe('evil.example.net');
  });

  it('redirect-broken: the redirect page answers 404, the other pages 200', async () => {
    const { app, call } = setup(['redirect-broken']);
    const c = await created(call);
    const uri = new URL(c.body.redirect_uri);
    expect(uri.hostname).toBe('127.0.0.1');
    expect((await request(app).get(uri.pathname + uri.search)).status).toBe(404);
    expect((await request(app).get('/signup')).status).toBe(200);
  });

  it('id-on-sign-in: sign-in answers carry the connection_id', async () => {
    const { call } = setup(['id-on-sign-in']);
    const c = await created(call);
    const signIn = await call.connect({ email: c.email, workspaceId: c.ws, established: true, connectionId: c.id });
    expect(signIn.body).toMatchObject({ connection_id: c.id, redirect_value: 'sign_in', configured_resources: false });
  });

  it('no-connection-id: create answers configured_resources true without connection_id', async () => {
    const { call, model } = setup(['no-connection-id']);
    const c = await created(call);
    expect(c.body.configured_resources).toBe(true);
    expect(c.body).not.toHaveProperty('connection_id');
    expect(model.connections.size).toBe(1);
  });

  it('ignore-demo: the demo flag changes nothing', async () => {
    const { call } = setup(['ignore-demo']);
    const c = await created(call);
    const demo = await call.connect({ email: c.email, workspaceId: c.ws, demo: true });
    expect(demo.body).toMatchObject({ user_status: 'existing', account_status: 'active', redirect_value: 'sign_in' });
  });

  it('accept-bad-credentials: wrong or missing credentials are let in', async () => {
    const { app } = setup(['accept-bad-credentials']);
    const res = await caller(app, ['nobody', 'wrong']).connect({
      email: `u1@${freshDomain()}`,
      workspaceId: freshId(),
    });
    expect(res.status).toBe(200);
    expect((await request(app).get('/connectors')).status).toBe(200);
  });

  it('keep-deleted-connections: delete answers 200 but sign-in and test-connection keep working', async () => {
    const { call } = setup(['keep-deleted-connections']);
    const c = await created(call);
    expect((await call.deleteConnection(c.id)).body).toEqual({ resource_status: 'resources_deleted' });
    expect(
      (await call.connect({ email: c.email, workspaceId: c.ws, established: true, connectionId: c.id })).status,
    ).toBe(200);
    expect((await call.testConnection(c.id)).status).toBe(200);
  });

  it('delete-any-domain: a real domain is deleted with 200', async () => {
    const { call, model } = setup(['delete-any-domain']);
    const c = await created(call, 'ceo@example.com');
    expect((await call.deleteAccount('example.com')).status).toBe(200);
    expect(model.accounts.has('example.com')).toBe(false);
    expect(
      (await call.connect({ email: c.email, workspaceId: c.ws, established: true, connectionId: c.id })).status,
    ).toBe(404);
  });

  it('ignore-expiry: expire answers 200 and the trial goes on', async () => {
    const { call } = setup(['ignore-expiry']);
    const c = await created(call);
    expect((await call.expireAccount(c.email)).status).toBe(200);
    const signIn = await call.connect({ email: c.email, workspaceId: c.ws, established: true, connectionId: c.id });
    expect(signIn.body).toMatchObject({ account_status: 'active', redirect_value: 'sign_in' });
    expect((await call.expireAccount('ceo@example.com')).status).toBe(400); // only the effect is broken, not the check
  });

  it('same-connection-id: a second create in a workspace returns the first id; workspaces one apart above 2^53 stay distinct', async () => {
    const { call } = setup(['same-connection-id']);
    const c = await created(call, `u1@${freshDomain()}`, 4645065419173783088n);
    const again = await call.connect({ email: `u2@${freshDomain()}`, workspaceId: 4645065419173783088n });
    expect(again.body.connection_id).toBe(c.id);
    // 4645065419173783089 rounds to the same double as ...088: only exact ids keep them apart.
    const neighbour = await call.connect({ email: `u3@${freshDomain()}`, workspaceId: 4645065419173783089n });
    expect(neighbour.body.connection_id).not.toBe(c.id);
  });

  it('bad-test-results: status OK and no message', async () => {
    const { call } = setup(['bad-test-results']);
    const c = await created(call);
    const res = await call.testConnection(c.id);
    expect(res.status).toBe(200);
    for (const r of res.body.test_results) expect(r).toEqual({ test_name: expect.any(String), status: 'OK' });
    expect(TestConnectionResponse.safeParse(res.body).success).toBe(false);
  });

  it('empty-connectors: an empty list without a token', async () => {
    const { call } = setup(['empty-connectors']);
    const res = await call.connectors();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ connectors: [] });
    expect(ConnectorsResponse.safeParse(res.body).success).toBe(true);
  });

  it('faults combine, and a fault-free partner shows none of their effects', async () => {
    const both = setup(['wrong-enum', 'missing-fields', 'wrong-content-type']);
    const res = await rawConnect(both.app, connectBody({ email: `u1@${freshDomain()}`, workspaceId: freshId() }));
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const parsed = tryParseJson(res.body as string);
    expect(parsed.ok).toBe(true);
    const value = (parsed as { value: Record<string, unknown> }).value;
    expect(value.redirect_value).toBe('CREATE_TRIAL');
    expect(value).not.toHaveProperty('account_status');

    const clean = setup([]);
    const ok = await clean.call.connect({ email: `u1@${freshDomain()}`, workspaceId: freshId() });
    expect(Connection.safeParse(ok.body).success).toBe(true);
    expect(ok.body.redirect_value).toBe('create_trial');
  });
});
