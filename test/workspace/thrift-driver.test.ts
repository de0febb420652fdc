/**
 * The official Node.js SQL driver (@databricks/sql) against pcsim's SQL warehouse: Thrift over
 * HTTPS at the http_path of the Connect payload, with credentials a partner server received in
 * that payload (the PAT, or an OAuth M2M token from the service principal's id and secret), never
 * from an admin shortcut. The driver trusts pcsim's CA (customCaCert, or NODE_EXTRA_CA_CERTS in a
 * child process); a partner whose product only uses the driver passes P200.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Agent, fetch } from 'undici';
import type { PartnerConfig } from '../../src/contract/partner-config.js';
import { selectJourneys } from '../../src/journeys/catalogue.js';
import { runJourneys } from '../../src/journeys/runner.js';
import { createReferencePartnerApp } from '../../src/reference-partner/index.js';
import { SEED } from '../../src/server/seed.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { tlsHostNames, workspaceTls } from '../../src/workspace/certificate.js';
import { createCoreIntegration } from '../../src/workspace/core-integration.js';

const creds = { user: 'databricks', password: 'pcsim-reference-secret' };
type Payload = Record<string, any>;

/**
 * A partner server (the reference partner's Connect answers) that keeps each Connect payload it
 * receives, and may use it at once: `onConnect` is its product.
 */
async function capturingPartner(onConnect?: (p: Payload) => Promise<void>) {
  const ref = createReferencePartnerApp({
    basicUser: creds.user,
    basicPassword: creds.password,
    category: 'BI_AND_VIZ',
  });
  const payloads: Payload[] = [];
  const product: Promise<void>[] = [];
  const app = express();
  app.use(express.text({ type: () => true }));
  app.use((req, res, next) => {
    if (req.method === 'POST' && req.path.endsWith('/connect') && typeof req.body === 'string') {
      const p = JSON.parse(req.body) as Payload;
      payloads.push(p);
      if (onConnect) res.on('finish', () => product.push(onConnect(p)));
    }
    ref.app(req, res, next);
  });
  const server: Server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    config: ref.configFor(url),
    payloads,
    product,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const DRIVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support', 'driver-session.cjs');

/**
 * What a partner's product does with the driver, in its own process (support/driver-session.cjs):
 * the calls a BI tool makes first. `trust`: the CA as the driver's customCaCert, or a file for
 * NODE_EXTRA_CA_CERTS.
 */
function driverSession(
  p: Payload,
  token: string,
  trust: { ca: string } | { caFile: string },
  table?: string,
): Promise<any> {
  const input = {
    host: p.hostname,
    port: p.port,
    path: p.http_path,
    token,
    table,
    initial: table !== undefined,
    ca: 'ca' in trust ? trust.ca : undefined,
  };
  const env = {
    ...process.env,
    PCSIM_DRIVER: JSON.stringify(input),
    ...('caFile' in trust ? { NODE_EXTRA_CA_CERTS: trust.caFile } : {}),
  };
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [DRIVER], { env, timeout: 30000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    ),
  );
}

// Each driver session is a child process (~2 s of work plus start-up) on a shared machine.
jest.setTimeout(120_000);

let server: RunningServer | undefined;
let partner: Awaited<ReturnType<typeof capturingPartner>> | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await partner?.close();
  await server?.close();
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  server = partner = undefined;
});

async function connectIn(config: PartnerConfig): Promise<Payload> {
  const record = await server!.databricks.registerPartner(config, 'thrift-test');
  const ws = SEED.workspaces[0].id;
  const res = await fetch(`${server!.url}/api/workspaces/${ws}/partners/${record.id}/connect`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user_id: SEED.users[0].id }),
  });
  expect(res.status).toBe(200);
  return partner!.payloads.at(-1)!;
}

describe('@databricks/sql against the simulated SQL warehouse', () => {
  it('connects over https with the PAT of the payload: SELECT 1, a table it creates, rows, metadata', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pcsim-thrift-'));
    dirs.push(dir);
    server = await startServer({ port: 0, dataDir: dir, credentials: creds, retryBackoffMs: [0, 0, 0] });
    partner = await capturingPartner();
    const p = await connectIn({ ...partner.config, auth_options: ['AUTH_PAT'] });
    expect(p.workspace_url).toMatch(/^https:\/\/(localhost|127\.0\.0\.1):\d+\/\?o=\d+$/);
    expect(p.jdbc_url).toContain(
      `${p.hostname}:${p.port}/default;transportMode=http;ssl=1;AuthMech=3;httpPath=${p.http_path}`,
    );
    const out = await driverSession(
      p,
      p.user_info.auth.personal_access_token,
      { ca: server.tls.ca },
      'main.default.driver_events',
    );

    expect(out.one.all).toEqual([{ one: 1 }]);
    expect(out.who.all).toEqual([{ who: p.service_principal_id }]); // the PAT's service principal
    // BIGINT comes back as a bigint (printed "1n") or a number, as the driver decodes it.
    const plain = out.data.all.map((r: any) => ({ ...r, id: Number(String(r.id).replace(/n$/, '')) }));
    expect(plain).toEqual([
      { id: 1, name: 'ada', score: 1.5, ok: true },
      { id: 2, name: null, score: 2.25, ok: false },
    ]);
    expect(out.data.schema.columns.map((c: any) => c.columnName)).toEqual(['id', 'name', 'score', 'ok']);
    expect(out.failed).toMatch(/TABLE_OR_VIEW_NOT_FOUND/);
    expect(out.meta.catalogs.map((r: any) => r.TABLE_CAT)).toEqual(expect.arrayContaining(['main', 'samples']));
    expect(out.meta.schemas).toEqual(expect.arrayContaining([{ TABLE_SCHEM: 'default', TABLE_CATALOG: 'main' }]));
    expect(out.meta.tables).toEqual([
      expect.objectContaining({
        TABLE_CAT: 'main',
        TABLE_SCHEM: 'default',
        TABLE_NAME: 'driver_events',
        TABLE_TYPE: 'TABLE',
      }),
    ]);
    expect(out.meta.columns.map((c: any) => [c.COLUMN_NAME, c.TYPE_NAME, c.DATA_TYPE, c.ORDINAL_POSITION])).toEqual([
      ['id', 'BIGINT', -5, 1],
      ['name', 'STRING', 12, 2],
      ['score', 'DOUBLE', 8, 3],
      ['ok', 'BOOLEAN', 16, 4],
    ]);
    expect(out.meta.types.map((t: any) => t.TYPE_NAME)).toEqual(
      expect.arrayContaining(['INT', 'BIGINT', 'STRING', 'DECIMAL', 'TIMESTAMP']),
    );
    expect(out.meta.dbms).toBe('Spark SQL');
    // openSession({initialCatalog, initialSchema}) sends Databricks' initialNamespace: names resolve there.
    expect(out.initial.map((r: any) => ({ ...r, n: Number(String(r.n).replace(/n$/, '')) }))).toEqual([
      { n: 5, c: 'samples' },
    ]);
    // namedParameters and ordinalParameters, bound as the REST API binds named ones.
    expect(out.params.map((r: any) => ({ ...r, m: Number(String(r.m).replace(/n$/, '')) }))).toEqual([
      { m: 42, s: "it's", z: null },
    ]);
    expect(out.ordinal.map((r: any) => ({ ...r, x: Number(String(r.x).replace(/n$/, '')) }))).toEqual([
      { x: 42, q: '?', y: 'b' },
    ]);

    // Every call counts as activity of the connection, and P200 passes from the driver's statements alone.
    const ws = SEED.workspaces[0].id;
    const body = (await (await fetch(`${server.url}/api/workspaces/${ws}/activity`)).json()) as any;
    const mine = body.activity.filter((a: any) => a.path === p.http_path);
    expect(mine.map((a: any) => a.kind)).toEqual(expect.arrayContaining(['auth', 'query', 'write', 'read']));
    expect(mine.every((a: any) => a.auth === 'pat')).toBe(true);
    expect(mine.find((a: any) => a.detail?.startsWith('CREATE TABLE'))).toMatchObject({
      ok: true,
      table: { name: 'main.default.driver_events', managed: true },
    });
    expect(mine.find((a: any) => a.detail?.includes('no_such_table'))).toMatchObject({
      ok: false,
      error: expect.stringContaining('TABLE_OR_VIEW_NOT_FOUND'),
    });
    const conn = body.connections.find((c: any) => c.verdicts?.P200?.reason?.includes(p.http_path));
    expect(conn?.verdicts.P200).toMatchObject({
      status: 'passed',
      reason: expect.stringContaining('authenticated with the PAT'),
    });
    expect(JSON.stringify(body)).not.toContain(p.user_info.auth.personal_access_token);
  });

  it("connects with an OAuth M2M token the partner got with the payload's service principal id and secret", async () => {
    server = await startServer({ port: 0, dataDir: null, credentials: creds, retryBackoffMs: [0, 0, 0] });
    partner = await capturingPartner();
    const p = await connectIn({ ...partner.config, auth_options: ['AUTH_OAUTH_M2M'] });
    expect(p.user_info.auth?.personal_access_token ?? null).toBeNull();
    const agent = new Agent({ connect: { ca: server.tls.ca } });
    const basic = Buffer.from(`${p.service_principal_id}:${p.service_principal_oauth_secret}`).toString('base64');
    const tokenRes = await fetch(`https://${p.hostname}:${p.port}/oidc/v1/token`, {
      method: 'POST',
      dispatcher: agent,
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=all-apis',
    });
    expect(tokenRes.status).toBe(200);
    const { access_token } = (await tokenRes.json()) as { access_token: string };
    await agent.close();
    const out = await driverSession(p, access_token, { ca: server.tls.ca }, 'main.default.m2m_events');
    expect(out.one.all).toEqual([{ one: 1 }]);
    expect(out.data.all.map((r: any) => r.name)).toEqual(['ada', null]);
    const body = (await (await fetch(`${server.url}/api/workspaces/${SEED.workspaces[0].id}/activity`)).json()) as any;
    expect(body.activity.filter((a: any) => a.path === p.http_path).every((a: any) => a.auth === 'oauth_m2m')).toBe(
      true,
    );
  });

  it('refuses bad credentials before any Thrift: 401 without a token, 403 for a token the workspace does not know', async () => {
    server = await startServer({ port: 0, dataDir: null, credentials: creds, retryBackoffMs: [0, 0, 0] });
    partner = await capturingPartner();
    const p = await connectIn({ ...partner.config, auth_options: ['AUTH_PAT'] });
    const agent = new Agent({ connect: { ca: server.tls.ca } });
    const url = `https://${p.hostname}:${p.port}${p.http_path}`;
    const none = await fetch(url, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/x-thrift' },
      body: 'x',
    });
    expect(none.status).toBe(401);
    const bad = await fetch(url, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/x-thrift', authorization: 'Bearer dapi0000000000000000000000000000000' },
      body: 'x',
    });
    expect(bad.status).toBe(403);
    expect(await bad.json()).toMatchObject({ message: expect.stringContaining('Invalid access token.') });
    await agent.close();
    await expect(driverSession(p, 'dapi0000000000000000000000000000000', { ca: server.tls.ca })).rejects.toThrow(
      /driver failed: .*403/,
    );
  });

  it('works for a driver in another process that trusts the CA through NODE_EXTRA_CA_CERTS', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pcsim-thrift-'));
    dirs.push(dir);
    server = await startServer({ port: 0, dataDir: dir, credentials: creds, retryBackoffMs: [0, 0, 0] });
    partner = await capturingPartner();
    const p = await connectIn({ ...partner.config, auth_options: ['AUTH_PAT'] });
    const out = await driverSession(p, p.user_info.auth.personal_access_token, { caFile: server.tls.caFile! });
    expect(out.one.all).toEqual([{ one: 1 }]);
  });
});

describe('P200 for a partner whose product only uses the SQL driver', () => {
  it('passes in pcsim run --wait-core: the partner opens a driver session with the PAT it received', async () => {
    const tls = await workspaceTls(null, tlsHostNames());
    partner = await capturingPartner(async (p) => {
      // P200 connects in a Unity Catalog workspace and in a hive_metastore one (catalog_name says so).
      const table = `${p.catalog_name ?? 'main'}.default.run_events`;
      await driverSession(p, p.user_info.auth.personal_access_token, { ca: tls.ca }, table).catch(() => undefined);
    });
    const journeys = (
      selectJourneys('P200') as { journeys: NonNullable<Parameters<typeof runJourneys>[0]['journeys']> }
    ).journeys;
    const report = await runJourneys({
      config: { ...partner.config, auth_options: ['AUTH_PAT'] },
      credentials: creds,
      journeys,
      retryBackoffMs: [0, 0, 0],
      waitCore: 90,
      core: createCoreIntegration({ tls }),
    });
    await Promise.all(partner.product);
    expect(report.journeys[0]).toMatchObject({
      id: 'P200',
      status: 'passed',
      reason: expect.stringMatching(
        /authenticated with the PAT and made a successful (query|write) call.* \(POST \/sql\/1\.0\/warehouses\//,
      ),
    });
  });
});
