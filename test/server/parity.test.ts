/**
 * One engine, two ways in: the same clicks made by a journey (JourneyContext over Databricks, as
 * `pcsim run` builds it) and through the admin API of `pcsim serve` send the same payloads. Each
 * side talks to its own recording reference partner (so both get the same answers); the bodies
 * are compared field by field after only the generated values (ids, PAT, service principal
 * UUID, warehouse id, the partner's connection_id) are replaced by their kind.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseJson } from '../../src/contract/json.js';
import { Databricks } from '../../src/databricks/databricks.js';
import { JourneyContext } from '../../src/journeys/context.js';
import { PartnerClient } from '../../src/partner-client/client.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { MemoryStore } from '../../src/store/memory.js';
import { CREDS, startRecordingPartner, type RecordedCall, type TestPartner } from './harness.js';

const DOMAIN = 'parity.databricks-test.com';
const U1 = `u1@${DOMAIN}`;
const U2 = `u2@${DOMAIN}`;
const DEST = { catalog_name: 'main', destination_location: 's3://parity/landing' };

let journeyPartner: TestPartner;
let apiPartner: TestPartner;
let server: RunningServer;

beforeAll(async () => {
  journeyPartner = await startRecordingPartner();
  apiPartner = await startRecordingPartner();
  const dir = await mkdtemp(path.join(tmpdir(), 'pcsim-parity-'));
  const file = path.join(dir, 'partner.json');
  await writeFile(file, JSON.stringify(apiPartner.config));
  server = await startServer({
    port: 0,
    dataDir: null,
    partners: [file],
    seed: false,
    credentials: CREDS,
    retryBackoffMs: [0, 0, 0],
    timeoutMs: 5000,
  });
});
afterAll(async () => {
  await server?.close();
  await journeyPartner?.close();
  await apiPartner?.close();
});

/** The clicks as a journey makes them, on a Databricks built as runJourneys builds it. */
async function clicksThroughJourney(): Promise<void> {
  const client = new PartnerClient({
    config: journeyPartner.config,
    credentials: CREDS,
    retryBackoffMs: [0, 0, 0],
    timeoutMs: 5000,
  });
  // The same endpoint as the server: hostname, port and workspace_url are the same constants.
  const dbx = new Databricks({
    store: new MemoryStore(),
    clientFor: () => client,
    endpoint: server.databricks.endpoint,
  });
  const partner = await dbx.registerPartner(journeyPartner.config, 'run');
  const t = new JourneyContext(dbx, partner, 'PARITY');
  const none = () => [];
  const ws1 = await t.workspace();
  const u1 = await t.user(ws1, U1);
  await t.connect('create with a destination', ws1, u1, none, DEST);
  await t.connect('sign in again', ws1, u1, none);
  const u2 = await t.user(ws1, U2);
  await t.connect('another user signs in', ws1, u2, none);
  const ws2 = await t.workspace({ demo: true });
  await t.join(ws2, u1);
  await t.connect('demo workspace', ws2, u1, none);
  await t.forget(ws1);
  await t.connect('re-create after Databricks forgot', ws1, u1, none);
  await t.hook('partner deletes the demo connection', () => dbx.partnerDeleteConnection(ws2.id, partner.id), none);
}

/** The same clicks through the admin API, as a script or the UI makes them. */
async function clicksThroughApi(): Promise<void> {
  const base = server.url;
  const partner = server.store.read().partners[0]!.id;
  const call = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${base}${p}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const user = (ws: string, email: string) =>
    call('POST', `/api/workspaces/${ws}/users`, {
      email,
      first_name: email.split('@')[0]!.toUpperCase(),
      last_name: 'Tester',
    });
  const connect = (ws: string, u: string, extra = {}) =>
    call('POST', `/api/workspaces/${ws}/partners/${partner}/connect`, { user_id: u, ...extra });
  const ws1 = (await call('POST', '/api/workspaces', { name: 'PARITY ws1' })).id;
  const u1 = (await user(ws1, U1)).id;
  await connect(ws1, u1, DEST);
  await connect(ws1, u1);
  const u2 = (await user(ws1, U2)).id;
  await connect(ws1, u2);
  const ws2 = (await call('POST', '/api/workspaces', { name: 'PARITY ws2', demo: true })).id;
  await user(ws2, U1);
  await connect(ws2, u1);
  await call('DELETE', `/api/workspaces/${ws1}/partners/${partner}/connection?notify_partner=false`);
  await connect(ws1, u1);
  await call('POST', `/api/workspaces/${ws2}/partners/${partner}/hooks/delete-connection`, {});
}

/** Keys whose values are generated per run: compared by JSON type only. */
const GENERATED = new Set([
  'workspace_id',
  'databricks_organization_id',
  'databricks_user_id',
  'personal_access_token',
  'service_principal_id',
  'cluster_id',
  'connection_id',
]);

/** A body with its generated values replaced by their kind, so everything else must be equal. */
function normalise(body: Record<string, unknown>): unknown {
  const ws = String(body.workspace_id ?? body.databricks_organization_id ?? '');
  const warehouse = typeof body.cluster_id === 'string' ? body.cluster_id : undefined;
  const walk = (v: unknown, key?: string): unknown => {
    if (key && GENERATED.has(key)) return `<${typeof v === 'bigint' || typeof v === 'number' ? 'integer' : typeof v}>`;
    if (typeof v === 'string') {
      let s = v;
      if (ws) s = s.split(ws).join('<ws>');
      if (warehouse) s = s.split(warehouse).join('<warehouse>');
      return s;
    }
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(body);
}

const bodiesOf = (calls: RecordedCall[], p: string) =>
  calls.filter((c) => c.path === p).map((c) => parseJson(c.text) as Record<string, unknown>);

describe('a journey and the admin API send identical payloads', () => {
  beforeAll(async () => {
    await clicksThroughJourney();
    await clicksThroughApi();
  });

  it('the same number of Connect calls, in the same order', () => {
    expect(bodiesOf(journeyPartner.calls, '/connect')).toHaveLength(5);
    expect(bodiesOf(apiPartner.calls, '/connect')).toHaveLength(5);
  });

  it.each([0, 1, 2, 3, 4])('Connect call %i: same keys, same shapes, same constant values', (i) => {
    const fromJourney = bodiesOf(journeyPartner.calls, '/connect')[i]!;
    const fromApi = bodiesOf(apiPartner.calls, '/connect')[i]!;
    expect(Object.keys(fromApi)).toEqual(Object.keys(fromJourney)); // key order too: one builder
    expect(normalise(fromApi)).toEqual(normalise(fromJourney));
  });

  it('the generated values are real in both: exact integer ids, a PAT, a service principal UUID', () => {
    for (const calls of [journeyPartner.calls, apiPartner.calls]) {
      const [first] = calls.filter((c) => c.path === '/connect');
      expect(first!.text).toMatch(/"workspace_id":\d{16,19}[,}]/);
      expect(first!.text).toMatch(/"databricks_user_id":\d{16,19}[,}]/);
      const body = parseJson(first!.text) as {
        service_principal_id: string;
        user_info: { auth: { personal_access_token: string } };
      };
      expect(body.service_principal_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(body.user_info.auth.personal_access_token).toMatch(/^dapi[0-9a-f]{32}$/);
    }
  });

  it('the constants the script chose are the ones sent (demo, destination, sign-in state)', () => {
    const bodies = bodiesOf(apiPartner.calls, '/connect') as Array<Record<string, any>>;
    expect(bodies.map((b) => b.user_info.is_connection_established)).toEqual([false, true, true, false, false]);
    expect(bodies.map((b) => b.demo)).toEqual([false, false, false, true, false]);
    expect(bodies[0]).toMatchObject(DEST);
    expect(bodies.map((b) => b.user_info.email)).toEqual([U1, U1, U2, U1, U1]);
  });

  it('the partner-side delete-connection hook sends the same body too', () => {
    const fromJourney = bodiesOf(journeyPartner.calls, '/delete-connection');
    const fromApi = bodiesOf(apiPartner.calls, '/delete-connection');
    expect(fromApi).toHaveLength(1);
    expect(fromApi.map(normalise)).toEqual(fromJourney.map(normalise));
  });
});
