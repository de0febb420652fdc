/**
 * `pcsim serve` as a user starts it: the real binary (bin/pcsim.js → dist), port 0, the actual
 * URL read off the "serving on http://…" line, a request, then a signal and a clean exit.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

interface Served {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function pcsim(args: string[], extraEnv: Record<string, string> = {}) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('PCSIM_') && !['BASIC_USER', 'BASIC_PASSWORD', 'PAT_TOKEN'].includes(k),
    ),
  );
  const child = spawn(process.execPath, [path.join(root, 'bin/pcsim.js'), ...args], {
    cwd: root,
    env: { ...env, NO_COLOR: '1', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  let stdout = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, stderr: () => stderr, stdout: () => stdout };
}

/** Starts `pcsim serve …` and resolves with the URL it printed (bounded wait). */
async function serve(args: string[], ms = 15000, extraEnv: Record<string, string> = {}): Promise<Served> {
  const p = pcsim(['serve', ...args], extraEnv);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "serving on" line within ${ms} ms; stderr:\n${p.stderr()}`)),
      ms,
    );
    const check = () => {
      const m = /serving on (http:\/\/[^\s]+)/.exec(p.stderr());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    p.child.stderr!.on('data', check);
    void p.exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`pcsim serve exited ${code} before serving; stderr:\n${p.stderr()}`));
    });
  });
  return { child: p.child, url, stderr: p.stderr, exited: p.exited };
}

/** `p`, or a rejection after `ms` (the timer is cleared either way: no handle left behind). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>(
    (_r, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)),
  );
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

describe('pcsim serve (the binary)', () => {
  it('--port 0 prints the actual URL, answers, and exits 0 on SIGTERM', async () => {
    const s = await serve(['--memory', '--port', '0']);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s.url).not.toMatch(/:0$/);
    const health = await fetch(`${s.url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', counts: { workspaces: 2, users: 2, partners: 1 } });
    // The first run already has a working tile: the reference partner is mounted in-process.
    const partners = (await (await fetch(`${s.url}/api/partners`)).json()) as {
      partners: Array<{ base_url: string; source: string }>;
    };
    expect(partners.partners[0]).toMatchObject({ source: 'reference', base_url: `${s.url}/reference-partner` });
    s.child.kill('SIGTERM');
    expect(await within(s.exited, 5000, 'exit after SIGTERM')).toEqual({ code: 0, signal: null });
    expect(s.stderr()).toContain('stopping');
  });

  it('makes its CA in a new --data directory (in a child process), answers https with it, and reuses it on restart', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pcsim-cli-tls-'));
    const s = await serve(['--data', dir, '--port', '0']);
    const caFile = path.join(dir, 'tls', 'ca.pem');
    // The trust hints follow the "serving on" line once the certificate is made.
    for (let i = 0; i < 100 && !s.stderr().includes('NODE_EXTRA_CA_CERTS='); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(s.stderr()).toContain(`NODE_EXTRA_CA_CERTS=${caFile}`);
    const ca = await readFile(caFile, 'utf8');
    const port = Number(new URL(s.url).port);
    const httpsStatus = (trusted: string) =>
      new Promise<number>((resolve, reject) =>
        https
          .get({ host: '127.0.0.1', port, path: '/api/health', ca: trusted, servername: 'localhost' }, (res) => {
            res.resume();
            resolve(res.statusCode!);
          })
          .on('error', reject),
      );
    expect(await httpsStatus(ca)).toBe(200);
    s.child.kill('SIGTERM');
    expect((await within(s.exited, 5000, 'exit')).code).toBe(0);
    const again = await serve(['--data', dir, '--port', '0']);
    expect(await readFile(caFile, 'utf8')).toBe(ca); // the partner trusts it once
    again.child.kill('SIGTERM');
    expect((await within(again.exited, 5000, 'exit')).code).toBe(0);
  });

  it("answers the official SQL driver (@databricks/sql: Thrift over HTTPS) with a Connect's PAT: the bundle's warehouse, DuckDB and TLS", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pcsim-cli-sql-'));
    const token = 'dapi-cli-serve-0123456789abcdef';
    const s = await serve(['--data', dir, '--port', '0'], 15000, { PAT_TOKEN: token });
    for (let i = 0; i < 100 && !s.stderr().includes('NODE_EXTRA_CA_CERTS='); i++)
      await new Promise((r) => setTimeout(r, 50));
    const ws = ((await (await fetch(`${s.url}/api/workspaces`)).json()) as { workspaces: Array<{ id: string }> })
      .workspaces[0]!.id;
    const user = (
      (await (await fetch(`${s.url}/api/workspaces/${ws}/users`)).json()) as { users: Array<{ id: string }> }
    ).users[0]!.id;
    const connect = await fetch(`${s.url}/api/workspaces/${ws}/partners/pcsim-reference-partner/connect`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: user }),
    });
    expect(connect.status).toBe(200);
    const { resources } = (await connect.json()) as { resources: { warehouse: { http_path: string } } };
    // The partner's product in its own process, trusting pcsim's CA as a partner would.
    const input = { host: '127.0.0.1', port: Number(new URL(s.url).port), path: resources.warehouse.http_path, token };
    const driver = path.join(root, 'test/workspace/support/driver-session.cjs');
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [driver],
        {
          env: {
            ...process.env,
            PCSIM_DRIVER: JSON.stringify(input),
            NODE_EXTRA_CA_CERTS: path.join(dir, 'tls', 'ca.pem'),
          },
          timeout: 60_000,
        },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    expect((JSON.parse(out) as { one: { all: unknown[] } }).one.all).toEqual([{ one: 1 }]);
    s.child.kill('SIGTERM');
    expect((await within(s.exited, 5000, 'exit')).code).toBe(0);
  }, 90_000);

  it('exits 0 on SIGINT (Ctrl-C) with an event stream still open', async () => {
    const s = await serve(['--memory', '--port', '0']);
    const controller = new AbortController();
    const events = await fetch(`${s.url}/api/events`, { signal: controller.signal });
    expect(events.status).toBe(200);
    s.child.kill('SIGINT');
    expect(await within(s.exited, 5000, 'exit after SIGINT')).toEqual({ code: 0, signal: null });
    controller.abort();
  });

  it('writes its state under --data and keeps it for the next start', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pcsim-cli-serve-'));
    const s = await serve(['--data', dir, '--port', '0']);
    expect(s.stderr()).toContain(`state: ${dir}`);
    const res = await fetch(`${s.url}/api/workspaces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"id": 9007199254740993, "name": "kept"}',
    });
    expect(res.status).toBe(201);
    s.child.kill('SIGTERM');
    expect((await within(s.exited, 5000, 'exit')).code).toBe(0);
    const again = await serve(['--data', dir, '--port', '0']);
    expect(again.stderr()).toContain('3 workspaces');
    expect((await (await fetch(`${again.url}/api/workspaces/9007199254740993`)).json()).name).toBe('kept');
    again.child.kill('SIGTERM');
    expect((await within(again.exited, 5000, 'exit')).code).toBe(0);
  });

  it('--partner with a file that cannot be used exits 2 naming the file, before listening', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pcsim-cli-serve-'));
    const bad = path.join(dir, 'broken-partner.json');
    await writeFile(bad, '{"name": "Broken", "category": "NOT_A_CATEGORY"}');
    const p = pcsim(['serve', '--memory', '--port', '0', '--partner', bad]);
    expect((await within(p.exited, 15000, 'exit')).code).toBe(2);
    expect(p.stderr()).toContain(bad);
    expect(p.stderr()).not.toContain('serving on');
    const missing = pcsim(['serve', '--memory', '--port', '0', '--partner', path.join(dir, 'nope.json')]);
    expect((await within(missing.exited, 15000, 'exit')).code).toBe(2);
    expect(missing.stderr()).toContain(path.join(dir, 'nope.json'));
  });

  it('a state file that cannot be read exits 2 naming it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pcsim-cli-serve-'));
    await writeFile(path.join(dir, 'pcsim.json'), 'not json');
    const p = pcsim(['serve', '--data', dir, '--port', '0']);
    expect((await within(p.exited, 15000, 'exit')).code).toBe(2);
    expect(p.stderr()).toContain(path.join(dir, 'pcsim.json'));
  });

  it('a state directory it cannot write to exits 2 naming the file, instead of hanging on its open port', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pcsim-cli-serve-'));
    await mkdir(path.join(dir, '.pcsim.json.tmp')); // lowdb's temp file: every write fails (even for root)
    const p = pcsim(['serve', '--data', dir, '--port', '0']);
    expect((await within(p.exited, 15000, 'exit')).code).toBe(2);
    expect(p.stderr()).toContain(`Failed to save the pcsim state file ${path.join(dir, 'pcsim.json')}`);
  });

  it('--host 0.0.0.0 warns that the network can reach it', async () => {
    const s = await serve(['--memory', '--port', '0', '--host', '0.0.0.0']);
    expect(s.stderr()).toMatch(/warning: listening on 0\.0\.0\.0/);
    expect(s.url).toMatch(/^http:\/\/localhost:\d+$/);
    expect((await fetch(`${s.url}/api/health`)).status).toBe(200);
    s.child.kill('SIGTERM');
    expect((await within(s.exited, 5000, 'exit')).code).toBe(0);
  });
});
