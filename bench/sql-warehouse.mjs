#!/usr/bin/env node
// The simulated SQL warehouse under load: `SELECT 1` statements per second at a concurrency, with
// p50/p99, against `pcsim serve --data <tmp>` (the default file store) in its own process, so the
// figure is the server's and not shared with this client.
//   - REST: POST /api/2.0/sql/statements (PAT, X-Databricks-Org-Id), keep-alive HTTP on loopback,
//     from autocannon (the server's rate) and from a Node http client (what a Node tool would see:
//     on 2 cores that client takes CPU from the server);
//   - Thrift: @databricks/sql over HTTPS (pcsim's CA) at the warehouse's http_path, one session per
//     client, executeStatement + fetchAll + close per statement (what a BI tool does).
// The state: one real Connect of the reference partner (its PAT and warehouse are the ones used),
// grown to N connections by cloning its records (own workspace, user, resources with their own PAT
// digest and warehouse, connection) and written as the server's pcsim.json before it starts.
// Run: npm run build && node bench/sql-warehouse.mjs [seconds=5] [concurrency=10] [sizes=0,10000]
//   [--no-rest] [--no-thrift] [--no-driver] [--health]
// Profile the server: BENCH_SERVE_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' node bench/sql-warehouse.mjs
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { request } from './http.mjs';
import { startServer } from '../dist/server/start.js';
import { snapshotText } from '../dist/store/lowdb.js';
import { cpuSeconds } from './proc.mjs';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const seconds = Number(args[0] ?? 5);
const concurrency = Number(args[1] ?? 10);
const sizes = (args[2] ?? '0,10000').split(',').map(Number);
const thrift = !process.argv.includes('--no-thrift');
const PAT = 'dapi-bench-sql-warehouse-0123456789';
const BIN = fileURLToPath(new URL('../bin/pcsim.js', import.meta.url));
/** The nearest-rank quantile: the p99 of 300 samples is the 297th smallest. */
const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(p * s.length) - 1)] ?? NaN;
};
const log = (...a) => console.log(...a);

const call = request;

/** The state after one Connect of the reference partner on the seeded workspace (in this process, memory store). */
async function template() {
  const credentials = { user: 'databricks', password: 'bench-secret' };
  const s = await startServer({
    port: 0,
    dataDir: null,
    credentials,
    patToken: PAT,
    retryBackoffMs: [0],
    log: () => undefined,
  });
  const agent = new http.Agent({ keepAlive: true });
  const st = s.store.read();
  const ws = st.workspaces[0].id;
  const user = st.users.find((u) => u.workspaces.includes(ws)).id;
  const r = await call(agent, `${s.url}/api/workspaces/${ws}/partners/${s.reference.id}/connect`, 'POST', {
    user_id: user,
  });
  if (JSON.parse(r.text).outcome !== 'connected') throw new Error(`the template Connect failed: ${r.text}`);
  const state = structuredClone(s.store.read());
  agent.destroy();
  await s.close();
  return state;
}

/** The template with n more connections, each in its own workspace; the real one stays last (the newest). */
function grown(t, n) {
  const real = t.resources.at(-1);
  const conn = t.connections.at(-1);
  const w0 = t.workspaces.find((w) => w.id === real.workspace_id);
  const u0 = t.users.find((u) => u.id === conn.created_by);
  const s = { ...t, workspaces: [], users: [], resources: [], connections: [], journal: [], activity: [] };
  for (let i = 0; i < n; i++) {
    const id = String(3000000000000000000n + BigInt(i));
    const uid = String(5000000000000000000n + BigInt(i));
    const wh = createHash('sha256').update(`wh-${i}`).digest('hex').slice(0, 16);
    const rid = `res-bench-${i}`;
    s.workspaces.push({ ...w0, id, name: `bench-${i}` });
    s.users.push({ ...u0, id: uid, email: `u${i}@bench.databricks-test.com`, workspaces: [id] });
    s.resources.push({
      ...real,
      id: rid,
      workspace_id: id,
      service_principal_id: `sp-bench-${i}`,
      pat_sha256: createHash('sha256').update(`${PAT}-${i}`).digest('hex'),
      warehouse: { ...real.warehouse, id: wh, http_path: `/sql/1.0/warehouses/${wh}` },
    });
    s.connections.push({
      ...conn,
      workspace_id: id,
      created_by: uid,
      connection_id: `conn-bench-${i}`,
      resources_id: rid,
    });
  }
  s.workspaces.push(...t.workspaces);
  s.users.push(...t.users);
  s.resources.push(...t.resources);
  s.connections.push(...t.connections);
  return { state: s, real };
}

/** `pcsim serve --data dir --port 0` in its own process; resolves with its URL once it listens. */
function serve(dir) {
  // BENCH_SERVE_NODE_ARGS: node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=prof" to profile it.
  const nodeArgs = (process.env.BENCH_SERVE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const argv = [...nodeArgs, BIN, 'serve', '--data', dir, '--port', '0', '--no-seed', '--no-color'];
  const child = spawn(process.execPath, argv, {
    env: { ...process.env, PAT_TOKEN: PAT },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    // pcsim prints what it serves on stderr (stdout is for results).
    if (process.env.BENCH_SERVE_STDERR) child.stderr.on('data', (c) => process.stderr.write(c));
    for (const stream of [child.stdout, child.stderr])
      stream.setEncoding('utf8').on('data', (c) => {
        out += c;
        const m = /serving on (http:\/\/\S+)/.exec(out);
        if (m) resolve({ url: m[1], child });
      });
    child.on('exit', (code) => reject(new Error(`pcsim serve exited (${code}): ${out}`)));
    setTimeout(() => {
      child.kill();
      reject(new Error(`pcsim serve did not start in 120 s: ${out}`));
    }, 120_000).unref();
  });
}

let server; // the child process measured
let dataDir; // its state directory
// However this process ends (an error, Ctrl-C), the server it started ends with it and its state goes.
process.on('exit', () => {
  server?.kill();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

/**
 * Runs `one` from `concurrency` clients for `s` seconds (after 1 s of warm-up): per second, p50, p99,
 * and the server's CPU time per call (steadier than the rate on a machine shared with other work).
 */
async function measure(one, s = seconds) {
  const warm = performance.now() + 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < warm) await one();
    }),
  );
  const ms = [];
  let failed = 0;
  const cpu0 = await cpuSeconds(server.pid);
  const t0 = performance.now();
  const end = t0 + s * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        if (await one().catch(() => false)) ms.push(performance.now() - t);
        else failed++;
      }
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  const cpu = ((await cpuSeconds(server.pid)) - cpu0) / ms.length;
  return (
    `${(ms.length / wall).toFixed(0)}/s, p50 ${q(ms, 0.5).toFixed(2)} ms, p99 ${q(ms, 0.99).toFixed(2)} ms, ` +
    `server CPU ${(cpu * 1e6).toFixed(0)} µs each (${failed} failed)`
  );
}

async function rest(url, real) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const body = { statement: 'SELECT 1', warehouse_id: real.warehouse.id, wait_timeout: '10s' };
  const headers = { authorization: `Bearer ${PAT}`, 'x-databricks-org-id': real.workspace_id };
  const one = async () => {
    const r = await call(agent, `${url}/api/2.0/sql/statements`, 'POST', body, headers);
    return r.status === 200 && JSON.parse(r.text).status?.state === 'SUCCEEDED';
  };
  if (!(await one())) throw new Error('SELECT 1 over REST did not succeed');
  const out = await measure(one);
  agent.destroy();
  return out;
}

/**
 * The same statement from autocannon (a load generator built for this: little CPU per request), so
 * the figure is the server's and not the Node client's, which shares the machine's cores with it.
 * After 3 s of warm-up (the server's JIT); the server's CPU per statement as above (all its threads).
 */
async function restAutocannon(url, real) {
  const agentOnce = new http.Agent();
  const opts = {
    url: `${url}/api/2.0/sql/statements`,
    connections: concurrency,
    method: 'POST',
    headers: {
      authorization: `Bearer ${PAT}`,
      'x-databricks-org-id': real.workspace_id,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ statement: 'SELECT 1', warehouse_id: real.warehouse.id, wait_timeout: '10s' }),
  };
  // autocannon counts any 2xx: the statement must first be seen to succeed.
  const first = await call(agentOnce, opts.url, 'POST', JSON.parse(opts.body), opts.headers);
  if (JSON.parse(first.text).status?.state !== 'SUCCEEDED') throw new Error(`SELECT 1 over REST failed: ${first.text}`);
  await autocannon({ ...opts, duration: 3 });
  const cpu0 = await cpuSeconds(server.pid);
  const r = await autocannon({ ...opts, duration: seconds });
  const cpu = ((await cpuSeconds(server.pid)) - cpu0) / r.requests.total;
  return (
    `${(r.requests.total / seconds).toFixed(0)}/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ` +
    `server CPU ${(cpu * 1e6).toFixed(0)} µs each (${r.non2xx + r.errors} failed)`
  );
}

async function health(url) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const out = await measure(async () => (await call(agent, `${url}/api/health`)).status === 200);
  agent.destroy();
  return out;
}

/**
 * TCLIService with the generated Thrift client over keep-alive HTTP (what a JDBC/ODBC driver sends,
 * without the Node driver's own cost): ExecuteStatement asking for direct results.
 */
async function thriftWire(url, real) {
  const require = createRequire(import.meta.url);
  const thrift = require('thrift');
  const TCLIService = require('../dist/workspace/thrift/gen/TCLIService.cjs');
  const ttypes = require('../dist/workspace/thrift/gen/TCLIService_types.cjs');
  const { hostname, port } = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const clients = [];
  for (let i = 0; i < concurrency; i++) {
    const connection = thrift.createHttpConnection(hostname, Number(port), {
      transport: thrift.TBufferedTransport,
      protocol: thrift.TBinaryProtocol,
      path: real.warehouse.http_path,
      headers: { Authorization: `Bearer ${PAT}` },
      nodeOptions: { agent },
    });
    const client = thrift.createHttpClient(TCLIService.Client, connection);
    const open = await client.OpenSession(
      new ttypes.TOpenSessionReq({ client_protocol: ttypes.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10 }),
    );
    clients.push({ client, sessionHandle: open.sessionHandle });
  }
  let next = 0;
  // As the drivers send it: direct results asked for, so a statement whose rows all fit is one call.
  const getDirectResults = new ttypes.TSparkGetDirectResults({ maxRows: new thrift.Int64(1000) });
  const one = async () => {
    const { client, sessionHandle } = clients[next++ % clients.length];
    const exec = await client.ExecuteStatement(
      new ttypes.TExecuteStatementReq({ sessionHandle, statement: 'SELECT 1', runAsync: true, getDirectResults }),
    );
    const direct = exec.directResults;
    if (!direct?.closeOperation)
      await client.CloseOperation(new ttypes.TCloseOperationReq({ operationHandle: exec.operationHandle }));
    return (
      exec.status.statusCode === ttypes.TStatusCode.SUCCESS_STATUS && direct?.resultSet?.results?.columns?.length === 1
    );
  };
  if (!(await one())) throw new Error('SELECT 1 over Thrift did not succeed');
  const out = await measure(one);
  for (const { client, sessionHandle } of clients)
    await client.CloseSession(new ttypes.TCloseSessionReq({ sessionHandle }));
  agent.destroy();
  return out;
}

async function thriftRun(url, dir, real) {
  const { DBSQLClient, DBSQLLogger, LogLevel } = createRequire(import.meta.url)('@databricks/sql');
  const ca = await readFile(join(dir, 'tls', 'ca.pem'), 'utf8');
  const { hostname, port } = new URL(url);
  const clients = [];
  const sessions = [];
  for (let i = 0; i < concurrency; i++) {
    const c = new DBSQLClient({ logger: new DBSQLLogger({ level: LogLevel.error }) });
    await c.connect({
      host: hostname,
      port: Number(port),
      path: real.warehouse.http_path,
      token: PAT,
      customCaCert: ca,
    });
    clients.push(c);
    sessions.push(await c.openSession());
  }
  let next = 0;
  const one = async () => {
    const session = sessions[next++ % sessions.length];
    const op = await session.executeStatement('SELECT 1');
    const rows = await op.fetchAll();
    await op.close();
    return rows.length === 1;
  };
  const out = await measure(one);
  for (const s of sessions) await s.close();
  for (const c of clients) await c.close();
  return out;
}

log(`SQL warehouse, SELECT 1 at concurrency ${concurrency}, ${seconds} s each, pcsim serve --data (own process)`);
const t = await template();
for (const n of sizes) {
  const { state, real } = grown(t, n);
  const dir = (dataDir = await mkdtemp(join(tmpdir(), 'pcsim-sqlbench-')));
  await writeFile(join(dir, 'pcsim.json'), snapshotText(state, 0));
  const t0 = performance.now();
  const { url, child } = await serve(dir);
  server = child;
  const started = performance.now() - t0;
  try {
    log(`n=${n} connections (serve ready in ${started.toFixed(0)} ms)`);
    if (!process.argv.includes('--no-rest')) {
      log(`  REST, autocannon   ${await restAutocannon(url, real)}`);
      log(`  REST, Node client  ${await rest(url, real)}`);
    }
    if (process.argv.includes('--health'))
      log(`  GET /api/health (the ceiling: no auth, SQL or write) ${await health(url)}`);
    if (thrift) {
      log(`  Thrift (wire: ExecuteStatement with direct results) ${await thriftWire(url, real)}`);
      if (!process.argv.includes('--no-driver'))
        log(
          `  Thrift (@databricks/sql over HTTPS: ExecuteStatement with direct results) ${await thriftRun(url, dir, real)}`,
        );
    }
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  }
}
