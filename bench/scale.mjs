#!/usr/bin/env node
// The curve at scale: the state grown to N connections (each in its own workspace, with its
// resources, a user, and a journal entry), then, with the file store and with --memory:
//   - restart: ms for startServer to open that state and answer (file store);
//   - Connect p99 of pcsim's own time (request latency minus the partner's time in the exchange),
//     with an SSE client (a UI tab) open on /api/events;
//   - list p99: GET /api/workspaces (first and a deep page), the journal, a workspace's users and activity;
//   - RSS once loaded;
//   - on the file store: SQL warehouse `SELECT 1` per second at concurrency 10.
// Run: npm run build && node bench/scale.mjs [sizes=1000,10000] [connects=200]
import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../dist/server/start.js';
import { snapshotText } from '../dist/store/lowdb.js';

const sizes = (process.argv[2] ?? '1000,10000').split(',').map(Number);
const connects = Number(process.argv[3] ?? 200);
const credentials = { user: 'databricks', password: 'bench-secret' };
const PAT = 'dapi-bench-0123456789abcdef';
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const log = (...a) => console.log(...a);

function call(url, method = 'GET', body, headers = {}) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = http.request(
      url,
      { method, agent, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode, text, ms: performance.now() - t }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** A real Connect's records, cloned N times with fresh ids (what N clicks would leave). */
async function grownState(n) {
  const s = await startServer({
    port: 0,
    dataDir: null,
    credentials,
    patToken: PAT,
    retryBackoffMs: [0],
    log: () => undefined,
  });
  const ws = JSON.parse((await call(`${s.url}/api/workspaces`, 'POST', { name: 'template' })).text).id;
  const user = JSON.parse(
    (await call(`${s.url}/api/workspaces/${ws}/users`, 'POST', { email: 'template@bench.databricks-test.com' })).text,
  ).id;
  await call(`${s.url}/api/workspaces/${ws}/partners/${s.reference.id}/connect`, 'POST', { user_id: user });
  const t = structuredClone(s.store.read());
  await s.close();
  const w0 = t.workspaces.find((w) => w.id === ws),
    u0 = t.users.find((u) => u.id === user);
  const c0 = t.connections[0],
    r0 = t.resources[0],
    e0 = t.journal.at(-1);
  const state = {
    ...t,
    workspaces: t.workspaces.filter((w) => w.id !== ws),
    users: t.users.filter((u) => u.id !== user),
    connections: [],
    resources: [],
    journal: [],
  };
  for (let i = 0; i < n; i++) {
    const id = String(3000000000000000000n + BigInt(i));
    const uid = String(5000000000000000000n + BigInt(i));
    state.workspaces.push({ ...w0, id, name: `ws-${i}` });
    state.users.push({ ...u0, id: uid, email: `u${i}@bench.databricks-test.com`, workspaces: [id] });
    state.resources.push({ ...r0, id: `res-${i}`, workspace_id: id, service_principal_id: `sp-${i}` });
    state.connections.push({
      ...c0,
      workspace_id: id,
      created_by: uid,
      connection_id: `conn-${i}`,
      resources_id: `res-${i}`,
    });
    if (i >= n - 2000) state.journal.push({ ...e0, id: `x-${i}`, workspace_id: id });
  }
  return state;
}

async function measure(label, s, n) {
  const rss0 = process.memoryUsage().rss;
  // A UI tab: the event stream stays open during the clicks.
  const sse = http.get(`${s.url}/api/events`, { headers: { accept: 'text/event-stream' } }, (res) => res.resume());
  sse.on('error', () => undefined);
  await new Promise((r) => setTimeout(r, 100));
  const own = [];
  const partner = s.reference.id;
  for (let i = 0; i < connects; i++) {
    const ws = JSON.parse((await call(`${s.url}/api/workspaces`, 'POST', { name: `bench-${i}` })).text).id;
    const user = JSON.parse(
      (await call(`${s.url}/api/workspaces/${ws}/users`, 'POST', { email: `b${i}@bench.databricks-test.com` })).text,
    ).id;
    const r = await call(`${s.url}/api/workspaces/${ws}/partners/${partner}/connect`, 'POST', { user_id: user });
    const ex = s.store.read().journal.at(-1);
    own.push(r.ms - (ex?.duration_ms ?? 0));
  }
  const lists = { workspaces: [], deep: [], journal: [], users: [], activity: [] };
  const some = s.store.read().workspaces[Math.floor(n / 2)]?.id;
  const deepToken = Buffer.from(`o${Math.max(0, n - 100)}`).toString('base64url');
  for (let i = 0; i < 100; i++) {
    lists.workspaces.push((await call(`${s.url}/api/workspaces?limit=100`)).ms);
    lists.deep.push((await call(`${s.url}/api/workspaces?limit=100&page_token=${deepToken}`)).ms);
    lists.journal.push((await call(`${s.url}/api/journal?limit=100`)).ms);
    lists.users.push((await call(`${s.url}/api/workspaces/${some}/users`)).ms);
    lists.activity.push((await call(`${s.url}/api/workspaces/${some}/activity`)).ms);
  }
  sse.destroy();
  globalThis.gc?.();
  const listP99 = Object.entries(lists)
    .map(([k, v]) => `${k} ${q(v, 0.99).toFixed(1)}`)
    .join(', ');
  log(
    `${label} n=${n}: Connect own p50 ${q(own, 0.5).toFixed(1)} ms, p99 ${q(own, 0.99).toFixed(1)} ms (${connects} clicks, SSE open); list p99 ms: ${listP99}; RSS ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB (before clicks ${(rss0 / 1048576).toFixed(0)} MB)`,
  );
}

async function sqlPerSecond(s, seconds = 5) {
  const ws = s.store.read().workspaces.at(-1).id;
  const res = s.store.read().resources.at(-1);
  const wh = res.warehouse?.id;
  let n = 0,
    failed = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (performance.now() < end) {
        const r = await call(
          `${s.url}/api/2.0/sql/statements`,
          'POST',
          { statement: 'SELECT 1', warehouse_id: wh, wait_timeout: '10s' },
          { authorization: `Bearer ${PAT}`, 'x-databricks-org-id': ws },
        );
        if (r.status === 200) n++;
        else failed++;
      }
    }),
  );
  return { perSecond: n / seconds, failed };
}

for (const n of sizes) {
  const t0 = performance.now();
  const state = await grownState(n);
  log(`grew n=${n} in ${(performance.now() - t0).toFixed(0)} ms`);
  // File store: write the grown state as pcsim.json, then start on it (the restart).
  const dir = await mkdtemp(join(tmpdir(), 'pcsim-scale-'));
  await writeFile(join(dir, 'pcsim.json'), snapshotText(state, 0));
  const t1 = performance.now();
  const file = await startServer({
    port: 0,
    dataDir: dir,
    credentials,
    patToken: PAT,
    retryBackoffMs: [0],
    log: () => undefined,
  });
  log(`lowdb n=${n}: restart ${(performance.now() - t1).toFixed(0)} ms`);
  await measure('lowdb ', file, n);
  const sql = await sqlPerSecond(file);
  log(`lowdb n=${n}: SELECT 1 ${sql.perSecond.toFixed(0)}/s at concurrency 10 (${sql.failed} failed)`);
  const t2 = performance.now();
  await file.close();
  log(`lowdb n=${n}: close (folds the log) ${(performance.now() - t2).toFixed(0)} ms`);
  const t3 = performance.now();
  const again = await startServer({ port: 0, dataDir: dir, credentials, patToken: PAT, log: () => undefined });
  log(`lowdb n=${n}: restart after close ${(performance.now() - t3).toFixed(0)} ms`);
  await again.close();
  await rm(dir, { recursive: true, force: true });
  // Memory store: the same state loaded in.
  const mem = await startServer({
    port: 0,
    dataDir: null,
    credentials,
    patToken: PAT,
    retryBackoffMs: [0],
    log: () => undefined,
  });
  await mem.store.update((s) => {
    for (const k of ['workspaces', 'users', 'connections', 'resources', 'journal']) s[k] = [...s[k], ...state[k]];
  });
  await measure('memory', mem, n);
  await mem.close();
}
agent.destroy();
