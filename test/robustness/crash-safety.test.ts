/**
 * Crash safety of `pcsim serve`'s state file: SIGKILL at random points of a burst of writes,
 * many times over one data directory; every restart parses the file, and it holds every
 * workspace whose POST was acknowledged (201) before the kill. A corrupt or newer-version
 * file is refused with a message naming it, and left byte-identical. Concurrent Connect
 * clicks on one workspace and partner create one connection.
 * Needs `npm run build` (the child runs bin/pcsim.js → dist).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer } from '../../src/server/start.js';
import { readDurableState, STATE_FILE_NAME } from '../../src/store/lowdb.js';
import { StoreError } from '../../src/store/errors.js';
import { STATE_VERSION } from '../../src/databricks/model.js';
import { exitWithin, killAll, pcsim, servingUrl } from './support/pcsim-process.js';

const dirs: string[] = [];
afterAll(async () => {
  killAll();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'pcsim-robust-'));
  dirs.push(d);
  return d;
}

const ITERATIONS = 10;
const IN_FLIGHT = 4;

describe('kill -9 during a burst of writes', () => {
  it(`${ITERATIONS} kills at random points: every restart parses the file and holds every acknowledged workspace`, async () => {
    const dir = await tempDir();
    const acknowledged: string[] = [];
    const kills: Array<{ iteration: number; after_acks: number; delay_ms: number; acked: number }> = [];

    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      const p = pcsim(['serve', '--port', '0', '--data', dir]);
      const url = await servingUrl(p);
      const killAfter = Math.floor(Math.random() * 20); // acknowledgements before the kill
      const delay = Math.floor(Math.random() * 15); // then a few ms more: mid-write, mid-request
      let acks = 0;
      let stop = false;
      let killed: Promise<unknown> | undefined;
      const killSoon = () => {
        if (killed) return;
        killed = new Promise((r) => setTimeout(r, delay)).then(() => {
          stop = true;
          p.child.kill('SIGKILL');
          return p.exited;
        });
      };
      if (killAfter === 0) killSoon();
      let n = 0;
      const worker = async () => {
        while (!stop && n < 200) {
          const name = `kill-${iteration}-${n++}`;
          try {
            const res = await fetch(`${url}/api/workspaces`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ name }),
            });
            if (res.status === 201) {
              acknowledged.push(name);
              if (++acks >= killAfter) killSoon();
            }
            await res.arrayBuffer().catch(() => undefined);
          } catch {
            // the connection died with the process: not acknowledged
          }
        }
        killSoon();
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
      await killed;
      kills.push({ iteration, after_acks: killAfter, delay_ms: delay, acked: acks });

      // The files as the killed process left them (snapshot + write-ahead log): they parse, and hold every acknowledged write.
      const state = await readDurableState(dir);
      expect(state.version).toBe(STATE_VERSION);
      const names = new Set(state.workspaces.map((w) => w.name));
      const lost = acknowledged.filter((a) => !names.has(a));
      expect({ kills, lost }).toEqual({ kills, lost: [] });
    }

    // A last restart serves everything acknowledged across all the kills.
    const p = pcsim(['serve', '--port', '0', '--data', dir]);
    const url = await servingUrl(p);
    // Every page of the list (it comes 100 at a time by default).
    const names = new Set<string>();
    for (let token: string | undefined = '', pages = 0; token !== undefined && pages < 100; pages++) {
      const list = (await (
        await fetch(`${url}/api/workspaces?limit=1000${token ? `&page_token=${token}` : ''}`)
      ).json()) as { workspaces: Array<{ name: string }>; next_page_token?: string };
      for (const w of list.workspaces) names.add(w.name);
      token = list.next_page_token;
    }
    expect(acknowledged.filter((a) => !names.has(a))).toEqual([]);
    expect(acknowledged.length).toBeGreaterThan(0);
    p.child.kill('SIGTERM');
    expect((await exitWithin(p, 10000)).code).toBe(0);
  }, 90000);
});

describe('kill -9 during a burst of Connect clicks', () => {
  it('every acknowledged connection, its resources and its journal entry survive; the restart serves them', async () => {
    const dir = await tempDir();
    const first = pcsim(['serve', '--port', '0', '--data', dir, '--retry-backoff-ms', '0']);
    const url = await servingUrl(first);
    const post = async (p: string, body: unknown) => {
      const res = await fetch(`${url}${p}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };
    const partner = ((await (await fetch(`${url}/api/partners`)).json()) as { partners: Array<{ id: string }> })
      .partners[0]!.id;
    const user = '9007199254740993'; // the seeded admin, a member of the seeded workspaces
    const acked: Array<{ ws: string; connection_id: string }> = [];
    let stop = false;
    let n = 0;
    const killAt = 8 + Math.floor(Math.random() * 8);
    const worker = async () => {
      while (!stop && n < 100) {
        n++;
        try {
          const ws = await post('/api/workspaces', { name: `burst-${n}` });
          if (ws.status !== 201) continue;
          await post(`/api/workspaces/${ws.body.id}/users`, { email: 'admin@acme.databricks-test.com' });
          const c = await post(`/api/workspaces/${ws.body.id}/partners/${partner}/connect`, { user_id: user });
          if (c.status === 200 && c.body.outcome === 'connected')
            acked.push({ ws: ws.body.id as string, connection_id: c.body.connection.connection_id as string });
          if (acked.length >= killAt && !stop) {
            stop = true;
            first.child.kill('SIGKILL');
          }
        } catch {
          // the process died mid-request: not acknowledged
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    await first.exited;
    expect(acked.length).toBeGreaterThanOrEqual(killAt);

    const state = await readDurableState(dir);
    for (const a of acked) {
      const c = state.connections.find((x) => x.workspace_id === a.ws && x.partner_id === partner);
      expect(c?.connection_id).toBe(a.connection_id);
      expect(state.resources.some((r) => r.id === c!.resources_id && r.status === 'active')).toBe(true);
      expect(state.journal.some((e) => e.kind === 'connect' && e.workspace_id === a.ws)).toBe(true);
    }
    const again = pcsim(['serve', '--port', '0', '--data', dir]);
    const url2 = await servingUrl(again);
    for (const a of acked.slice(0, 3)) {
      const res = await fetch(`${url2}/api/workspaces/${a.ws}/partners/${partner}/connection`);
      expect(res.status).toBe(200);
    }
    again.child.kill('SIGTERM');
    expect((await exitWithin(again, 10000)).code).toBe(0);
  }, 90000);
});

describe('a state file pcsim cannot use is refused by name and left untouched', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['corrupt (half a JSON document)', '{"version": 1, "workspaces": [{"id": "12', /is not valid JSON/],
    [
      'newer version',
      JSON.stringify({ version: STATE_VERSION + 1, workspaces: [], users: [] }, null, 2),
      /written by a newer pcsim \(state version 2/,
    ],
  ];

  it.each(cases)('startServer: %s → StoreError naming the file; file byte-identical', async (_what, content, says) => {
    const dir = await tempDir();
    const file = path.join(dir, STATE_FILE_NAME);
    await writeFile(file, content);
    const before = await readFile(file);
    const err = await startServer({
      port: 0,
      dataDir: dir,
      credentials: { user: 'u', password: 'p-secret' },
      log: () => undefined,
    }).then(
      async (s) => {
        await s.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(says);
    expect((err as Error).message).toContain('The file was left untouched.');
    expect((await readFile(file)).equals(before)).toBe(true);
  });

  it.each(cases)(
    'pcsim serve: %s → exits 2 with a message naming the file; file byte-identical',
    async (_what, content, says) => {
      const dir = await tempDir();
      const file = path.join(dir, STATE_FILE_NAME);
      await writeFile(file, content);
      const before = await readFile(file);
      const p = pcsim(['serve', '--port', '0', '--data', dir]);
      const exit = await exitWithin(p, 15000);
      expect(exit.code).toBe(2);
      expect(p.stderr()).toContain(`Failed to open the pcsim state file ${file}`);
      expect(p.stderr()).toMatch(says);
      expect(p.stderr()).not.toContain('serving on');
      expect((await readFile(file)).equals(before)).toBe(true);
    },
  );
});

describe('concurrent admin requests', () => {
  it('10 parallel Connect clicks on one workspace and partner create exactly one connection', async () => {
    const server = await startServer({
      port: 0,
      dataDir: null,
      credentials: { user: 'databricks', password: 'concurrency-secret' },
      retryBackoffMs: [0, 0, 0],
      seed: false,
      log: () => undefined,
    });
    try {
      const post = async (p: string, body: unknown) => {
        const res = await fetch(`${server.url}${p}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as Record<string, any> };
      };
      const ws = (await post('/api/workspaces', { name: 'race' })).body.id as string;
      const user = (await post(`/api/workspaces/${ws}/users`, { email: 'racer@race.databricks-test.com' })).body
        .id as string;
      const partner = server.reference!.id;
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => post(`/api/workspaces/${ws}/partners/${partner}/connect`, { user_id: user })),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
      const outcomes = answers.map((a) => a.body.outcome as string).sort();
      expect(outcomes.filter((o) => o === 'connected')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'signed_in')).toHaveLength(9);
      expect(
        server.store.read().connections.filter((c) => c.workspace_id === ws && c.partner_id === partner),
      ).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
