/**
 * State you can keep and time you can move, over real HTTP with real lowdb files in temp dirs:
 * an export from one `pcsim serve` imported into another keeps the workspaces, connections and
 * the PAT's digest (the partner's PAT still works there, in clear nowhere in the file); a
 * snapshot restores what was; and moving the clock expires an OAuth M2M token without waiting.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { SEED } from '../../src/server/seed.js';
import { CREDS } from './harness.js';

const PAT = 'dapi00000000000000000000000000export';
const ACME = SEED.workspaces[0].id;
const ADMIN = SEED.users[0].id;
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

const dirs = new WeakMap<RunningServer, string>();

async function serve(): Promise<RunningServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pcsim-state-'));
  const s = await startServer({
    port: 0,
    dataDir,
    credentials: CREDS,
    retryBackoffMs: [0, 0, 0],
    timeoutMs: 5000,
    patToken: PAT,
    reference: { faults: ['no-core-integration'] },
  });
  closers.push(() => s.close());
  dirs.set(s, dataDir);
  return s;
}

async function call(base: string, method: string, p: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

describe('export and import', () => {
  it('moves the simulated Databricks to another server; secrets travel as digests only, and the PAT still works there', async () => {
    const a = await serve();
    const partner = a.reference!.id;
    expect(
      (await call(a.url, 'POST', `/api/workspaces/${ACME}/partners/${partner}/connect`, { user_id: ADMIN })).status,
    ).toBe(200);
    const exported = await call(a.url, 'GET', '/api/state');
    expect(exported.status).toBe(200);
    expect(exported.text).not.toContain(PAT);
    expect(exported.json.state.workspace_keys).toBeUndefined();

    const b = await serve();
    expect((await call(b.url, 'GET', `/api/workspaces/${ACME}/partners/${partner}/connection`)).status).toBe(404);
    const imported = await call(b.url, 'PUT', '/api/state', exported.text);
    expect(imported).toMatchObject({ status: 200, json: { imported: true } });
    const conn = await call(b.url, 'GET', `/api/workspaces/${ACME}/partners/${partner}/connection`);
    expect(conn.status).toBe(200);
    // The workspaces now point at this server, and the PAT handed out by the first one is recognised by its digest.
    const ws = await call(b.url, 'GET', `/api/workspaces/${ACME}`);
    expect(ws.json.port).toBe(b.port);
    expect(
      (await call(b.url, 'GET', '/api/2.0/preview/scim/v2/Me', undefined, { authorization: `Bearer ${PAT}` })).status,
    ).toBe(200);
    // Durable: the lowdb file of the second server holds the import, and no secret.
    await b.close();
    const dir = dirs.get(b)!;
    const files = (await readdir(dir, { withFileTypes: true })).filter((f) => f.isFile()); // tls/ holds pcsim's own CA
    const saved = await Promise.all(files.map((f) => readFile(path.join(dir, f.name), 'utf8')));
    expect(saved.join('\n')).toContain('pat_sha256');
    expect(saved.join('\n')).not.toContain(PAT);
  });

  it('restores a snapshot: what was made after it is gone', async () => {
    const a = await serve();
    const snap = await call(a.url, 'POST', '/api/snapshots', { name: 'clean' });
    expect(snap.status).toBe(201);
    const ws = await call(a.url, 'POST', '/api/workspaces', { name: 'made after' });
    expect((await call(a.url, 'GET', `/api/workspaces/${ws.json.id}`)).status).toBe(200);
    expect((await call(a.url, 'POST', `/api/snapshots/${snap.json.id}/restore`)).status).toBe(200);
    expect((await call(a.url, 'GET', `/api/workspaces/${ws.json.id}`)).status).toBe(404);
    expect((await call(a.url, 'GET', `/api/workspaces/${ACME}`)).status).toBe(200);
  });
});

/** A minimal OAuth M2M partner that keeps the Connect body it received (to use its secret, as a partner would). */
async function capturingPartner(): Promise<{ url: string; bodies: any[]; server: Server }> {
  const bodies: any[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/connect') {
        bodies.push(JSON.parse(text));
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(
          JSON.stringify({
            redirect_uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/welcome`,
            redirect_value: 'create_trial',
            user_status: 'new',
            account_status: 'new',
            configured_resources: true,
            connection_id: `c-${bodies.length}`,
          }),
        );
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<p>welcome</p>');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  closers.push(() => new Promise((ok) => server.close(ok)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, server };
}

describe('the clock', () => {
  it('expires an OAuth M2M access token once moved past its lifetime, without waiting', async () => {
    const s = await serve();
    const m2m = await capturingPartner();
    const ref = (await call(s.url, 'GET', `/api/partners/${s.reference!.id}`)).json.config;
    const config = {
      ...ref,
      name: 'M2M Capture',
      base_url: m2m.url,
      endpoints: { connect_path: '/connect' },
      hostnames: ['127.0.0.1'],
      auth_options: ['AUTH_OAUTH_M2M'],
      sign_up_page: `${m2m.url}/signup`,
      privacy_policy: `${m2m.url}/privacy`,
      terms_of_service: `${m2m.url}/tos`,
    };
    const reg = await call(s.url, 'POST', '/api/partners', { config, id: 'm2m-capture', credentials: CREDS });
    expect(reg.status).toBe(201);
    expect(
      (await call(s.url, 'POST', `/api/workspaces/${ACME}/partners/m2m-capture/connect`, { user_id: ADMIN })).status,
    ).toBe(200);
    const body = m2m.bodies[0];
    const basic = Buffer.from(
      `${encodeURIComponent(body.service_principal_id)}:${encodeURIComponent(body.service_principal_oauth_secret)}`,
    ).toString('base64');
    const token = await call(s.url, 'POST', '/oidc/v1/token', 'grant_type=client_credentials&scope=all-apis', {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(token.status).toBe(200);
    const bearer = { authorization: `Bearer ${token.json.access_token}` };
    expect((await call(s.url, 'GET', '/api/2.0/preview/scim/v2/Me', undefined, bearer)).status).toBe(200);

    const moved = await call(s.url, 'POST', '/api/clock', { advance_seconds: token.json.expires_in + 1 });
    expect(moved.json.offset_seconds).toBe(token.json.expires_in + 1);
    const expired = await call(s.url, 'GET', '/api/2.0/preview/scim/v2/Me', undefined, bearer);
    // The same token that worked a moment ago is refused, as Databricks refuses one: 403 "Invalid access token.".
    expect(expired.status).toBe(403);
    expect(expired.text).toContain('Invalid access token');
    // A fresh token works at the new time; back to real time, the clock says so.
    const fresh = await call(s.url, 'POST', '/oidc/v1/token', 'grant_type=client_credentials&scope=all-apis', {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(
      (
        await call(s.url, 'GET', '/api/2.0/preview/scim/v2/Me', undefined, {
          authorization: `Bearer ${fresh.json.access_token}`,
        })
      ).status,
    ).toBe(200);
    expect((await call(s.url, 'POST', '/api/clock', { reset: true })).json.offset_seconds).toBe(0);
  });
});
