#!/usr/bin/env node
// The curve at scale. For each size N, the state is grown to N connections (each in its own
// workspace, with its resources, a user, and the journal's last 2000 exchanges), written as
// pcsim.json, and served by the real binary in its own process (`pcsim serve --data`), so every
// figure is that process's own:
//   - restart: ms from spawn to the first 200 of /api/health on that state (and again after a clean stop);
//   - RSS once loaded and idle (3 s), and after the clicks;
//   - Connect: pcsim's own time per click (request latency minus the partner's time recorded in the
//     exchange), p50/p99, with an event-stream client (a UI tab) open on /api/events. The partner is
//     the reference partner in its own process, without its core integration (which would call the
//     workspace back and share pcsim's CPU with the next click);
//   - list p99: GET /api/workspaces (first and a deep page), the journal, a workspace's users and activity;
//   - SQL warehouse `SELECT 1` per second at concurrency 10 (REST, PAT);
//   - stop: ms from SIGTERM to exit (a log longer than 1 MB is folded into pcsim.json first).
// Then the same state in `serve --memory` (bench/memory-server.mjs: the state loaded in process).
// Run: npm run build && node bench/scale.mjs [sizes=1000,10000] [connects=300] [stores=file,memory]
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from './http.mjs';
import { startServer } from '../dist/server/start.js';
import { snapshotText } from '../dist/store/snapshot.js';

const sizes = (process.argv[2] ?? '1000,10000').split(',').map(Number);
const connects = Number(process.argv[3] ?? 300);
const stores = (process.argv[4] ?? 'file,memory').split(',');
const bin = fileURLToPath(new URL('../bin/pcsim.js', import.meta.url));
const memoryServer = fileURLToPath(new URL('./memory-server.mjs', import.meta.url));
const PAT = 'dapi-bench-0123456789abcdef';
const env = {
  ...process.env,
  BASIC_USER: 'databricks',
  BASIC_PASSWORD: 'pcsim-reference-secret',
  PAT_TOKEN: PAT,
};
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
/** Every process started here, killed when the bench ends however it ends. */
const children = new Set();
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));
/** The nearest-rank quantile: the p99 of 300 samples is the 297th smallest. */
const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(p * s.length) - 1)];
};
const log = (...a) => console.log(...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rssMb = async (pid) =>
  Math.round(Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))[1]) / 1024);
const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });

const call = (url, ...rest) => request(agent, url, ...rest);

/** The reference partner in its own process, without core integration; its partner.json. */
async function startPartner(dir) {
  const port = await freePort();
  const args = [bin, 'partner', '--port', String(port), '--fault', 'no-core-integration'];
  const child = spawn(process.execPath, args, { stdio: 'ignore', env });
  children.add(child);
  const printed = spawn(process.execPath, [...args, '--print-config'], { stdio: ['ignore', 'pipe', 'ignore'], env });
  let out = '';
  for await (const d of printed.stdout) out += d;
  const file = join(dir, 'partner.json');
  await writeFile(file, out);
  while ((await call(`http://127.0.0.1:${port}/connectors`).catch(() => ({ status: 0 }))).status === 0) await sleep(20);
  return { file, stop: () => child.kill('SIGTERM') };
}

/** A real Connect's records, cloned N times with fresh ids (what N clicks would leave). */
async function grownState(n) {
  // PAT_TOKEN: every Connect's PAT is this one, so the statements below can authenticate; the first
  // resource holding it (the first grown workspace's) is the principal.
  const s = await startServer({
    port: 0,
    dataDir: null,
    credentials: { user: 'databricks', password: 'x' },
    patToken: PAT,
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
  const [c0, r0, e0] = [t.connections[0], t.resources[0], t.journal.at(-1)];
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
    const sp = `${i.toString(16).padStart(8, '0')}-0000-4000-8000-${'0'.repeat(12)}`;
    state.workspaces.push({ ...w0, id, name: `ws-${i}`, external_locations: [`s3://pcsim-${id.slice(-6)}/landing`] });
    state.users.push({ ...u0, id: uid, email: `u${i}@bench.databricks-test.com`, workspaces: [id] });
    // Each connection's own PAT (a digest of its own); the first keeps the template's, PAT_TOKEN's.
    const pat_sha256 = i === 0 ? r0.pat_sha256 : createHash('sha256').update(`bench-pat-${i}`).digest('hex');
    state.resources.push({ ...r0, id: `res-${i}`, workspace_id: id, service_principal_id: sp, pat_sha256 });
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

/**
 * Writes the grown state as `dir`/pcsim.json; resolves with its size in MB. Nothing of it stays
 * referenced here: the clicks are timed from this process, whose own garbage collection would
 * otherwise add to every figure.
 */
async function writeGrownState(n, dir) {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir);
  const text = snapshotText(await grownState(n), 0);
  await writeFile(join(dir, 'pcsim.json'), text);
  return text.length / 1048576;
}

/** Spawns a server and waits for its first 200; resolves with the ms it took. */
async function spawnServer(args, readyLine) {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, [...args, '--port', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env,
  });
  children.add(child);
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${err}`);
    const r = await call(`${url}/api/health`).catch(() => ({ status: 0 }));
    if (r.status === 200 && (!readyLine || readyLine.test(err))) break;
    await sleep(5);
  }
  return { child, url, ready: performance.now() - t0 };
}

async function stop(child) {
  const t = performance.now();
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  return performance.now() - t;
}

async function measure(label, srv, n) {
  const sse = http.get(`${srv.url}/api/events`, { headers: { accept: 'text/event-stream' } }, (res) => res.resume());
  sse.on('error', () => undefined);
  await sleep(100);
  const partner = JSON.parse((await call(`${srv.url}/api/partners`)).text).partners[0].id;
  const own = [];
  // A new user each click (the email names the store: the memory run serves the file run's state,
  // and an email already there would make each click a user joining a second workspace instead).
  // One click first, not counted: it loads the partner client (undici), as any first call does.
  for (let i = -1; i < connects; i++) {
    const ws = JSON.parse((await call(`${srv.url}/api/workspaces`, 'POST', { name: `bench-${i}` })).text).id;
    const user = JSON.parse(
      (
        await call(`${srv.url}/api/workspaces/${ws}/users`, 'POST', {
          email: `${label.trim()}-${i}@bench.databricks-test.com`,
        })
      ).text,
    ).id;
    const r = await call(`${srv.url}/api/workspaces/${ws}/partners/${partner}/connect`, 'POST', { user_id: user });
    const body = JSON.parse(r.text);
    const ex = JSON.parse((await call(`${srv.url}/api/journal/${body.exchange_ids[0]}`)).text);
    if (i >= 0) own.push(r.ms - (ex.duration_ms ?? 0));
  }
  const lists = { workspaces: [], deep: [], journal: [], users: [], activity: [] };
  const some = String(3000000000000000000n + BigInt(Math.floor(n / 2)));
  const deepToken = Buffer.from(`o${Math.max(0, n - 100)}`).toString('base64url');
  for (let i = 0; i < 100; i++) {
    lists.workspaces.push((await call(`${srv.url}/api/workspaces?limit=100`)).ms);
    lists.deep.push((await call(`${srv.url}/api/workspaces?limit=100&page_token=${deepToken}`)).ms);
    lists.journal.push((await call(`${srv.url}/api/journal?limit=100`)).ms);
    lists.users.push((await call(`${srv.url}/api/workspaces/${some}/users`)).ms);
    lists.activity.push((await call(`${srv.url}/api/workspaces/${some}/activity`)).ms);
  }
  const perSecond = await selectOnes(srv.url);
  sse.destroy();
  const listP99 = Object.entries(lists)
    .map(([k, v]) => `${k} ${q(v, 0.99).toFixed(1)}`)
    .join(', ');
  log(
    `${label} n=${n}: Connect own p50 ${q(own, 0.5).toFixed(1)} ms, p99 ${q(own, 0.99).toFixed(1)} ms (${connects} clicks, SSE open); list p99 ms: ${listP99}; SELECT 1 ${perSecond.n.toFixed(0)}/s at c=10 (${perSecond.failed} failed); RSS after ${await rssMb(srv.child.pid)} MB`,
  );
}

async function selectOnes(url, seconds = 3) {
  // The warehouse of the workspace the PAT belongs to (every Connect got the same PAT: PAT_TOKEN).
  const listed = JSON.parse(
    (await call(`${url}/api/2.0/sql/warehouses`, 'GET', undefined, { authorization: `Bearer ${PAT}` })).text,
  );
  const warehouse = listed.warehouses?.[0]?.id;
  let n = 0,
    failed = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (performance.now() < end) {
        const r = await call(
          `${url}/api/2.0/sql/statements`,
          'POST',
          { statement: 'SELECT 1', warehouse_id: warehouse, wait_timeout: '10s' },
          { authorization: `Bearer ${PAT}` },
        );
        if (r.status === 200) n++;
        else if (failed++ === 0) log(`SELECT 1 failed: ${r.status} ${r.text.slice(0, 300)}`);
      }
    }),
  );
  return { n: n / seconds, failed };
}

const work = await mkdtemp(join(tmpdir(), 'pcsim-scale-'));
const partner = await startPartner(work);
try {
  for (const n of sizes) {
    const t0 = performance.now();
    const dir = join(work, `n${n}`);
    const mb = await writeGrownState(n, dir);
    log(`grew n=${n} in ${(performance.now() - t0).toFixed(0)} ms: pcsim.json ${mb.toFixed(0)} MB`);
    if (stores.includes('file')) {
      const srv = await spawnServer([bin, 'serve', '--data', dir, '--partner', partner.file]);
      await sleep(3000);
      log(`file   n=${n}: restart ${srv.ready.toFixed(0)} ms; idle RSS ${await rssMb(srv.child.pid)} MB`);
      await measure('file  ', srv, n);
      log(`file   n=${n}: stop (SIGTERM to exit) ${(await stop(srv.child)).toFixed(0)} ms`);
      const again = await spawnServer([bin, 'serve', '--data', dir, '--partner', partner.file]);
      log(`file   n=${n}: restart after a clean stop ${again.ready.toFixed(0)} ms`);
      await stop(again.child);
    }
    if (stores.includes('memory')) {
      const srv = await spawnServer([memoryServer, join(dir, 'pcsim.json'), partner.file], /loaded/);
      await sleep(3000);
      log(`memory n=${n}: loaded in ${srv.ready.toFixed(0)} ms; idle RSS ${await rssMb(srv.child.pid)} MB`);
      await measure('memory', srv, n);
      await stop(srv.child);
    }
    await rm(dir, { recursive: true, force: true });
  }
} finally {
  partner.stop();
  agent.destroy();
  await rm(work, { recursive: true, force: true });
}
