/**
 * `pcsim serve` over real HTTP (startServer on port 0 with a temp data directory): state and the
 * reference partner's memory survive a restart, a state file that cannot be read stops the start
 * and is left byte for byte, secrets never reach the journal, the state file or the event
 * stream, and GET /api/events delivers the exchanges as they happen.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent, fetch as undiciFetch } from 'undici';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer, type ServeOptions } from '../../src/server/start.js';
import { SEED } from '../../src/server/seed.js';
import { StoreError } from '../../src/store/errors.js';
import { CREDS, openSse } from './harness.js';

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

const ACME = SEED.workspaces[0].id;
const ADMIN = SEED.users[0].id;

async function start(dataDir: string | null, extra: Partial<ServeOptions> = {}): Promise<RunningServer> {
  const s = await startServer({
    port: 0,
    dataDir,
    credentials: CREDS,
    retryBackoffMs: [0, 0, 0],
    timeoutMs: 5000,
    ...extra,
  });
  running.push(s);
  return s;
}

async function call(
  base: string,
  method: string,
  p: string,
  body?: unknown,
): Promise<{ status: number; text: string; json: any }> {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const tempDir = () => mkdtemp(path.join(tmpdir(), 'pcsim-serve-'));

describe('restart persistence', () => {
  it('a connection made before a restart is still established after it, and a sign-in works', async () => {
    const dir = await tempDir();
    const first = await start(dir);
    const partner = first.reference!.id;
    const made = await call(first.url, 'POST', `/api/workspaces/${ACME}/partners/${partner}/connect`, {
      user_id: ADMIN,
    });
    expect(made.status).toBe(200);
    expect(made.json.outcome).toBe('connected');
    const connectionId = made.json.connection.connection_id;
    const firstPort = first.port;
    await first.close();
    running.splice(running.indexOf(first), 1);

    const second = await start(dir);
    expect(second.port).not.toBe(firstPort);
    const held = await call(second.url, 'GET', `/api/workspaces/${ACME}/partners/${partner}/connection`);
    expect(held.status).toBe(200);
    expect(held.json).toMatchObject({
      connection_id: connectionId,
      created_by: ADMIN,
      resources: { status: 'active' },
    });
    // Workspaces point at this process again (the new port), the seed was not applied twice.
    const workspaces = (await call(second.url, 'GET', '/api/workspaces')).json.workspaces;
    expect(workspaces).toHaveLength(2);
    expect(workspaces[0]).toMatchObject({ port: second.port });
    const again = await call(second.url, 'POST', `/api/workspaces/${ACME}/partners/${partner}/connect`, {
      user_id: ADMIN,
    });
    expect(again.json).toMatchObject({
      outcome: 'signed_in',
      established: true,
      connection: { connection_id: connectionId },
      verdict: { compliant: true, status: 200 },
    });
    const journal = (await call(second.url, 'GET', `/api/journal/${again.json.exchange_ids[0]}`)).json;
    expect(journal.request.body).toMatchObject({
      connection_id: connectionId,
      user_info: { is_connection_established: true },
    });
    expect(journal.request.url).toContain(`:${second.port}/reference-partner/connect`);
  });

  it('a state file that is not JSON stops the start with a message naming it, and is left byte for byte', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'pcsim.json');
    const garbage = Buffer.from('{"version": 1, "workspaces": [ \u00e9\u0000 truncated', 'utf8');
    await writeFile(file, garbage);
    const failure = await startServer({ port: 0, dataDir: dir, credentials: CREDS }).then(
      (s) => {
        running.push(s);
        return undefined;
      },
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(StoreError);
    expect((failure as Error).message).toContain(file);
    expect((failure as Error).message).toMatch(/not valid JSON/);
    expect(Buffer.compare(await readFile(file), garbage)).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['pcsim.json']); // nothing written beside it either
  });

  it('a state file from another program is refused the same way', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'pcsim.json');
    const other = '{"name": "some-package", "dependencies": {}}\n';
    await writeFile(file, other);
    await expect(startServer({ port: 0, dataDir: dir, credentials: CREDS })).rejects.toThrow(file);
    expect(await readFile(file, 'utf8')).toBe(other);
  });
});

describe('a start that fails after listening', () => {
  it('closes the port again when the state cannot be written, so the process can exit', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, '.pcsim.json.tmp')); // where lowdb writes before renaming: every write fails
    const port = await freePort();
    const failure = await startServer({ port, dataDir: dir, credentials: CREDS }).then(
      (s) => {
        running.push(s);
        return undefined;
      },
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(StoreError);
    expect((failure as Error).message).toContain(path.join(dir, 'pcsim.json'));
    // The port is free again: nothing is left listening.
    const probe = createServer();
    await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });
});

describe('secrets', () => {
  it('the Basic password and the PAT appear nowhere: journal, one exchange, event stream, state files', async () => {
    const PASSWORD = 'Known-Basic-Password-7f3e';
    const PAT = 'dapiKNOWNPATTOKEN0123456789abcdef';
    const BASIC = Buffer.from(`${CREDS.user}:${PASSWORD}`).toString('base64');
    const dir = await tempDir();
    const s = await start(dir, { credentials: { user: CREDS.user, password: PASSWORD }, patToken: PAT });
    const sse = await openSse(s.url);
    try {
      await sse.waitFor((e) => e.event === 'hello');
      const made = await call(s.url, 'POST', `/api/workspaces/${ACME}/partners/${s.reference!.id}/connect`, {
        user_id: ADMIN,
      });
      expect(made.json.outcome).toBe('connected'); // the partner got both secrets and accepted them
      await sse.waitFor((e) => e.event === 'exchange');
      const list = await call(s.url, 'GET', '/api/journal');
      const one = await call(s.url, 'GET', `/api/journal/${made.json.exchange_ids[0]}`);
      expect(one.json.request.headers.Authorization).toBe('Basic ***redacted***');
      expect(one.json.request.body.user_info.auth.personal_access_token).toBe('***redacted***');
      const ws = await call(s.url, 'GET', `/api/workspaces/${ACME}`);
      await s.close();
      const seen: Record<string, string> = {
        'GET /api/journal': list.text,
        'GET /api/journal/{id}': one.text,
        'GET /api/workspaces/{ws}': ws.text,
        'connect answer': made.text,
        '/api/events': sse.raw(),
        'data/reference-partner.json': await readFile(path.join(dir, 'reference-partner.json'), 'utf8'),
      };
      for (const [where, text] of Object.entries(seen)) {
        for (const secret of [PASSWORD, BASIC])
          expect({ where, leaked: text.includes(secret) }).toEqual({ where, leaked: false });
        expect({ where, leaked: text.includes(PAT) }).toEqual({ where, leaked: false });
      }
      // The state file: never the Basic password (it is not state at all).
      const state = await readFile(path.join(dir, 'pcsim.json'), 'utf8');
      expect(state.includes(PASSWORD) || state.includes(BASIC)).toBe(false);
    } finally {
      sse.close();
    }
  });

  // Known gap, reported to the lead: resources.pat (and oauth_secret) are persisted in clear in
  // pcsim.json, because src/workspace/tokens.ts and oauth.ts compare presented tokens with them.
  // Keeping a SHA-256 digest instead would close it; this test then passes: turn it into `it`.
  it('the state file does not hold the PAT in clear', async () => {
    const PAT = 'dapiKNOWNPATTOKEN0123456789abcdef';
    const dir = await tempDir();
    const s = await start(dir, { patToken: PAT });
    await call(s.url, 'POST', `/api/workspaces/${ACME}/partners/${s.reference!.id}/connect`, { user_id: ADMIN });
    await s.close();
    expect(await readFile(path.join(dir, 'pcsim.json'), 'utf8')).not.toContain(PAT);
  });
});

describe('GET /api/events', () => {
  it('delivers an exchange event for a connect, then lets go of the client', async () => {
    const s = await start(null);
    const sse = await openSse(s.url);
    try {
      expect(sse.status).toBe(200);
      expect(sse.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(sse.headers['cache-control']).toBe('no-store');
      await sse.waitFor((e) => e.event === 'hello', 3000);
      const made = await call(s.url, 'POST', `/api/workspaces/${ACME}/partners/${s.reference!.id}/connect`, {
        user_id: ADMIN,
      });
      const ev = await sse.waitFor((e) => e.event === 'exchange', 3000);
      expect(JSON.parse(ev.data)).toMatchObject({
        id: made.json.exchange_ids[0],
        kind: 'connect',
        workspace_id: ACME,
        user_id: ADMIN,
        verdict: { compliant: true },
      });
    } finally {
      sse.close();
    }
    for (let i = 0; i < 50 && s.store.listenerCount > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(s.store.listenerCount).toBe(0);
  });

  it('announces each attempt while Databricks retries, before the exchange is recorded', async () => {
    const s = await start(null, { retryBackoffMs: [50, 50, 50], reference: { faults: ['flaky-500'] } });
    const sse = await openSse(s.url);
    try {
      await sse.waitFor((e) => e.event === 'hello', 3000);
      const made = await call(s.url, 'POST', `/api/workspaces/${ACME}/partners/${s.reference!.id}/connect`, {
        user_id: ADMIN,
      });
      expect(made.json.outcome).toBe('connected');
      await sse.waitFor((e) => e.event === 'exchange', 3000);
      const attempts = sse.events.filter((e) => e.event === 'attempt').map((e) => JSON.parse(e.data));
      // flaky-500: the first two attempts answer 500, the third succeeds; each retry is announced with its wait.
      expect(attempts.map((a) => ({ n: a.n, of: a.of, status: a.status, retry_in_ms: a.retry_in_ms }))).toEqual([
        { n: 1, of: 4, status: 500, retry_in_ms: 50 },
        { n: 2, of: 4, status: 500, retry_in_ms: 50 },
        { n: 3, of: 4, status: 200, retry_in_ms: undefined },
      ]);
      expect(new Set(attempts.map((a) => a.exchange_id))).toEqual(new Set([made.json.exchange_ids[0]]));
      expect(attempts[0]).toMatchObject({
        kind: 'connect',
        workspace_id: ACME,
        user_id: ADMIN,
        partner: s.reference!.id,
      });
      // The attempts come before the recorded exchange.
      const order = sse.events.filter((e) => e.event === 'attempt' || e.event === 'exchange').map((e) => e.event);
      expect(order).toEqual(['attempt', 'attempt', 'attempt', 'exchange']);
    } finally {
      sse.close();
    }
  });

  it("announces the partner's calls into the workspace as activity events", async () => {
    const s = await start(null, { reference: { coreIntegration: true } });
    const sse = await openSse(s.url);
    try {
      await sse.waitFor((e) => e.event === 'hello', 3000);
      await call(s.url, 'POST', `/api/workspaces/${ACME}/partners/${s.reference!.id}/connect`, { user_id: ADMIN });
      const ev = await sse.waitFor((e) => e.event === 'activity' && JSON.parse(e.data).kind === 'write', 10000);
      const write = JSON.parse(ev.data);
      expect(write).toMatchObject({ workspace_id: ACME, partner_id: s.reference!.id, ok: true, auth: 'pat' });
      const stored = (await call(s.url, 'GET', `/api/workspaces/${ACME}/activity`)).json.activity.map(
        (a: { id: string }) => a.id,
      );
      const announced = sse.events.filter((e) => e.event === 'activity').map((e) => JSON.parse(e.data).id);
      expect(stored).toEqual(expect.arrayContaining(announced));
      expect(JSON.stringify(sse.events)).not.toMatch(/dapi[0-9a-f]{8}/);
    } finally {
      sse.close();
    }
  });

  it('close() ends open event streams instead of waiting for them', async () => {
    const s = await start(null);
    const sse = await openSse(s.url);
    await sse.waitFor((e) => e.event === 'hello');
    const t0 = Date.now();
    await s.close();
    expect(Date.now() - t0).toBeLessThan(2000);
    sse.close();
  });
});

describe('request objects', () => {
  it("are made with the app's prototypes, which nothing switches: admin API, mounted reference partner, TLS side", async () => {
    const s = await start(null);
    const seen: { url: string; born: boolean; kept: boolean }[] = [];
    s.server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      const [url, proto] = [req.url ?? '', Object.getPrototypeOf(req) as object];
      // Express's request methods on arrival: the server made it so (src/http/app-classes.ts).
      const born = typeof (req as IncomingMessage & { get?: unknown }).get === 'function';
      res.once('finish', () => seen.push({ url, born, kept: Object.getPrototypeOf(req) === proto }));
    });
    expect((await call(s.url, 'GET', '/api/health')).status).toBe(200);
    // A Connect: the in-process reference partner is called through the same port and server.
    const connect = await call(s.url, 'POST', `/api/workspaces/${ACME}/partners/${s.reference!.id}/connect`, {
      user_id: ADMIN,
    });
    expect(connect.json.outcome).toBe('connected');
    const agent = new Agent({ connect: { ca: s.tls.ca } });
    const tls = await undiciFetch(`https://127.0.0.1:${s.port}/api/2.0/preview/scim/v2/Me`, { dispatcher: agent });
    expect(tls.status).toBe(401);
    await agent.close();
    await new Promise((r) => setTimeout(r, 50)); // the last 'finish' events
    expect(seen.some((x) => x.url.startsWith('/reference-partner/'))).toBe(true);
    expect(seen.some((x) => x.url.startsWith('/api/2.0/'))).toBe(true);
    expect(seen.filter((x) => !x.born || !x.kept)).toEqual([]);
  });
});
