/**
 * The simulated workspace on a real loopback port: a memory store with one workspace, two users
 * and a partner connected (resources provisioned as Databricks does), the workspace router on
 * 127.0.0.1:0, and a clock the tests can move (token expiry).
 */
import { sealResources } from '../../src/databricks/secrets.js';
import express from 'express';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthOption, ResourceType } from '../../src/contract/enums.js';
import { PartnerConfig } from '../../src/contract/partner-config.js';
import { Databricks } from '../../src/databricks/databricks.js';
import type { Resources, Workspace } from '../../src/databricks/model.js';
import { provision } from '../../src/databricks/provisioning.js';
import type { PartnerClient } from '../../src/partner-client/client.js';
import { MemoryStore } from '../../src/store/memory.js';
import { createWorkspaceRouter } from '../../src/workspace/router.js';

export const WS_ID = '7474651234567890123';
export const CREATOR = '9007199254740993';

export function partnerConfig(overrides: Partial<PartnerConfig> = {}): PartnerConfig {
  return PartnerConfig.parse({
    api_version: '2.1.1',
    name: 'Test Partner',
    description_blurb: 'a partner under test',
    category: 'INGEST',
    base_url: 'http://127.0.0.1:9',
    endpoints: { connect_path: '/connect' },
    resources_to_provision: [{ resource_type: 'SqlEndpoint' }, { resource_type: 'DestLocation' }],
    supported_clouds: ['aws'],
    hostnames: ['127.0.0.1', 'localhost'],
    new_user_action: 'auto_add',
    ...overrides,
  });
}

/** `resources`: what the partner's config provisions (default: SqlEndpoint and DestLocation). */
export interface ConnectOptions {
  destination_location?: string;
  partner?: string;
  resources?: ResourceType[];
}

export interface TestWorkspace {
  base: string;
  store: MemoryStore;
  dbx: Databricks;
  ws: Workspace;
  resources: Resources;
  clock: { now: Date };
  /** Connects another partner (its own resources) in the same workspace. */
  connect(auth: AuthOption[], opts?: ConnectOptions): Promise<Resources>;
  close(): Promise<void>;
}

export async function startWorkspace(
  auth: AuthOption[] = ['AUTH_PAT'],
  opts: { destination_location?: string } = {},
): Promise<TestWorkspace> {
  const store = new MemoryStore();
  const clock = { now: new Date() };
  const dbx = new Databricks({ store, clientFor: () => ({}) as PartnerClient, now: () => clock.now });
  const ws = await dbx.createWorkspace({ id: WS_ID, name: 'Acme Production' });
  await dbx.addUser(ws.id, {
    id: CREATOR,
    email: 'admin@acme.databricks-test.com',
    first_name: 'Ada',
    last_name: 'Admin',
    admin: true,
  });
  await dbx.addUser(ws.id, {
    id: '9007199254741995',
    email: 'analyst@acme.databricks-test.com',
    first_name: 'Alan',
    last_name: 'Analyst',
  });

  const connect = async (authOptions: AuthOption[], o: ConnectOptions = {}) => {
    const kinds = o.resources?.map((resource_type) => ({ resource_type }));
    const provisioned = kinds ? { resources_to_provision: kinds } : {};
    const config = partnerConfig({ name: o.partner ?? 'Test Partner', auth_options: authOptions, ...provisioned });
    const partner = await dbx.registerPartner(config, 'test');
    const resources = provision({
      workspace: ws,
      partnerId: partner.id,
      config,
      destination_location: o.destination_location,
      now: clock.now,
    });
    await store.update((s) => {
      s.resources.push(sealResources(resources)); // stored as Databricks stores them: digests only
      s.connections = s.connections.filter((c) => !(c.workspace_id === ws.id && c.partner_id === partner.id));
      s.connections.push({
        workspace_id: ws.id,
        partner_id: partner.id,
        connection_id: `conn-${resources.id}`,
        created_by: CREATOR,
        created_at: clock.now.toISOString(),
        resources_id: resources.id,
      });
    });
    return resources;
  };
  const resources = await connect(auth, opts);

  const app = express();
  app.use(createWorkspaceRouter({ store, databricks: dbx, now: () => clock.now }));
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    store,
    dbx,
    ws,
    resources,
    clock,
    connect,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export async function call(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  }
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
