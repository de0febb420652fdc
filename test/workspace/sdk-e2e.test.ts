/**
 * The official Databricks SDK for JavaScript (@databricks/sdk-experimental) against a running pcsim,
 * with the credentials a partner server received in its Connect payload: the PAT, and the service
 * principal's OAuth client id/secret (M2M). Each partner server is the reference partner behind a
 * tap that keeps the Connect body it was sent; nothing comes from an admin shortcut.
 *
 * The SDK is isolated from the machine: `env: {}` (no DATABRICKS_* variables) and an explicit auth
 * type with the credentials given, so ~/.databrickscfg is never read. When the workspace speaks
 * https with pcsim's own CA, the client trusts that CA as a partner would (NODE_EXTRA_CA_CERTS):
 * its API agent verifies against it, and so does Node's global agent, which the SDK's OAuth calls use.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiError, WorkspaceClient } from '@databricks/sdk-experimental';
import express from 'express';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthOption, ResourceType } from '../../src/contract/enums.js';
import { createReferencePartnerApp, PATHS } from '../../src/reference-partner/index.js';
import { SEED } from '../../src/server/seed.js';
import { startServer, type RunningServer } from '../../src/server/start.js';

const creds = { user: 'databricks', password: 'pcsim-sdk-secret' };
type Payload = Record<string, any>;

let server: RunningServer;
let dataDir: string;
const partners: Server[] = [];

/** A partner server (the reference partner) that keeps every Connect body it receives. */
async function startPartner(name: string, auth: AuthOption, resource: ResourceType): Promise<Payload> {
  const ref = createReferencePartnerApp({ basicUser: creds.user, basicPassword: creds.password, name });
  const received: Payload[] = [];
  const app = express();
  app.post(PATHS.connect, (req, _res, next) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Payload));
    next();
  });
  app.use(ref.app);
  const http = createServer(app);
  partners.push(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const config = {
    ...ref.configFor(`http://127.0.0.1:${(http.address() as AddressInfo).port}`),
    auth_options: [auth],
    resources_to_provision: [{ resource_type: resource }],
  };
  const reg = await fetch(`${server.url}/api/partners`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ config, credentials: creds }),
  });
  expect(reg.status).toBe(201);
  const id = ((await reg.json()) as { id: string }).id;
  const click = await fetch(`${server.url}/api/workspaces/${SEED.workspaces[0].id}/partners/${id}/connect`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user_id: SEED.users[0].id }),
  });
  expect(((await click.json()) as { outcome: string }).outcome).toBe('connected');
  expect(received).toHaveLength(1);
  return received[0]!;
}

/** The CA a client must trust when the workspace speaks https (a server that makes its own names it). */
const workspaceCa = () => (server as unknown as { tls?: { ca?: string } }).tls?.ca;

type SdkConfig = ConstructorParameters<typeof WorkspaceClient>[0];

/** An SDK client isolated from the machine, trusting the workspace's CA when it speaks https. */
function sdk(config: SdkConfig & { host: string }): WorkspaceClient {
  const ca = workspaceCa();
  if (!config.host.startsWith('https:') || !ca) return new WorkspaceClient({ ...config, env: {} });
  return new WorkspaceClient(
    { ...config, env: {}, skipVerify: false },
    { agent: new https.Agent({ ca, keepAlive: true }) },
  );
}

/** The SDK client a partner's product builds from a Connect payload. */
function clientFor(p: Payload, auth: 'pat' | 'oauth-m2m'): WorkspaceClient {
  const host = p.workspace_url as string;
  if (auth === 'pat') return sdk({ host, token: p.user_info.auth.personal_access_token, authType: 'pat' });
  return sdk({
    host,
    clientId: p.service_principal_id,
    clientSecret: p.service_principal_oauth_secret,
    authType: 'oauth-m2m',
  });
}

async function collect<T>(it: AsyncIterable<T>, max = 100): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) if (out.push(x) >= max) break;
  return out;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pcsim-sdk-'));
  server = await startServer({ port: 0, host: '127.0.0.1', dataDir, credentials: creds, retryBackoffMs: [0, 0, 0] });
  const ca = workspaceCa();
  if (ca) https.globalAgent.options.ca = [...rootCertificates, ca];
});
afterAll(async () => {
  delete https.globalAgent.options.ca;
  await Promise.all(
    partners.map(
      (p) =>
        new Promise<void>((resolve) => {
          p.close(() => resolve());
          p.closeAllConnections();
        }),
    ),
  );
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.each([
  ['PAT', 'AUTH_PAT', 'pat'],
  ['OAuth M2M', 'AUTH_OAUTH_M2M', 'oauth-m2m'],
] as const)('the SDK with %s from the Connect payload', (label, option, auth) => {
  let sqlPayload: Payload;
  let clusterPayload: Payload;
  let w: WorkspaceClient;
  beforeAll(async () => {
    sqlPayload = await startPartner(`SDK ${label} SQL`, option, 'SqlEndpoint');
    clusterPayload = await startPartner(`SDK ${label} Cluster`, option, 'InteractiveCluster');
    if (auth === 'pat') expect(sqlPayload.user_info.auth.personal_access_token).toMatch(/^dapi/);
    else expect(sqlPayload.service_principal_oauth_secret).toEqual(expect.any(String));
    w = clientFor(sqlPayload, auth);
  });

  it('currentUser.me is the service principal: numeric id, the UUID as applicationId', async () => {
    const me = await w.currentUser.me();
    expect(me).toMatchObject({
      applicationId: sqlPayload.service_principal_id,
      userName: sqlPayload.service_principal_id,
      active: true,
    });
    expect(me.id).toMatch(/^\d+$/);
    expect(w.config.authType).toBe(auth);
  });

  it("warehouses list and get find the payload's warehouse", async () => {
    const all = await collect(w.warehouses.list({}));
    expect(all.map((x) => x.id)).toContain(sqlPayload.cluster_id);
    const one = await w.warehouses.get({ id: sqlPayload.cluster_id });
    expect(one).toMatchObject({
      id: sqlPayload.cluster_id,
      state: 'RUNNING',
      odbc_params: { path: sqlPayload.http_path },
    });
  });

  it('catalogs, schemas and tables list, with a table the partner created by SQL', async () => {
    const table = `sdk_${auth.replace('-', '_')}_events`;
    const created = await w.statementExecution.executeStatement({
      warehouse_id: sqlPayload.cluster_id,
      statement: `CREATE TABLE main.default.${table} (id BIGINT, name STRING)`,
      wait_timeout: '30s',
    });
    expect(created.status?.state).toBe('SUCCEEDED');
    const catalogs = await collect(w.catalogs.list({}));
    expect(catalogs.map((c) => [c.name, c.catalog_type])).toEqual(
      expect.arrayContaining([
        ['main', 'MANAGED_CATALOG'],
        ['samples', 'SYSTEM_CATALOG'],
      ]),
    );
    expect((await w.catalogs.get({ name: 'main' })).full_name).toBe('main');
    const schemas = await collect(w.schemas.list({ catalog_name: 'main' }));
    expect(schemas.map((s) => s.name)).toEqual(expect.arrayContaining(['default', 'information_schema']));
    const tables = await collect(w.tables.list({ catalog_name: 'main', schema_name: 'default' }));
    const mine = tables.find((t) => t.name === table);
    expect(mine).toMatchObject({
      full_name: `main.default.${table}`,
      table_type: 'MANAGED',
      data_source_format: 'DELTA',
    });
    expect(mine!.columns!.map((c) => [c.name, c.type_name])).toEqual([
      ['id', 'LONG'],
      ['name', 'STRING'],
    ]);
    expect((await w.tables.get({ full_name: `main.default.${table}` })).table_id).toBe(mine!.table_id);
  });

  it('SCIM users list (with a filter) and the service principal among ServicePrincipals', async () => {
    // The SDK's SCIM iterator never advances startIndex: it re-asks the first page until it is
    // empty. A page is all pcsim (and Databricks, within count) answers, so take one page.
    const users = await collect(w.usersV2.list({ filter: `userName eq "${SEED.users[0].email}"` }), 1);
    expect(users).toEqual([expect.objectContaining({ id: SEED.users[0].id, userName: SEED.users[0].email })]);
    const page = await collect(w.usersV2.list({ startIndex: 1, count: 2 }), 2);
    expect(page).toHaveLength(2);
    const sps = await collect(
      w.servicePrincipalsV2.list({ filter: `applicationId eq "${sqlPayload.service_principal_id}"` }),
      1,
    );
    expect(sps[0]).toMatchObject({ applicationId: sqlPayload.service_principal_id, id: (await w.currentUser.me()).id });
  });

  it('tokens create, list and delete: the new token authenticates until deleted', async () => {
    const made = await w.tokens.create({ comment: `sdk ${label}`, lifetime_seconds: 600 });
    expect(made.token_value).toMatch(/^dapi/);
    const withToken = sdk({ host: sqlPayload.workspace_url, token: made.token_value, authType: 'pat' });
    // The SDK types Me as a User; a service principal's Me also carries applicationId.
    expect(await withToken.currentUser.me()).toMatchObject({ applicationId: sqlPayload.service_principal_id });
    const listed = await collect(w.tokens.list());
    expect(listed.map((t) => t.token_id)).toContain(made.token_info!.token_id);
    await w.tokens.delete({ token_id: made.token_info!.token_id! });
    expect((await collect(w.tokens.list())).map((t) => t.token_id)).not.toContain(made.token_info!.token_id);
    const refused = await withToken.currentUser.me().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ statusCode: 403, errorCode: '403', message: 'Invalid access token.' });
  });

  it("clusters list and get find the payload's cluster", async () => {
    const c = clientFor(clusterPayload, auth);
    const all = await collect(c.clusters.list({}));
    expect(all.map((x) => x.cluster_id)).toContain(clusterPayload.cluster_id);
    const one = await c.clusters.get({ cluster_id: clusterPayload.cluster_id });
    expect(one).toMatchObject({
      cluster_id: clusterPayload.cluster_id,
      state: 'RUNNING',
      creator_user_name: clusterPayload.service_principal_id,
    });
    const missing = await c.clusters.get({ cluster_id: '0000-000000-nope' }).catch((e: unknown) => e);
    expect(missing).toMatchObject({
      statusCode: 400,
      errorCode: 'INVALID_PARAMETER_VALUE',
      message: 'Cluster 0000-000000-nope does not exist',
    });
  });

  it("workspace import puts a notebook in the service principal's home", async () => {
    const path = `/Users/${sqlPayload.service_principal_id}/sdk-${auth}`;
    const content = Buffer.from('# Databricks notebook source\nprint("hello")\n').toString('base64');
    await w.workspace.import({ path, format: 'SOURCE', language: 'PYTHON', content, overwrite: true });
    expect(await w.workspace.getStatus({ path })).toMatchObject({ object_type: 'NOTEBOOK', language: 'PYTHON', path });
  });
});

describe('the SDK and refused credentials', () => {
  it('sees Databricks\' answer to an unknown token: ApiError 403 "Invalid access token."', async () => {
    const w = sdk({ host: server.url, token: 'dapi-not-a-real-token', authType: 'pat' });
    const err = await w.currentUser.me().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ statusCode: 403, errorCode: '403', message: 'Invalid access token.' });
  });

  it('fails M2M with a wrong secret at the token endpoint, before any API call', async () => {
    const p = await startPartner('SDK wrong secret', 'AUTH_OAUTH_M2M', 'SqlEndpoint');
    const w = sdk({
      host: p.workspace_url,
      clientId: p.service_principal_id,
      clientSecret: 'not-the-secret',
      authType: 'oauth-m2m',
    });
    await expect(w.currentUser.me()).rejects.toThrow();
    const activity = (await (await fetch(`${server.url}/api/workspaces/${SEED.workspaces[0].id}/activity`)).json()) as {
      activity: { path: string; status: number; ok: boolean }[];
    };
    expect(activity.activity.some((a) => a.path === '/oidc/v1/token' && a.status === 401 && !a.ok)).toBe(true);
  });
});
