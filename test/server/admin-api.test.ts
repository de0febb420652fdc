/**
 * Every route of the admin API (the ROUTES table) in process with supertest, against a real
 * reference partner on port 0: one success case per operationId (a route without one fails the
 * coverage test), the bad inputs every route shares (unknown ids, bad bodies, wrong method,
 * cross-site and bad-Host requests) generated from the table itself, and each route's own bad
 * inputs. Every error is checked for the one shape {error: {code, message, details}}.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { ROUTES, createApp } from '../../src/server/app.js';
import { exportState } from '../../src/server/state-transfer.js';
import { stringifyJson } from '../../src/contract/json.js';
import type { Route } from '../../src/server/route.js';
import { VERSION } from '../../src/version.js';
import { formatProblem, parseScenario } from '../../src/scenarios/load.js';
import {
  ACME,
  ADMIN,
  ANALYST,
  DEMO,
  UNKNOWN_PARTNER,
  UNKNOWN_USER,
  UNKNOWN_WS,
  connectPath,
  expectError,
  harness,
  openSse,
  postRaw,
  type Harness,
} from './harness.js';

let h: Harness;
let exchangeId: string;
let connId: string;
let seq = 0;
const tag = (what: string) => `${what}-${process.pid}-${++seq}`;

beforeAll(async () => {
  h = await harness();
  const res = await request(h.app).post(connectPath(ACME, h.partner.id)).send({ user_id: ADMIN }).expect(200);
  expect(res.body.outcome).toBe('connected');
  exchangeId = res.body.exchange_ids[0];
  connId = res.body.connection.connection_id;
});
afterAll(async () => h.close());

const api = () => request(h.app);

/** A new workspace with one new user of a new test domain, made through the API. */
async function freshWsUser(what: string): Promise<{ ws: string; user: string; domain: string; email: string }> {
  const ws = (
    await api()
      .post('/api/workspaces')
      .send({ name: tag(what) })
      .expect(201)
  ).body.id as string;
  const domain = `${tag(what)}.databricks-test.com`;
  const email = `u1@${domain}`;
  const user = (await api().post(`/api/workspaces/${ws}/users`).send({ email }).expect(201)).body.id as string;
  return { ws, user, domain, email };
}

async function freshConnection(what: string) {
  const f = await freshWsUser(what);
  const res = await api().post(connectPath(f.ws, h.partner.id)).send({ user_id: f.user }).expect(200);
  expect(res.body.outcome).toBe('connected');
  return { ...f, connection_id: res.body.connection.connection_id as string };
}

const params = () => ({
  ws: ACME,
  user: ADMIN,
  partner: h.partner.id,
  id: exchangeId,
  journey: 'P100',
  run: 'any-run',
  snapshot: 'any-snapshot',
});
const fill = (path: string, values: Record<string, string>) =>
  path.replace(/\{(\w+)\}/g, (_m, k: string) => encodeURIComponent(values[k] ?? `{${k}}`));
const send = (r: Route, path: string) => api()[r.method](path);

/** Polls a run until it is no longer running (bounded), so none outlives the test. */
async function finished(runId: string) {
  let run = (await api().get(`/api/runs/${runId}`).expect(200)).body;
  for (let i = 0; i < 200 && run.status === 'running'; i++) {
    await new Promise((r) => setTimeout(r, 50));
    run = (await api().get(`/api/runs/${runId}`).expect(200)).body;
  }
  return run;
}

/** A body each route accepts (used where another part of the request is the bad one). */
const VALID_BODY: Record<string, () => Record<string, unknown>> = {
  reset: () => ({}),
  tickChecklist: () => ({ done: true }),
  createWorkspace: () => ({ name: 'valid' }),
  updateWorkspace: () => ({ name: 'valid' }),
  addUser: () => ({ email: 'valid@valid.databricks-test.com' }),
  updateUser: () => ({ admin: true }),
  registerPartner: () => ({ config: h.ref.config, id: 'valid-copy' }),
  connect: () => ({ user_id: ADMIN }),
  hookDeleteConnection: () => ({}),
  hookDeleteAccount: () => ({ domain: 'valid.databricks-test.com' }),
  hookExpireAccount: () => ({ user_id: ADMIN }),
  hookTestConnection: () => ({}),
  startRun: () => ({ partner: h.partner.id, journeys: ['P100'] }),
  takeSnapshot: () => ({}),
  // Through JSON: the journal's int64 values are bigints in memory.
  importState: () => JSON.parse(stringifyJson(exportState(h.store.read(), new Date()))) as Record<string, unknown>,
  moveClock: () => ({ advance_seconds: 0 }),
};
const hasBody = (r: Route) => Boolean(r.body || r.parseBody);

/* ------------------------------------------------------------------------------------------ */
/* Success: one case per operationId                                                          */
/* ------------------------------------------------------------------------------------------ */

const SUCCESS: Record<string, () => Promise<void>> = {
  async health() {
    const res = await api().get('/api/health').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      version: VERSION,
      counts: { workspaces: expect.any(Number), users: expect.any(Number), partners: expect.any(Number) },
    });
    expect(res.body.counts.partners).toBeGreaterThanOrEqual(1);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  },
  async reset() {
    const own = await harness();
    try {
      await request(own.app).post(connectPath(ACME, own.partner.id)).send({ user_id: ADMIN }).expect(200);
      const res = await request(own.app).post('/api/reset').send({}).expect(200);
      expect(res.body).toEqual({ reset: true, seeded: false });
      const health = (await request(own.app).get('/api/health').expect(200)).body;
      expect(health.counts).toMatchObject({ workspaces: 0, users: 0, connections: 0, journal: 0, partners: 1 });
      // An empty body is a reset too; {seed: true} brings the first-start workspaces back.
      await request(own.app).post('/api/reset').expect(200);
      expect((await request(own.app).post('/api/reset').send({ seed: true }).expect(200)).body).toEqual({
        reset: true,
        seeded: true,
      });
      const ws = (await request(own.app).get('/api/workspaces').expect(200)).body.workspaces;
      expect(ws.map((w: { id: string }) => w.id).sort()).toEqual([ACME, DEMO].sort());
    } finally {
      await own.close();
    }
  },
  async getChecklist() {
    const res = await api().get(`/api/partners/${h.partner.id}/checklist`).expect(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    for (const item of res.body.items)
      expect(item).toMatchObject({
        journey_id: expect.any(String),
        title: expect.any(String),
        checks: expect.any(Array),
        done: false,
      });
  },
  async tickChecklist() {
    const first = (await api().get(`/api/partners/${h.partner.id}/checklist`).expect(200)).body.items[0]
      .journey_id as string;
    const res = await api()
      .put(`/api/partners/${h.partner.id}/checklist/${first}`)
      .send({ done: true, note: 'checked by hand' })
      .expect(200);
    expect(res.body).toMatchObject({
      partner_id: h.partner.id,
      journey_id: first,
      done: true,
      note: 'checked by hand',
      at: expect.any(String),
    });
    const items = (await api().get(`/api/partners/${h.partner.id}/checklist`).expect(200)).body.items;
    expect(items.find((i: { journey_id: string }) => i.journey_id === first)).toMatchObject({
      done: true,
      note: 'checked by hand',
    });
  },
  async listWorkspaces() {
    const res = await api().get('/api/workspaces').expect(200);
    const byId = new Map(res.body.workspaces.map((w: { id: string }) => [w.id, w]));
    expect(byId.get(ACME)).toMatchObject({
      id: ACME,
      name: 'Acme Production',
      demo: false,
      user_count: 2,
      connection_count: 1,
    });
    expect(byId.get(DEMO)).toMatchObject({ id: DEMO, demo: true });
    // int64 ids leave as strings: a browser's JSON.parse would round the integers.
    expect(res.text).toContain(`"id":"${ACME}"`);
  },
  async createWorkspace() {
    const res = await api()
      .post('/api/workspaces')
      .send({ name: 'Created', cloud: 'gcp', region: 'us-central1', demo: true, is_free_trial: true })
      .expect(201);
    expect(res.body).toMatchObject({
      name: 'Created',
      cloud: 'gcp',
      region: 'us-central1',
      demo: true,
      is_free_trial: true,
      users: [],
      connections: [],
      resources: [],
    });
    expect(res.body.id).toMatch(/^\d+$/);
    expect(BigInt(res.body.id)).toBeGreaterThan(2n ** 53n);
    expect(res.body.catalogs).toContain('hive_metastore');
    // An exact JSON integer above 2^53 is kept to the last digit, and answered as a string.
    const exact = await postRaw(h.app, '/api/workspaces', '{"id": 9007199254740995, "name": "Exact"}').expect(201);
    expect(exact.body.id).toBe('9007199254740995');
    expect((await api().get('/api/workspaces/9007199254740995').expect(200)).body.name).toBe('Exact');
  },
  async getWorkspace() {
    const res = await api().get(`/api/workspaces/${ACME}`).expect(200);
    expect(res.body).toMatchObject({
      id: ACME,
      name: 'Acme Production',
      workspace_url: expect.stringContaining(`?o=${ACME}`),
    });
    expect(res.body.users.map((u: { id: string }) => u.id).sort()).toEqual([ADMIN, ANALYST].sort());
    expect(res.body.connections).toEqual([
      expect.objectContaining({ connection_id: connId, partner_id: h.partner.id, created_by: ADMIN }),
    ]);
    expect(res.body.resources[0]).toMatchObject({
      status: 'active',
      pat: '***redacted***',
      service_principal_id: expect.any(String),
    });
    expect(res.text).not.toMatch(/dapi[0-9a-f]{8}/);
  },
  async updateWorkspace() {
    const { ws } = await freshWsUser('patch');
    const res = await api()
      .patch(`/api/workspaces/${ws}`)
      .send({ name: 'Renamed', demo: true, catalogs: ['main', 'hive_metastore', 'sales'] })
      .expect(200);
    expect(res.body).toMatchObject({
      id: ws,
      name: 'Renamed',
      demo: true,
      catalogs: ['main', 'hive_metastore', 'sales'],
    });
    expect((await api().get(`/api/workspaces/${ws}`).expect(200)).body).toMatchObject({ name: 'Renamed', demo: true });
  },
  async deleteWorkspace() {
    const c = await freshConnection('delws');
    expect((await api().delete(`/api/workspaces/${c.ws}`).expect(200)).body).toEqual({ deleted: true, id: c.ws });
    expectError(await api().get(`/api/workspaces/${c.ws}`), 404, 'not_found');
    // Its user stays a user of this Databricks, just of no workspace.
    expect((await api().get('/api/health')).body.counts.workspaces).toBeGreaterThanOrEqual(2);
  },
  async listUsers() {
    const res = await api().get(`/api/workspaces/${ACME}/users`).expect(200);
    expect(res.body.users).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: ADMIN, email: 'admin@acme.databricks-test.com', admin: true }),
        expect.objectContaining({ id: ANALYST, admin: false }),
      ]),
    );
  },
  async addUser() {
    const { ws } = await freshWsUser('addu');
    const res = await api()
      .post(`/api/workspaces/${ws}/users`)
      .send({ email: 'new.person@addu.databricks-test.com', admin: true })
      .expect(201);
    expect(res.body).toMatchObject({
      email: 'new.person@addu.databricks-test.com',
      first_name: 'new',
      admin: true,
      workspaces: [ws],
    });
    expect(res.body.id).toMatch(/^\d+$/);
    // A known email joins with its existing id: one user, several workspaces.
    const again = await api()
      .post(`/api/workspaces/${ws}/users`)
      .send({ email: 'ADMIN@acme.databricks-test.com' })
      .expect(201);
    expect(again.body.id).toBe(ADMIN);
    expect(again.body.workspaces).toEqual(expect.arrayContaining([ACME, DEMO, ws]));
    const exact = await postRaw(
      h.app,
      `/api/workspaces/${ws}/users`,
      '{"id": 9223372036854775806, "email": "max@addu.databricks-test.com"}',
    ).expect(201);
    expect(exact.body.id).toBe('9223372036854775806');
  },
  async listSnapshots() {
    const taken = (await api().post('/api/snapshots').send({ name: 'listed' }).expect(201)).body;
    const res = await api().get('/api/snapshots').expect(200);
    expect(res.body.snapshots[0]).toMatchObject({
      id: taken.id,
      name: 'listed',
      counts: { workspaces: expect.any(Number) },
    });
  },
  async takeSnapshot() {
    const res = await api().post('/api/snapshots').send({}).expect(201);
    expect(res.body).toMatchObject({
      id: expect.any(String),
      name: expect.stringMatching(/^snapshot /),
      taken_at: expect.any(String),
    });
  },
  async restoreSnapshot() {
    const snap = (await api().post('/api/snapshots').send({ name: 'before' }).expect(201)).body;
    const ws = (
      await api()
        .post('/api/workspaces')
        .send({ name: tag('after-snapshot') })
        .expect(201)
    ).body.id as string;
    const res = await api().post(`/api/snapshots/${snap.id}/restore`).expect(200);
    expect(res.body).toMatchObject({ restored: snap.id, counts: snap.counts });
    expectError(await api().get(`/api/workspaces/${ws}`), 404, 'not_found');
    // Partners registered on this server are untouched.
    await api().get(`/api/partners/${h.partner.id}`).expect(200);
  },
  async deleteSnapshot() {
    const snap = (await api().post('/api/snapshots').send({}).expect(201)).body;
    expect((await api().delete(`/api/snapshots/${snap.id}`).expect(200)).body).toEqual({ deleted: true, id: snap.id });
    expectError(await api().post(`/api/snapshots/${snap.id}/restore`), 404, 'not_found');
  },
  async exportState() {
    await api().post(`/api/workspaces/${ACME}/partners/${h.partner.id}/connect`).send({ user_id: ADMIN }).expect(200);
    const res = await api().get('/api/state?download=1').expect(200);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="pcsim-state-[\d-]+\.json"$/);
    const file = JSON.parse(res.text);
    expect(file).toMatchObject({
      format: 'pcsim-state',
      version: 1,
      state: { workspaces: expect.any(Array), resources: expect.any(Array) },
    });
    // Secrets stay digests; no signing key leaves the server.
    expect(file.state.workspace_keys).toBeUndefined();
    expect(file.state.resources.some((r: Record<string, unknown>) => typeof r.pat_sha256 === 'string')).toBe(true);
    expect(file.state.resources.some((r: Record<string, unknown>) => 'pat' in r || 'oauth_secret' in r)).toBe(false);
  },
  async importState() {
    const file = JSON.parse((await api().get('/api/state').expect(200)).text);
    const before = (await api().get('/api/health').expect(200)).body.counts;
    await api()
      .post('/api/workspaces')
      .send({ name: tag('after-export') })
      .expect(201);
    const res = await api().put('/api/state').send(file).expect(200);
    expect(res.body).toMatchObject({ imported: true, counts: { workspaces: before.workspaces, users: before.users } });
    expect((await api().get('/api/health').expect(200)).body.counts.workspaces).toBe(before.workspaces);
  },
  async getClock() {
    const res = await api().get('/api/clock').expect(200);
    expect(res.body).toMatchObject({ now: expect.any(String), offset_seconds: expect.any(Number) });
  },
  async moveClock() {
    const before = (await api().get('/api/clock').expect(200)).body;
    const res = await api().post('/api/clock').send({ advance_seconds: 7200 }).expect(200);
    expect(res.body.offset_seconds).toBe(before.offset_seconds + 7200);
    expect(Date.parse(res.body.now) - Date.parse(before.now)).toBeGreaterThanOrEqual(7200_000);
    expect((await api().post('/api/clock').send({ reset: true }).expect(200)).body.offset_seconds).toBe(0);
  },
  async updateUser() {
    const { ws, user } = await freshWsUser('upu');
    const res = await api()
      .patch(`/api/workspaces/${ws}/users/${user}`)
      .send({ admin: true, first_name: 'Grace' })
      .expect(200);
    expect(res.body).toMatchObject({ id: user, admin: true, first_name: 'Grace' });
    expect((await api().get(`/api/workspaces/${ws}/users`).expect(200)).body.users).toEqual([
      expect.objectContaining({ id: user, admin: true, first_name: 'Grace' }),
    ]);
  },
  async removeUser() {
    const { ws, user } = await freshWsUser('rmu');
    expect((await api().delete(`/api/workspaces/${ws}/users/${user}`).expect(200)).body).toEqual({
      deleted: true,
      workspace_id: ws,
      user_id: user,
    });
    expect((await api().get(`/api/workspaces/${ws}/users`).expect(200)).body.users).toEqual([]);
    expectError(await api().delete(`/api/workspaces/${ws}/users/${user}`), 404, 'not_found');
  },
  async listPartners() {
    const res = await api().get('/api/partners').expect(200);
    expect(res.body.partners).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: h.partner.id,
          name: 'pcsim reference partner',
          base_url: h.ref.url,
          apis: {
            delete_connection: true,
            delete_account: true,
            expire_account: true,
            test_connection: true,
            connectors: true,
          },
        }),
      ]),
    );
  },
  async registerPartner() {
    const res = await api()
      .post('/api/partners')
      .send({
        config: h.ref.config,
        id: 'second-tile',
        credentials: { user: 'databricks', password: 'pcsim-reference-secret' },
      })
      .expect(201);
    expect(res.body).toMatchObject({
      id: 'second-tile',
      name: 'pcsim reference partner',
      source: 'admin-api',
      warnings: expect.any(Array),
      journeys: expect.any(Array),
    });
    expect(res.body.journeys.find((j: { id: string }) => j.id === 'P100')).toMatchObject({ status: 'runs' });
    expect(res.text).not.toContain('pcsim-reference-secret');
    // A bare partner.json registers too, under the slug of its name.
    const bare = await api()
      .post('/api/partners')
      .send({ ...h.ref.config, name: 'Bare Partner' })
      .expect(201);
    expect(bare.body.id).toBe('bare-partner');
    // A config that signs users up by hand hands P301 to a human, and says what to do.
    const manual = await api()
      .post('/api/partners')
      .send({ ...h.ref.config, name: 'Hand Signup', require_manual_signup: true })
      .expect(201);
    expect(manual.body.journeys.find((j: { id: string }) => j.id === 'P301')).toEqual({
      id: 'P301',
      title: expect.any(String),
      status: 'manual',
      reason: expect.stringContaining('Sign up u2, then sign in as u2'),
    });
    const ids = (await api().get('/api/partners').expect(200)).body.partners.map((p: { id: string }) => p.id);
    expect(ids).toEqual(expect.arrayContaining([h.partner.id, 'second-tile', 'bare-partner']));
    // The registered credentials are the ones sent: the tile works.
    const f = await freshWsUser('reg');
    expect(
      (await api().post(connectPath(f.ws, 'second-tile')).send({ user_id: f.user }).expect(200)).body.outcome,
    ).toBe('connected');
  },
  async getPartner() {
    const res = await api().get(`/api/partners/${h.partner.id}`).expect(200);
    expect(res.body).toMatchObject({
      id: h.partner.id,
      config: { base_url: h.ref.url, name: 'pcsim reference partner' },
      journeys: expect.any(Array),
    });
  },
  async connect() {
    const f = await freshWsUser('conn');
    const res = await api()
      .post(connectPath(f.ws, h.partner.id))
      .send({ user_id: f.user, catalog_name: 'main', destination_location: 's3://bucket/landing' })
      .expect(200);
    expect(res.body).toMatchObject({
      outcome: 'connected',
      established: false,
      redirect_uri: expect.stringContaining('/launch'),
      connection: {
        workspace_id: f.ws,
        partner_id: h.partner.id,
        created_by: f.user,
        connection_id: expect.any(String),
      },
      resources: {
        status: 'active',
        pat: '***redacted***',
        catalog_name: 'main',
        destination_location: 's3://bucket/landing',
      },
      resources_kept: true,
      exchange_ids: [expect.any(String)],
      verdict: { compliant: true, status: 200, attempts: 1 },
    });
    // The second click is a sign-in on the same connection.
    const again = await api().post(connectPath(f.ws, h.partner.id)).send({ user_id: f.user }).expect(200);
    expect(again.body).toMatchObject({
      outcome: 'signed_in',
      established: true,
      connection: { connection_id: res.body.connection.connection_id },
    });
  },
  async getConnection() {
    const res = await api().get(`/api/workspaces/${ACME}/partners/${h.partner.id}/connection`).expect(200);
    expect(res.body).toMatchObject({
      workspace_id: ACME,
      partner_id: h.partner.id,
      connection_id: connId,
      resources: { status: 'active', pat: '***redacted***' },
    });
  },
  async deleteConnection() {
    const c = await freshConnection('delc');
    const res = await api().delete(`/api/workspaces/${c.ws}/partners/${h.partner.id}/connection`).expect(200);
    expect(res.body).toMatchObject({
      deleted: true,
      resource_status: 'resources_deleted',
      partner_notified: true,
      exchange_ids: [expect.any(String)],
      verdict: { compliant: true },
    });
    expectError(await api().get(`/api/workspaces/${c.ws}/partners/${h.partner.id}/connection`), 404, 'not_found');
    expect(h.ref.model.liveConnection(c.connection_id)).toBeUndefined();
  },
  async hookDeleteConnection() {
    const c = await freshConnection('hdc');
    const res = await api()
      .post(`/api/workspaces/${c.ws}/partners/${h.partner.id}/hooks/delete-connection`)
      .expect(200);
    expect(res.body).toMatchObject({
      status: 200,
      response: { resource_status: 'resources_deleted' },
      exchange_ids: [expect.any(String)],
      verdict: { compliant: true },
    });
    // The partner deleted it in its product; Databricks still holds its side.
    expect(h.ref.model.liveConnection(c.connection_id)).toBeUndefined();
    await api().get(`/api/workspaces/${c.ws}/partners/${h.partner.id}/connection`).expect(200);
    // An explicit id the partner does not know: the partner's 404 is data in a 200 answer.
    const unknown = await api()
      .post(`/api/workspaces/${c.ws}/partners/${h.partner.id}/hooks/delete-connection`)
      .send({ connection_id: 'no-such-connection' })
      .expect(200);
    expect(unknown.body).toMatchObject({ status: 404, response: { error_reason: 'connection_not_found' } });
  },
  async hookDeleteAccount() {
    const c = await freshConnection('hda');
    const res = await api()
      .post(`/api/workspaces/${c.ws}/partners/${h.partner.id}/hooks/delete-account`)
      .send({})
      .expect(200);
    expect(res.body).toMatchObject({ status: 200, exchange_ids: [expect.any(String)] });
    expect(h.ref.model.accounts.has(c.domain)).toBe(false);
    const journal = (await api().get(`/api/journal/${res.body.exchange_ids[0]}`).expect(200)).body;
    expect(journal.request.body).toMatchObject({ domain: c.domain, databricks_organization_id: c.ws });
    // A real customer domain is refused by the partner: still a 200 answer carrying the 400.
    const real = await api()
      .post(`/api/workspaces/${c.ws}/partners/${h.partner.id}/hooks/delete-account`)
      .send({ domain: 'example.com' })
      .expect(200);
    expect(real.body.status).toBe(400);
  },
  async hookExpireAccount() {
    const c = await freshConnection('hea');
    const res = await api()
      .post(`/api/workspaces/${c.ws}/partners/${h.partner.id}/hooks/expire-account`)
      .send({ user_id: c.user })
      .expect(200);
    expect(res.body).toMatchObject({ status: 200, exchange_ids: [expect.any(String)] });
    expect(h.ref.model.accounts.get(c.domain)?.expired).toBe(true);
  },
  async hookTestConnection() {
    const c = await freshConnection('htc');
    const res = await api().post(`/api/workspaces/${c.ws}/partners/${h.partner.id}/hooks/test-connection`).expect(200);
    expect(res.body).toMatchObject({
      status: 200,
      response: { test_results: expect.any(Array) },
      verdict: { compliant: true },
    });
  },
  async listConnectors() {
    const res = await api().get(`/api/partners/${h.partner.id}/connectors`).expect(200);
    expect(res.body.connectors.length).toBeGreaterThan(0);
    expect(res.body.pages).toBeGreaterThanOrEqual(1);
    expect(res.body.exchange_ids).toHaveLength(res.body.pages);
    expect(res.body.verdict).toMatchObject({ compliant: true });
  },
  async listJournal() {
    await freshConnection('lj');
    const all = (await api().get('/api/journal').expect(200)).body;
    expect(all.total).toBeGreaterThanOrEqual(2);
    const ats = all.exchanges.map((e: { at: string }) => e.at);
    expect([...ats].sort().reverse()).toEqual(ats); // newest first
    expect((await api().get('/api/journal?limit=1').expect(200)).body.exchanges).toHaveLength(1);
    const mine = (await api().get(`/api/journal?workspace=${ACME}&kind=connect&partner=${h.partner.id}`).expect(200))
      .body.exchanges;
    expect(mine.length).toBeGreaterThanOrEqual(1);
    for (const e of mine)
      expect(e).toMatchObject({
        workspace_id: ACME,
        kind: 'connect',
        partner: h.partner.id,
        verdict: expect.any(Object),
      });
    expect((await api().get('/api/journal?partner=nobody').expect(200)).body).toMatchObject({
      exchanges: [],
      total: 0,
    });
  },
  async recordScenario() {
    const c = await freshConnection('rs');
    await api().post(connectPath(c.ws, h.partner.id)).send({ user_id: c.user }).expect(200); // a sign-in
    const res = await api().get(`/api/recorded-scenario?workspace=${c.ws}&name=my bug`).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/yaml/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="my-bug.yaml"');
    const parsed = parseScenario(res.text, 'download.yaml');
    if (!parsed.ok) throw new Error(parsed.problems.map(formatProblem).join('\n'));
    expect(parsed.scenario.name).toBe('my bug');
    expect(parsed.scenario.steps.map((s) => Object.keys(s).find((k) => k === 'connect' || k === 'signin'))).toEqual([
      'connect',
      'signin',
    ]);
    expect(res.text).toMatch(/^# Recorded by pcsim record from http:\/\//);
    const json = await api().get(`/api/recorded-scenario?workspace=${c.ws}&format=json&limit=1`).expect(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(json.text).steps).toHaveLength(2); // the newest exchange is a sign-in: a connect is added before it
    // Two clicks in the same millisecond keep their order (the journal's, not a reversed one).
    await h.store.update((s) => {
      const [first, second] = s.journal.filter((e) => e.workspace_id === c.ws);
      second!.at = first!.at;
    });
    const same = parseScenario(
      (await api().get(`/api/recorded-scenario?workspace=${c.ws}`).expect(200)).text,
      'same-ms.yaml',
    );
    if (!same.ok) throw new Error(same.problems.map(formatProblem).join('\n'));
    expect(same.scenario.steps.map((s) => Object.keys(s).find((k) => k === 'connect' || k === 'signin'))).toEqual([
      'connect',
      'signin',
    ]);
  },
  async getExchange() {
    const c = await freshConnection('gx');
    const id = (await api().get(`/api/journal?workspace=${c.ws}&kind=connect`).expect(200)).body.exchanges[0].id;
    const res = await api().get(`/api/journal/${id}`).expect(200);
    expect(res.body).toMatchObject({
      id,
      kind: 'connect',
      workspace_id: c.ws,
      user_id: c.user,
      request: { method: 'POST', body: { workspace_id: c.ws } },
      response: { status: 200 },
      attempts: [{ n: 1 }],
      verdict: { compliant: true },
    });
    expect(res.body.request.headers.Authorization).toBe('Basic ***redacted***');
  },
  async clearJournal() {
    await freshConnection('cj');
    const before = (await api().get('/api/journal').expect(200)).body.total;
    expect((await api().delete('/api/journal').expect(200)).body).toEqual({ cleared: before });
    expect((await api().get('/api/journal').expect(200)).body).toMatchObject({ exchanges: [], total: 0, dropped: 0 });
  },
  async getWorkspaceActivity() {
    const res = await api().get(`/api/workspaces/${ACME}/activity`).expect(200);
    expect(res.body).toMatchObject({ activity: expect.any(Array), total: expect.any(Number) });
    expect(res.body.connections).toEqual([
      expect.objectContaining({
        partner_id: h.partner.id,
        connection_id: connId,
        verdicts: { P200: expect.anything(), P201: expect.anything() },
      }),
    ]);
    expect((await api().get(`/api/workspaces/${ACME}/activity?partner=nobody&limit=5`).expect(200)).body).toMatchObject(
      { activity: [], total: 0, connections: [] },
    );
  },
  async startRun() {
    const res = await api()
      .post('/api/runs')
      .send({ partner: h.partner.id, journeys: ['P100', 'P300'] })
      .expect(202);
    expect(res.body).toMatchObject({
      run_id: expect.any(String),
      partner: h.partner.id,
      status: 'running',
      journeys: [{ id: 'P100' }, { id: 'P300' }],
    });
    const run = await finished(res.body.run_id);
    expect(run).toMatchObject({
      status: 'finished',
      progress: { done: 2, total: 2 },
      report: { summary: { passed: 2, failed: 0 } },
    });
    // Scenario files run as `pcsim run --scenario` does: alone, or next to chosen journeys.
    const text = await readFile(new URL('../../fixtures/scenarios/demo-recreate-bug.yaml', import.meta.url), 'utf8');
    const alone = await api()
      .post('/api/runs')
      .send({ partner: h.partner.id, scenarios: [{ file: 'bug.yaml', text }] })
      .expect(202);
    expect(alone.body.journeys).toEqual([
      expect.objectContaining({ id: 'demo-recreate-after-delete', status: 'pending' }),
    ]);
    expect(await finished(alone.body.run_id)).toMatchObject({
      status: 'finished',
      report: { summary: { passed: 1, total: 1 }, journeys: [{ id: 'demo-recreate-after-delete', status: 'passed' }] },
    });
    const mixed = await api()
      .post('/api/runs')
      .send({ partner: h.partner.id, journeys: ['AUTH'], scenarios: [{ text }] })
      .expect(202);
    expect(mixed.body.journeys.map((j: { id: string }) => j.id)).toEqual(['AUTH', 'demo-recreate-after-delete']);
    expect((await finished(mixed.body.run_id)).report.summary).toMatchObject({ passed: 2, failed: 0 });
  },
  async stopRun() {
    const scenario = (name: string, steps: string) => ({
      file: `${name}.yaml`,
      text: `name: ${name}\nworkspaces: [{ name: w }]\nusers: [{ name: u, email: "u@\${domain}", member_of: [w] }]\nsteps:\n${steps}`,
    });
    const started = await api()
      .post('/api/runs')
      .send({
        partner: h.partner.id,
        scenarios: [
          scenario(
            'slow',
            '  - connect: { workspace: w, user: u }\n  - wait: { ms: 600000 }\n  - signin: { workspace: w, user: u }\n',
          ),
          scenario('later', '  - connect: { workspace: w, user: u }\n'),
        ],
      })
      .expect(202);
    const id = started.body.run_id as string;
    // Stop once the slow scenario is waiting: its first step is done, the rest must not happen.
    for (let i = 0; i < 100 && (await api().get(`/api/runs/${id}`)).body.progress.current !== 'slow'; i++)
      await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    const asked = await api().post(`/api/runs/${id}/stop`).expect(202);
    expect(asked.body).toMatchObject({ run_id: id, stop_requested_at: expect.any(String) });
    const run = await finished(id);
    expect(run.status).toBe('stopped');
    expect(
      run.report.journeys.map((j: { id: string; status: string; reason: string; steps: unknown[] }) => [
        j.id,
        j.status,
        j.reason,
        j.steps.length,
      ]),
    ).toEqual([
      ['slow', 'skipped', 'stopped: the run was stopped before "#2 wait 600000 ms" (1 step done)', 1],
      ['later', 'skipped', 'not started: the run was stopped', 0],
    ]);
  },
  async getRunReport() {
    const id = (
      await api()
        .post('/api/runs')
        .send({ partner: h.partner.id, journeys: ['P100', 'AUTH'] })
        .expect(202)
    ).body.run_id as string;
    await finished(id);
    const html = await api().get(`/api/runs/${id}/report`).expect(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.headers['content-disposition']).toBe(`inline; filename="pcsim-report-${id}.html"`);
    expect(html.text).toContain('P100');
    const json = await api().get(`/api/runs/${id}/report?format=json`).expect(200);
    expect(JSON.parse(json.text)).toMatchObject({ tool: 'pcsim', summary: { passed: 2, total: 2 } });
    const junit = await api().get(`/api/runs/${id}/report?format=junit&download=1`).expect(200);
    expect(junit.headers['content-disposition']).toBe(`attachment; filename="pcsim-report-${id}.xml"`);
    expect(junit.text).toMatch(/^<\?xml[\s\S]*<testcase[\s\S]*P100/);
    // The AUTH journey sent the partner's Basic password: no report shows it.
    for (const r of [html, json, junit]) expect(r.text).not.toContain('pcsim-reference-secret');
  },
  async listRuns() {
    const started = (
      await api()
        .post('/api/runs')
        .send({ partner: h.partner.id, journeys: ['AUTH'] })
        .expect(202)
    ).body.run_id;
    const runs = (await api().get('/api/runs').expect(200)).body.runs;
    expect(runs[0]).toMatchObject({ run_id: started, partner: h.partner.id });
    expect(runs[0]).not.toHaveProperty('report');
    await finished(started);
  },
  async getRun() {
    const started = (
      await api()
        .post('/api/runs')
        .send({ partner: h.partner.id, journeys: ['AUTH'] })
        .expect(202)
    ).body.run_id;
    expect((await api().get(`/api/runs/${started}`).expect(200)).body).toMatchObject({
      run_id: started,
      progress: { total: 1 },
    });
    expect((await finished(started)).report.summary).toMatchObject({ passed: 1 });
  },
  async events() {
    const server: Server = h.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const listeners = h.store.listenerCount;
    const sse = await openSse(base);
    try {
      expect(sse.status).toBe(200);
      expect(sse.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(JSON.parse((await sse.waitFor((e) => e.event === 'hello')).data)).toEqual({ version: VERSION });
      const f = await freshWsUser('sse');
      await request(server).post(connectPath(f.ws, h.partner.id)).send({ user_id: f.user }).expect(200);
      const ex = JSON.parse(
        (await sse.waitFor((e) => e.event === 'exchange' && JSON.parse(e.data).workspace_id === f.ws)).data,
      );
      expect(ex).toMatchObject({ kind: 'connect', workspace_id: f.ws, user_id: f.user, verdict: { compliant: true } });
      const state = await sse.waitFor((e) => e.event === 'state' && JSON.parse(e.data).changed.includes('connections'));
      // Journal appends travel as `exchange` events; `state` names the other collections.
      expect(JSON.parse(state.data).changed).toEqual(expect.arrayContaining(['connections', 'resources']));
    } finally {
      sse.close();
    }
    // The stream's listener goes with the client.
    for (let i = 0; i < 50 && h.store.listenerCount > listeners; i++) await new Promise((r) => setTimeout(r, 20));
    expect(h.store.listenerCount).toBe(listeners);
    await new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  },
};

/* ------------------------------------------------------------------------------------------ */
/* Each route's own bad inputs                                                                */
/* ------------------------------------------------------------------------------------------ */

type Case = [string, () => Promise<unknown>];
const field = (e: { details: Record<string, unknown> }) => e.details.field;

const BAD: Record<string, Case[]> = {
  importState: [
    [
      'a secret in clear text, and a missing collection: every problem, nothing changed',
      async () => {
        const file = JSON.parse((await api().get('/api/state').expect(200)).text);
        file.state.resources.push({ id: 'r-clear', pat: 'dapi-clear-text' });
        delete file.state.users;
        const before = (await api().get('/api/health').expect(200)).body.counts;
        const e = expectError(await api().put('/api/state').send(file), 400, 'validation_failed');
        expect(e.message).toContain('state.users is missing');
        expect(e.message).toMatch(/state\.resources\[\d+\]\.pat holds a secret in clear text/);
        expect(e.message).not.toContain('dapi-clear-text');
        expect((await api().get('/api/health').expect(200)).body.counts).toEqual(before);
      },
    ],
    [
      'not an export',
      async () =>
        void expect(
          field(
            expectError(
              await api().put('/api/state').send({ format: 'other', version: 1, state: {} }),
              400,
              'validation_failed',
            ),
          ),
        ).toBe('format'),
    ],
  ],
  moveClock: [
    [
      'backwards',
      async () =>
        void expect(
          field(expectError(await api().post('/api/clock').send({ advance_seconds: -1 }), 400, 'validation_failed')),
        ).toBe('advance_seconds'),
    ],
    [
      'nothing to do',
      async () =>
        void expect(field(expectError(await api().post('/api/clock').send({}), 400, 'validation_failed'))).toBe(
          'advance_seconds',
        ),
    ],
  ],
  reset: [
    [
      'seed is not a boolean',
      async () =>
        expect(field(expectError(await api().post('/api/reset').send({ seed: 'yes' }), 400, 'validation_failed'))).toBe(
          'seed',
        ),
    ],
  ],
  tickChecklist: [
    [
      'done is missing',
      async () =>
        expect(
          field(
            expectError(
              await api().put(`/api/partners/${h.partner.id}/checklist/P100`).send({}),
              400,
              'validation_failed',
            ),
          ),
        ).toBe('done'),
    ],
    [
      'done is a string',
      async () =>
        expect(
          field(
            expectError(
              await api().put(`/api/partners/${h.partner.id}/checklist/P100`).send({ done: 'yes' }),
              400,
              'validation_failed',
            ),
          ),
        ).toBe('done'),
    ],
  ],
  createWorkspace: [
    [
      'cloud outside the enum',
      async () =>
        expect(
          field(expectError(await api().post('/api/workspaces').send({ cloud: 'mars' }), 400, 'validation_failed')),
        ).toBe('cloud'),
    ],
    [
      'id is not an int64',
      async () =>
        expect(
          field(expectError(await api().post('/api/workspaces').send({ id: 'abc' }), 400, 'validation_failed')),
        ).toBe('id'),
    ],
    [
      'id overflows int64',
      async () =>
        expect(
          field(
            expectError(
              await postRaw(h.app, '/api/workspaces', '{"id": 9223372036854775808}'),
              400,
              'validation_failed',
            ),
          ),
        ).toBe('id'),
    ],
    [
      'id is a fraction',
      async () =>
        expect(
          field(expectError(await postRaw(h.app, '/api/workspaces', '{"id": 12.5}'), 400, 'validation_failed')),
        ).toBe('id'),
    ],
    [
      'name is empty',
      async () =>
        expect(
          field(expectError(await api().post('/api/workspaces').send({ name: '  ' }), 400, 'validation_failed')),
        ).toBe('name'),
    ],
    [
      'demo is a string',
      async () =>
        expect(
          field(expectError(await api().post('/api/workspaces').send({ demo: 'true' }), 400, 'validation_failed')),
        ).toBe('demo'),
    ],
    [
      'the body is an array',
      async () => expectError(await api().post('/api/workspaces').send([]), 400, 'validation_failed'),
    ],
    [
      'an id already taken: 409 naming it',
      async () => {
        const e = expectError(await api().post('/api/workspaces').send({ id: ACME }), 409, 'conflict');
        expect(e.message).toContain(ACME);
      },
    ],
  ],
  updateWorkspace: [
    [
      'id cannot be changed (an unknown field here)',
      async () =>
        expect(
          field(expectError(await api().patch(`/api/workspaces/${ACME}`).send({ id: '1' }), 400, 'validation_failed')),
        ).toBe('id'),
    ],
    [
      'catalogs is not an array',
      async () =>
        expect(
          field(
            expectError(
              await api().patch(`/api/workspaces/${ACME}`).send({ catalogs: 'main' }),
              400,
              'validation_failed',
            ),
          ),
        ).toBe('catalogs'),
    ],
  ],
  addUser: [
    [
      'email is missing',
      async () =>
        expect(
          field(expectError(await api().post(`/api/workspaces/${ACME}/users`).send({}), 400, 'validation_failed')),
        ).toBe('email'),
    ],
    [
      'email is not an email',
      async () =>
        expect(
          field(
            expectError(
              await api().post(`/api/workspaces/${ACME}/users`).send({ email: 'nope' }),
              400,
              'validation_failed',
            ),
          ),
        ).toBe('email'),
    ],
    [
      'id is not an int64',
      async () =>
        expect(
          field(
            expectError(
              await api().post(`/api/workspaces/${ACME}/users`).send({ id: 'x', email: 'a@b.databricks-test.com' }),
              400,
              'validation_failed',
            ),
          ),
        ).toBe('id'),
    ],
  ],
  registerPartner: [
    [
      'config with a wrong enum',
      async () =>
        expect(
          field(
            expectError(
              await api()
                .post('/api/partners')
                .send({ config: { ...h.ref.config, category: 'BOGUS' } }),
              400,
              'validation_failed',
            ),
          ),
        ).toBe('config.category'),
    ],
    [
      'bare partner.json with a wrong enum',
      async () =>
        expect(
          field(
            expectError(
              await api()
                .post('/api/partners')
                .send({ ...h.ref.config, category: 'BOGUS' }),
              400,
              'validation_failed',
            ),
          ),
        ).toBe('category'),
    ],
    [
      'id is not a slug',
      async () =>
        expect(
          field(
            expectError(
              await api().post('/api/partners').send({ config: h.ref.config, id: 'Bad Id!' }),
              400,
              'validation_failed',
            ),
          ),
        ).toBe('id'),
    ],
    [
      'credentials without password',
      async () =>
        expect(
          field(
            expectError(
              await api()
                .post('/api/partners')
                .send({ config: h.ref.config, credentials: { user: 'x' } }),
              400,
              'validation_failed',
            ),
          ),
        ).toBe('credentials.password'),
    ],
    ['the body is empty', async () => expectError(await api().post('/api/partners'), 400, 'validation_failed')],
  ],
  connect: [
    [
      'user_id is missing',
      async () =>
        expect(
          field(expectError(await api().post(connectPath(ACME, h.partner.id)).send({}), 400, 'validation_failed')),
        ).toBe('user_id'),
    ],
    [
      'user_id is not an int64',
      async () =>
        expect(
          field(
            expectError(
              await api().post(connectPath(ACME, h.partner.id)).send({ user_id: 'abc' }),
              400,
              'validation_failed',
            ),
          ),
        ).toBe('user_id'),
    ],
    [
      'user_id is an inexact number',
      async () =>
        expect(
          field(
            expectError(
              await postRaw(h.app, connectPath(ACME, h.partner.id), '{"user_id": 1.5}'),
              400,
              'validation_failed',
            ),
          ),
        ).toBe('user_id'),
    ],
    [
      'a fractional user_id above 2^53 is quoted as sent, not as the rounded double',
      async () => {
        const e = expectError(
          await postRaw(h.app, connectPath(ACME, h.partner.id), '{"user_id": 9007199254740993.5}'),
          400,
          'validation_failed',
        );
        expect({ field: field(e), value: e.details.value }).toEqual({ field: 'user_id', value: '9007199254740993.5' });
        expect(e.message).toContain('Failed to read user_id: 9007199254740993.5 cannot be held exactly');
        expect(e.message).not.toContain('9007199254740994');
      },
    ],
    [
      'catalog_name is empty',
      async () =>
        expect(
          field(
            expectError(
              await api().post(connectPath(ACME, h.partner.id)).send({ user_id: ADMIN, catalog_name: '' }),
              400,
              'validation_failed',
            ),
          ),
        ).toBe('catalog_name'),
    ],
    [
      'an unknown user: 404 naming it',
      async () => {
        const e = expectError(
          await api().post(connectPath(ACME, h.partner.id)).send({ user_id: UNKNOWN_USER }),
          404,
          'not_found',
        );
        expect(e.message).toContain(UNKNOWN_USER);
        expect(e.details).toEqual({ user: UNKNOWN_USER });
      },
    ],
    [
      'a user who is not a member of the workspace',
      async () => {
        const ws = (
          await api()
            .post('/api/workspaces')
            .send({ name: tag('nomember') })
            .expect(201)
        ).body.id;
        const e = expectError(
          await api().post(connectPath(ws, h.partner.id)).send({ user_id: ADMIN }),
          400,
          'invalid_input',
        );
        expect(e.details).toEqual({ workspace: ws, user: ADMIN });
      },
    ],
  ],
  getConnection: [
    [
      'no connection in this workspace: 404 naming both ids',
      async () => {
        const e = expectError(
          await api().get(`/api/workspaces/${DEMO}/partners/${h.partner.id}/connection`),
          404,
          'not_found',
        );
        expect(e.details).toEqual({ workspace: DEMO, partner: h.partner.id });
      },
    ],
  ],
  deleteConnection: [
    [
      'notify_partner is not a boolean',
      async () =>
        expect(
          field(
            expectError(
              await api().delete(`/api/workspaces/${ACME}/partners/${h.partner.id}/connection?notify_partner=maybe`),
              400,
              'validation_failed',
            ),
          ),
        ).toBe('query.notify_partner'),
    ],
    [
      'no connection to delete',
      async () =>
        expectError(
          await api().delete(`/api/workspaces/${DEMO}/partners/${h.partner.id}/connection`),
          404,
          'not_found',
        ),
    ],
  ],
  hookDeleteConnection: [
    [
      'connection_id is a number',
      async () =>
        expect(
          field(
            expectError(
              await api()
                .post(`/api/workspaces/${ACME}/partners/${h.partner.id}/hooks/delete-connection`)
                .send({ connection_id: 5 }),
              400,
              'validation_failed',
            ),
          ),
        ).toBe('connection_id'),
    ],
    [
      'no connection and no connection_id',
      async () =>
        expectError(
          await api().post(`/api/workspaces/${DEMO}/partners/${h.partner.id}/hooks/delete-connection`),
          404,
          'not_found',
        ),
    ],
  ],
  hookDeleteAccount: [
    [
      'domain is not a domain',
      async () =>
        expect(
          field(
            expectError(
              await api()
                .post(`/api/workspaces/${ACME}/partners/${h.partner.id}/hooks/delete-account`)
                .send({ domain: 'not a domain!' }),
              400,
              'validation_failed',
            ),
          ),
        ).toBe('domain'),
    ],
    [
      'no connection to take the domain from',
      async () =>
        expect(
          field(
            expectError(
              await api().post(`/api/workspaces/${DEMO}/partners/${h.partner.id}/hooks/delete-account`).send({}),
              400,
              'invalid_input',
            ),
          ),
        ).toBe('domain'),
    ],
  ],
  hookExpireAccount: [
    [
      'user_id is missing',
      async () =>
        expect(
          field(
            expectError(
              await api().post(`/api/workspaces/${ACME}/partners/${h.partner.id}/hooks/expire-account`).send({}),
              400,
              'validation_failed',
            ),
          ),
        ).toBe('user_id'),
    ],
    [
      'an unknown user: 404 naming it',
      async () =>
        expect(
          expectError(
            await api()
              .post(`/api/workspaces/${ACME}/partners/${h.partner.id}/hooks/expire-account`)
              .send({ user_id: UNKNOWN_USER }),
            404,
            'not_found',
          ).message,
        ).toContain(UNKNOWN_USER),
    ],
  ],
  hookTestConnection: [
    [
      'connection_id is empty',
      async () =>
        expect(
          field(
            expectError(
              await api()
                .post(`/api/workspaces/${ACME}/partners/${h.partner.id}/hooks/test-connection`)
                .send({ connection_id: '' }),
              400,
              'validation_failed',
            ),
          ),
        ).toBe('connection_id'),
    ],
  ],
  listConnectors: [
    [
      'a partner without the API: 422 naming the call',
      async () => {
        await api()
          .post('/api/partners')
          .send({ config: { ...h.ref.config, name: 'Connect Only', endpoints: { connect_path: '/connect' } } })
          .expect(201);
        const e = expectError(await api().get('/api/partners/connect-only/connectors'), 422, 'not_supported');
        expect(e.details).toEqual({ partner: 'connect-only', call: 'connectors' });
        expectError(
          await api()
            .post(`/api/workspaces/${ACME}/partners/connect-only/hooks/test-connection`)
            .send({ connection_id: 'x' }),
          422,
          'not_supported',
        );
      },
    ],
  ],
  getWorkspaceActivity: [
    [
      'limit 0',
      async () =>
        expect(
          field(expectError(await api().get(`/api/workspaces/${ACME}/activity?limit=0`), 400, 'validation_failed')),
        ).toBe('query.limit'),
    ],
  ],
  startRun: [
    [
      'an unknown partner: 404 naming it',
      async () =>
        expect(
          expectError(await api().post('/api/runs').send({ partner: UNKNOWN_PARTNER }), 404, 'not_found').message,
        ).toContain(UNKNOWN_PARTNER),
    ],
    [
      'an unknown journey',
      async () =>
        expect(
          field(
            expectError(
              await api()
                .post('/api/runs')
                .send({ partner: h.partner.id, journeys: ['P999'] }),
              400,
              'validation_failed',
            ),
          ),
        ).toBe('journeys'),
    ],
    [
      'partner is missing',
      async () =>
        expect(field(expectError(await api().post('/api/runs').send({}), 400, 'validation_failed'))).toBe('partner'),
    ],
    [
      'scenario files with mistakes: every problem with file, line and path, nothing sent',
      async () => {
        const journalBefore = (await api().get('/api/journal?limit=1').expect(200)).body.total;
        const bad =
          'name: broken\nworkspaces: [{ name: w }]\nusers: [{ name: u, email: "u@${domain}", member_of: [w] }]\nsteps:\n  - connect: { workspace: w, user: nobody }\n  - teleport: {}\n';
        const e = expectError(
          await api()
            .post('/api/runs')
            .send({ partner: h.partner.id, scenarios: [{ file: 'broken.yaml', text: bad }, { text: 'name: [' }] }),
          400,
          'validation_failed',
        );
        expect(e.details.field).toBe('scenarios');
        const problems = e.details.problems as { file: string; line: number; path: string; message: string }[];
        expect(problems.map((p) => `${p.file}:${p.line} ${p.path}`)).toEqual([
          'broken.yaml:5 steps[0].connect.user',
          'broken.yaml:6 steps[1].teleport',
          expect.stringMatching(/^scenario-2\.yaml:1 /),
        ]);
        expect(e.message).toContain('broken.yaml:5:');
        expect(e.message).toContain('nothing was sent');
        expect(e.message).not.toContain('..');
        expect((await api().get('/api/journal?limit=1').expect(200)).body.total).toBe(journalBefore);
      },
    ],
    [
      'a scenario named like a journey of the same run',
      async () => {
        const e = expectError(
          await api()
            .post('/api/runs')
            .send({
              partner: h.partner.id,
              journeys: ['P100'],
              scenarios: [
                {
                  file: 'p100.yaml',
                  text: 'name: P100\nworkspaces: [{ name: w }]\nusers: [{ name: u, email: "u@${domain}", member_of: [w] }]\nsteps:\n  - connect: { workspace: w, user: u }\n',
                },
              ],
            }),
          400,
          'validation_failed',
        );
        expect(e.message).toContain(
          'p100.yaml:1:7: name: Failed to add scenario "P100": journey P100 of this run has the same name',
        );
      },
    ],
    [
      'a scenario file over 256 KiB',
      async () =>
        expect(
          field(
            expectError(
              await api()
                .post('/api/runs')
                .send({ partner: h.partner.id, scenarios: [{ text: `# ${'x'.repeat(262144)}` }] }),
              400,
              'validation_failed',
            ),
          ),
        ).toBe('scenarios[0].text'),
    ],
  ],
  stopRun: [
    [
      'an unknown run: 404',
      async () =>
        expect(expectError(await api().post('/api/runs/nope/stop'), 404, 'not_found').message).toContain('nope'),
    ],
    [
      'a run that has finished: 409 saying so',
      async () => {
        const id = (
          await api()
            .post('/api/runs')
            .send({ partner: h.partner.id, journeys: ['AUTH'] })
            .expect(202)
        ).body.run_id as string;
        await finished(id);
        expect(expectError(await api().post(`/api/runs/${id}/stop`), 409, 'conflict').message).toContain(
          'it is finished already',
        );
      },
    ],
  ],
  getRunReport: [
    [
      'an unknown run: 404',
      async () =>
        expect(expectError(await api().get('/api/runs/nope/report'), 404, 'not_found').message).toContain('nope'),
    ],
    [
      'a format outside html/json/junit',
      async () =>
        expect(field(expectError(await api().get('/api/runs/nope/report?format=pdf'), 400, 'validation_failed'))).toBe(
          'query.format',
        ),
    ],
    [
      'a run still going on: 409, no report yet',
      async () => {
        const slow = {
          file: 'slow.yaml',
          text: 'name: slow\nworkspaces: [{ name: w }]\nusers: [{ name: u, email: "u@${domain}", member_of: [w] }]\nsteps:\n  - wait: { ms: 600000 }\n',
        };
        const id = (
          await api()
            .post('/api/runs')
            .send({ partner: h.partner.id, scenarios: [slow] })
            .expect(202)
        ).body.run_id as string;
        expect(expectError(await api().get(`/api/runs/${id}/report`), 409, 'conflict').message).toContain(
          'it is running, so there is no report yet',
        );
        await api().post(`/api/runs/${id}/stop`).expect(202);
        expect((await finished(id)).status).toBe('stopped');
        await api().get(`/api/runs/${id}/report?format=json`).expect(200);
      },
    ],
  ],
  recordScenario: [
    [
      'nothing matches: 404 saying what was asked',
      async () =>
        expect(
          expectError(await api().get(`/api/recorded-scenario?workspace=${UNKNOWN_WS}`), 404, 'not_found').message,
        ).toContain(`workspace ${UNKNOWN_WS}`),
    ],
    [
      'format outside yaml/json',
      async () =>
        expect(field(expectError(await api().get('/api/recorded-scenario?format=xml'), 400, 'validation_failed'))).toBe(
          'query.format',
        ),
    ],
    [
      'workspace not an int64',
      async () =>
        expect(
          field(expectError(await api().get('/api/recorded-scenario?workspace=abc'), 400, 'validation_failed')),
        ).toBe('query.workspace'),
    ],
  ],
  listJournal: [
    [
      'limit 0',
      async () =>
        expect(field(expectError(await api().get('/api/journal?limit=0'), 400, 'validation_failed'))).toBe(
          'query.limit',
        ),
    ],
    [
      'limit not a number',
      async () =>
        expect(field(expectError(await api().get('/api/journal?limit=ten'), 400, 'validation_failed'))).toBe(
          'query.limit',
        ),
    ],
    [
      'workspace not an int64',
      async () =>
        expect(field(expectError(await api().get('/api/journal?workspace=abc'), 400, 'validation_failed'))).toBe(
          'query.workspace',
        ),
    ],
    [
      'kind outside the enum',
      async () =>
        expect(field(expectError(await api().get('/api/journal?kind=bogus'), 400, 'validation_failed'))).toBe(
          'query.kind',
        ),
    ],
  ],
};

/* ------------------------------------------------------------------------------------------ */
/* The tests                                                                                  */
/* ------------------------------------------------------------------------------------------ */

describe('coverage of the route table', () => {
  it('has a success case for every route in ROUTES', () => {
    expect(ROUTES.map((r) => r.operationId).filter((id) => !(id in SUCCESS))).toEqual([]);
  });
  it('has no case for a route that no longer exists', () => {
    const ids = new Set(ROUTES.map((r) => r.operationId));
    expect(
      [...Object.keys(SUCCESS), ...Object.keys(BAD), ...Object.keys(VALID_BODY)].filter((id) => !ids.has(id)),
    ).toEqual([]);
  });
  it('knows a valid body for every route that takes one', () => {
    expect(
      ROUTES.filter(hasBody)
        .map((r) => r.operationId)
        .filter((id) => !(id in VALID_BODY)),
    ).toEqual([]);
  });
  it('operationIds are unique and every route is in /api/openapi.json', async () => {
    expect(new Set(ROUTES.map((r) => r.operationId)).size).toBe(ROUTES.length);
    const doc = (await api().get('/api/openapi.json').expect(200)).body;
    for (const r of ROUTES) {
      const op = doc.paths[r.path]?.[r.method];
      const seen = {
        route: `${r.method} ${r.path}`,
        op: op?.operationId,
        body: Boolean(op?.requestBody),
        query: (op?.parameters ?? []).some((p: { in: string }) => p.in === 'query'),
      };
      expect(seen).toEqual({
        route: `${r.method} ${r.path}`,
        op: r.operationId,
        body: hasBody(r),
        query: Boolean(r.query),
      });
    }
    expect(doc.components.schemas.Error.properties.error.required).toEqual(
      expect.arrayContaining(['code', 'message', 'details']),
    );
    expectError(await api().post('/api/openapi.json'), 405, 'method_not_allowed');
  });
});

// Declared before the success cases: they must run while the fixture connection is untouched.
describe.each(ROUTES.map((r) => [`${r.method.toUpperCase()} ${r.path} (${r.operationId})`, r] as const))(
  'bad input common to %s',
  (_name, r) => {
    const pathParams = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const mutating = r.method !== 'get';

    const withBody = (req: ReturnType<typeof send>) => (hasBody(r) ? req.send(VALID_BODY[r.operationId]!()) : req);

    it('another method: 405 naming the allowed ones in Allow', async () => {
      const allowed = ROUTES.filter((x) => x.path === r.path).map((x) => x.method.toUpperCase());
      const wrong = ['PUT', 'PATCH', 'POST', 'DELETE', 'GET'].find((m) => !allowed.includes(m))!;
      const res = await api()[wrong.toLowerCase() as 'put'](fill(r.path, params()));
      const e = expectError(res, 405, 'method_not_allowed');
      expect(res.headers.allow!.split(', ').sort()).toEqual(allowed.sort());
      expect(e.details.allowed).toEqual(expect.arrayContaining(allowed));
    });

    const UNKNOWN: Record<string, string> = {
      ws: UNKNOWN_WS,
      user: UNKNOWN_USER,
      partner: UNKNOWN_PARTNER,
      id: 'no-such-exchange',
      journey: 'P999',
      run: 'no-such-run',
      snapshot: 'no-such-snapshot',
    };
    for (const p of pathParams) {
      it(`unknown ${p}: 404 naming it`, async () => {
        const res = await withBody(send(r, fill(r.path, { ...params(), [p]: UNKNOWN[p]! })));
        const e = expectError(res, 404, 'not_found');
        expect(e.message).toContain(UNKNOWN[p]);
        expect(Object.values(e.details)).toContain(UNKNOWN[p]);
      });
    }
    for (const p of pathParams.filter((x) => x === 'ws' || x === 'user')) {
      it.each(['abc', '9223372036854775808', '1e3'])(`${p} %s is not an int64: 400 naming ${p}`, async (bad) => {
        const e = expectError(
          await withBody(send(r, fill(r.path, { ...params(), [p]: bad }))),
          400,
          'validation_failed',
        );
        expect(e.details.field).toBe(p);
      });
    }

    if (hasBody(r)) {
      it('malformed JSON: 400 malformed_json', async () => {
        const e = expectError(
          await send(r, fill(r.path, params())).set('Content-Type', 'application/json').send('{"name": '),
          400,
          'malformed_json',
        );
        expect(e.details.reason).toEqual(expect.any(String));
      });
      it('an unknown field: 400 naming it', async () => {
        const e = expectError(
          await send(r, fill(r.path, params())).send({ ...VALID_BODY[r.operationId]!(), bogus_field: 1 }),
          400,
          'validation_failed',
        );
        expect(e.details.field).toBe('bogus_field');
        expect(e.message).toContain('bogus_field');
      });
      it('another Content-Type: 415', async () => {
        const e = expectError(
          await send(r, fill(r.path, params()))
            .set('Content-Type', 'text/plain')
            .send(JSON.stringify(VALID_BODY[r.operationId]!())),
          415,
          'unsupported_encoding',
        );
        expect(e.details.content_type).toMatch(/^text\/plain/);
      });
      // An import carries the whole state: its own, larger limit (not sent here: 64 MB).
      if (r.operationId !== 'importState')
        it('a body over the limit: 413', async () => {
          const e = expectError(
            await send(r, fill(r.path, params()))
              .set('Content-Type', 'application/json')
              .send(`{"name": "${'x'.repeat(1024 * 1024 + 10)}"}`),
            413,
            'body_too_large',
          );
          expect(e.details.limit).toBe('1mb');
        });
    }

    if (mutating) {
      it('from another site (Origin): 403', async () => {
        const e = expectError(
          await withBody(send(r, fill(r.path, params())).set('Origin', 'http://evil.example')),
          403,
          'cross_site_request',
        );
        expect(e.details.origin).toBe('http://evil.example');
      });
      it('from another site (Sec-Fetch-Site: cross-site): 403', async () => {
        expectError(
          await withBody(send(r, fill(r.path, params())).set('Sec-Fetch-Site', 'cross-site')),
          403,
          'cross_site_request',
        );
      });
    }

    it('a Host that is not this server (allowedHosts set): 403', async () => {
      const guarded = createApp({
        databricks: h.databricks,
        store: h.store,
        version: VERSION,
        allowedHosts: ['localhost', '127.0.0.1'],
      });
      const e = expectError(
        await withBody(request(guarded)[r.method](fill(r.path, params())).set('Host', 'rebind.evil.example:8000')),
        403,
        'host_not_allowed',
      );
      expect(e.details.host).toBe('rebind.evil.example:8000');
    });
  },
);

describe.each(ROUTES.map((r) => [r.operationId] as const))('%s', (op) => {
  it('succeeds', async () => {
    await SUCCESS[op]!();
  });
  for (const [name, run] of BAD[op] ?? []) it(`refuses: ${name}`, async () => void (await run()));
});

describe('outside the table', () => {
  it('an unknown /api route: 404 unknown_route naming the path', async () => {
    const e = expectError(await api().get('/api/nope'), 404, 'unknown_route');
    expect(e.details.path).toBe('/api/nope');
    expectError(await api().post('/api/workspaces/1/nope').send({}), 404, 'unknown_route');
  });
  it('a path segment that is not valid percent-encoding: 400 naming it, not an internal error', async () => {
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      for (const p of [
        `/api/workspaces/%zz`,
        `/api/partners/%E0%A4%A`,
        `/api/workspaces/${ACME}/partners/%ff/connection`,
      ]) {
        const e = expectError(await api().get(p), 400, 'validation_failed');
        expect(e.details.field).toBe('(path)');
        expect(e.message).toContain(String(e.details.value));
      }
      expect(spy.mock.calls.filter(([line]) => String(line).includes('internal error'))).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });
  it('content encodings: gzip is read, a body that does not inflate is 400, an unknown encoding or charset 415', async () => {
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      // serialize: superagent would otherwise JSON-encode the Buffer itself.
      const gz = gzipSync(Buffer.from('{"id": 9007199254740997, "name": "gzipped"}'));
      const ok = await api()
        .post('/api/workspaces')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'gzip')
        .serialize((b: unknown) => b as string)
        .send(gz);
      expect(ok.status).toBe(201);
      expect(ok.body).toMatchObject({ id: '9007199254740997', name: 'gzipped' });
      const e = expectError(
        await api()
          .post('/api/workspaces')
          .set('Content-Type', 'application/json')
          .set('Content-Encoding', 'gzip')
          .serialize((b: unknown) => b as string)
          .send(Buffer.from('not gzip at all')),
        400,
        'malformed_json',
      );
      expect(e.details.reason).toEqual(expect.any(String));
      expectError(
        await api()
          .post('/api/workspaces')
          .set('Content-Type', 'application/json')
          .set('Content-Encoding', 'x-bogus')
          .send('{}'),
        415,
        'unsupported_encoding',
      );
      expectError(
        await api().post('/api/workspaces').set('Content-Type', 'application/json; charset=x-bogus').send('{}'),
        415,
        'unsupported_encoding',
      );
      expect(spy.mock.calls.filter(([line]) => String(line).includes('internal error'))).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });
  it('an unknown page: 404 in the same shape', async () => {
    expectError(await api().get('/no-such-page'), 404, 'unknown_route');
  });
  it('a same-origin POST (the UI) and a GET from anywhere pass the cross-site guard', async () => {
    const server = h.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await request(server)
        .post('/api/workspaces')
        .set('Origin', `http://${host}`)
        .set('Sec-Fetch-Site', 'same-origin')
        .send({ name: tag('same-origin') })
        .expect(201);
      await request(server).get('/api/health').set('Origin', 'http://evil.example').expect(200);
      expectError(
        await request(server).post('/api/workspaces').set('Origin', 'null').send({}),
        403,
        'cross_site_request',
      );
    } finally {
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
    }
  });
  it('a refused cross-site request changes nothing', async () => {
    const before = (await api().get('/api/health')).body.counts.workspaces;
    await api().post('/api/workspaces').set('Origin', 'http://evil.example').send({ name: 'csrf' }).expect(403);
    expect((await api().get('/api/health')).body.counts.workspaces).toBe(before);
  });
  it('the allowed Host names pass the guard, with or without a port', async () => {
    const guarded = createApp({
      databricks: h.databricks,
      store: h.store,
      version: VERSION,
      allowedHosts: ['localhost', '127.0.0.1', '[::1]'],
    });
    for (const host of ['localhost:8000', '127.0.0.1', 'LOCALHOST:1', '[::1]:8000'])
      await request(guarded).get('/api/health').set('Host', host).expect(200);
    expectError(
      await request(guarded).get('/api/health').set('Host', 'localhost.evil.example'),
      403,
      'host_not_allowed',
    );
  });
});
