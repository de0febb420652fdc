/**
 * Every request that reaches `pcsim serve`'s port gets an answer: while it starts on a large state
 * file (503 + Retry-After until ready, then 200), and while it stops on SIGTERM (a request under
 * way is finished, later ones get 503 or find the port closed). Pollers start at spawn and never
 * wait on a silent socket: a request that times out or is reset fails the test.
 * Needs `npm run build` (the child runs bin/pcsim.js → dist).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import { createServer } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exitWithin, killAll, pcsim } from '../robustness/support/pcsim-process.js';

const dirs: string[] = [];
afterAll(async () => {
  killAll();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A port free right now (bound to 0, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A state file of `n` workspaces, each with a user, a connection and its resources. */
async function largeState(dir: string, n: number): Promise<void> {
  const state = {
    version: 1,
    workspaces: [] as unknown[],
    users: [] as unknown[],
    partners: [],
    connections: [] as unknown[],
    resources: [] as unknown[],
    journal: [],
    journal_dropped: 0,
    checklist: [],
  };
  const at = new Date(0).toISOString();
  for (let i = 0; i < n; i++) {
    const id = String(3000000000000000000n + BigInt(i));
    state.workspaces.push({
      id,
      name: `ws-${i}`,
      cloud: 'aws',
      region: 'us-west-2',
      demo: false,
      is_free_trial: false,
      hostname: 'localhost',
      port: 1,
      catalogs: ['main'],
      external_locations: [`s3://b-${i}/landing`],
      created_at: at,
    });
    state.users.push({
      id: String(4000000000000000000n + BigInt(i)),
      email: `u${i}@example.com`,
      first_name: 'U',
      last_name: String(i),
      admin: true,
      workspaces: [id],
      created_at: at,
    });
    state.resources.push({
      id: `res-${i}`,
      workspace_id: id,
      partner_id: 'old',
      service_principal_id: `sp-${i}`,
      pat_sha256: 'a'.repeat(64),
      status: 'active',
      created_at: at,
    });
    state.connections.push({
      workspace_id: id,
      partner_id: 'old',
      connection_id: `c-${i}`,
      created_by: String(4000000000000000000n + BigInt(i)),
      created_at: at,
      resources_id: `res-${i}`,
    });
  }
  await writeFile(path.join(dir, 'pcsim.json'), JSON.stringify(state));
}

type Outcome = { status: number; retryAfter?: string } | { error: string };

/** One GET on a given agent (keep-alive). */
function getWith(agent: http.Agent, port: number, pathname: string, ms = 10000): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathname, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] }));
    });
    req.setTimeout(ms, () => req.destroy(new Error(`no answer within ${ms} ms`)));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
  });
}

/** One GET; resolves with the answer or the socket error (bounded: a silent socket is a failure). */
function get(port: number, pathname: string, ms = 10000): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathname, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] }));
      res.on('error', (e) => resolve({ error: `response: ${e.message}` }));
    });
    req.setTimeout(ms, () => req.destroy(new Error(`no answer within ${ms} ms`)));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
  });
}

/** Polls from now until `until(seen)` is true, with `workers` clients back to back. */
async function poll(port: number, workers: number, until: (seen: Outcome[]) => boolean): Promise<Outcome[]> {
  const seen: Outcome[] = [];
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!until(seen)) {
        const o = await get(port, '/api/health');
        seen.push(o);
        if ('error' in o && o.error === 'ECONNREFUSED') await new Promise((r) => setTimeout(r, 2));
      }
    }),
  );
  return seen;
}

const unanswered = (seen: Outcome[]) => seen.filter((o) => 'error' in o && o.error !== 'ECONNREFUSED');

describe('pcsim serve answers every request while it starts and stops', () => {
  it('polled from spawn on a large state file: 503 with Retry-After or 200, never silence; SIGTERM finishes a request under way', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pcsim-gate-'));
    dirs.push(dir);
    await largeState(dir, 5000);
    const port = await freePort();
    const p = pcsim(['serve', '--port', String(port), '--data', dir]);
    let exited = false;
    void p.exited.then(() => (exited = true));
    const start = await poll(port, 4, (seen) => exited || seen.some((o) => 'status' in o && o.status === 200));
    if (exited) throw new Error(`pcsim serve exited before answering 200; stderr:\n${p.stderr()}`);
    expect(unanswered(start)).toEqual([]);
    for (const o of start) if ('status' in o && o.status === 503) expect(o.retryAfter).toBe('1');
    expect(start.every((o) => 'error' in o || o.status === 200 || o.status === 503)).toBe(true);

    // A POST whose body is still on its way when SIGTERM arrives: it is finished, not cut.
    const [head, tail] = ['{"name":', '"drained-ws"}'];
    const slow = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: '/api/workspaces',
          method: 'POST',
          agent: false,
          headers: { 'content-type': 'application/json', 'content-length': String(head.length + tail.length) },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        },
      );
      req.on('error', reject);
      req.write(head);
      setTimeout(() => {
        p.child.kill('SIGTERM');
        setTimeout(() => req.end(tail), 300);
      }, 200);
    });
    // Clients on keep-alive connections opened before the stop keep asking until told 503.
    const keepAlive = Array.from({ length: 3 }, async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const seen: Outcome[] = [];
      try {
        for (;;) {
          const o = await getWith(agent, port, '/api/health');
          seen.push(o);
          if ('error' in o || o.status === 503) return seen;
        }
      } finally {
        agent.destroy();
      }
    });
    let stopped = false;
    const stopping = poll(port, 3, () => stopped);
    let answer: { status: number; body: string };
    try {
      answer = await slow;
      expect(await exitWithin(p, 15000)).toEqual({ code: 0, signal: null });
    } finally {
      stopped = true;
    }
    const during = await stopping;
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body)).toMatchObject({ name: 'drained-ws' });
    // Kept-alive clients: every request answered, the last one a 503 with Retry-After.
    for (const seen of await Promise.all(keepAlive)) {
      expect(seen.filter((o) => 'error' in o)).toEqual([]);
      expect(seen.at(-1)).toEqual({ status: 503, retryAfter: '1' });
    }
    // Fresh connections: answered (200, or 503 while draining) or refused once the port is closed;
    // the kernel may reset one that was still in the accept queue at the very instant it closed.
    expect(during.filter((o) => 'status' in o && o.status === 503).length).toBeGreaterThan(0);
    expect(during.filter((o) => 'error' in o && o.error !== 'ECONNREFUSED' && o.error !== 'ECONNRESET')).toEqual([]);
    expect(during.filter((o) => 'error' in o && o.error === 'ECONNRESET').length).toBeLessThanOrEqual(3);
  }, 60000);
});
