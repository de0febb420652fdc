#!/usr/bin/env node
// Benchmark: is `pcsim load` the bottleneck-free side? Both tools hit the same reference partner
// (its own process, so it has its own core) at POST /connect with the same Basic auth:
//   1. autocannon (plain HTTP load tool, programmatic API) sends one Connect payload, its workspace, user
//      and e-mail domain new on every request (as pcsim's copies: the partner creates a connection each time);
//   2. pcsim load runs P100 copies (fresh workspace + user, one Connect each, judged), with
//      --no-launch-check (one request per Connect, as autocannon) and with the launch check.
// The partner runs without its core integration (which would call a workspace that does not exist here
// after every Connect and measure that instead of the tools). Each measurement gets a fresh partner process (its memory grows with every connection) and a
// warm-up of the tool first (autocannon: a 1 s run in the same process; pcsim: --warmup 1).
// Rounds alternate the tools so a noisy second hurts both; the medians are compared.
// Run: npm run build && node bench/load.mjs [seconds=5] [connections=10] [rounds=3]
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Databricks } from '../dist/databricks/databricks.js';
import { buildConnectRequest } from '../dist/databricks/payload.js';
import { provision } from '../dist/databricks/provisioning.js';
import { stringifyJson } from '../dist/contract/json.js';
import { MemoryStore } from '../dist/store/memory.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds } from './proc.mjs';

const seconds = Number(process.argv[2] ?? 5);
const connections = Number(process.argv[3] ?? 10);
const rounds = Number(process.argv[4] ?? 3);
const credentials = { user: 'databricks', password: 'pcsim-reference-secret' };
const credentialsEnv = { BASIC_USER: credentials.user, BASIC_PASSWORD: credentials.password };
const bin = fileURLToPath(new URL('../bin/pcsim.js', import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'pcsim-bench-'));

/** The reference partner in its own process; resolves with its URL and a stop function. */
async function startPartner() {
  const child = spawn(process.execPath, [bin, 'partner', '--port', '0', '--fault', 'no-core-integration'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`reference partner exited ${code}: ${err}`)));
  });
  return {
    url,
    pid: child.pid,
    stop: () =>
      new Promise((r) => {
        child.once('exit', r);
        child.kill('SIGTERM');
      }),
  };
}

/** partner.json of the reference partner (pcsim partner --print-config keeps serving: stop it once printed). */
async function printConfig() {
  const p = spawn(process.execPath, [bin, 'partner', '--port', '0', '--print-config'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  for await (const d of p.stdout) {
    out += d;
    try {
      const config = JSON.parse(out);
      p.kill('SIGTERM');
      return config;
    } catch {
      // not complete yet
    }
  }
  throw new Error('pcsim partner --print-config printed no config');
}
const partnerConfig = await printConfig();

// The payload pcsim itself would send for a new connection (same fields, same int64 ids).
const dbx = new Databricks({ store: new MemoryStore(), clientFor: () => null });
const partner = await dbx.registerPartner(partnerConfig, 'bench');
const ws = await dbx.createWorkspace({ name: 'bench' });
const user = await dbx.addUser(ws.id, { email: 'u1@bench.databricks-test.com' });
const resources = provision({ workspace: ws, partnerId: partner.id, config: partnerConfig, now: new Date() });
const body = stringifyJson(
  buildConnectRequest({ workspace: ws, user, config: partnerConfig, resources, scheme: 'http' }),
);
const authorization = `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`;

// pcsim's copies each click on a fresh workspace, so the partner creates a connection every time. A
// replay of one body would ask the partner only once to create and then to sign the same user in (its
// cheaper path): autocannon's requests differ the same way, by workspace and user id, with the rest of
// the payload (PAT, warehouse) as sent, and by e-mail domain (a new domain is a new account to the partner,
// as each copy's is).
const ids = [String(ws.id), String(user.id), 'bench.databricks-test.com'];
const parts = body.split(new RegExp(ids.join('|')));
const order = [...body.matchAll(new RegExp(ids.join('|'), 'g'))].map((m) => ids.indexOf(m[0]));
let sent = 0n;
/** The body for the next request: workspace and user ids moved on by one (exact int64 digits), a new domain. */
function nextBody() {
  sent += 1n;
  const fresh = [String(BigInt(ids[0]) - sent), String(BigInt(ids[1]) - sent), `bench${sent}.databricks-test.com`];
  let out = parts[0];
  for (let i = 0; i < order.length; i++) out += fresh[order[i]] + parts[i + 1];
  return out;
}

async function runAutocannon(url) {
  const opts = {
    url: `${url}${partnerConfig.endpoints.connect_path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization, 'user-agent': 'databricks' },
    requests: [{ setupRequest: (req) => ({ ...req, body: nextBody() }) }],
    connections,
  };
  const warm = await autocannon({ ...opts, duration: 1 });
  const r = await autocannon({ ...opts, duration: seconds });
  return {
    rate: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    bad: r.non2xx + r.errors,
    partnerCalls: warm.requests.total + r.requests.total,
  };
}

// The real command, in its own process, as a partner's CI would run it.
async function runPcsim(url, extra) {
  const config = join(dir, 'partner.json');
  const report = join(dir, 'load.json');
  await writeFile(config, JSON.stringify({ ...partnerConfig, base_url: url }));
  const args = [
    bin,
    'load',
    '--partner',
    config,
    '--journeys',
    'P100',
    '--concurrency',
    String(connections),
    '--duration',
    String(seconds),
    '--warmup',
    '1',
    '--report',
    `json:${report}`,
    ...extra,
  ];
  const child = spawn(process.execPath, args, { stdio: 'ignore', env: { ...process.env, ...credentialsEnv } });
  // pcsim's own CPU, read until it exits (the last reading misses at most its last 100 ms).
  let cpu = null;
  const poll = setInterval(async () => (cpu = (await cpuMs(child.pid)) ?? cpu), 100);
  const code = await new Promise((r) => child.on('exit', r));
  clearInterval(poll);
  if (code !== 0) throw new Error(`pcsim load exited ${code}`);
  const r = JSON.parse(await readFile(report, 'utf8'));
  const step = r.steps.find((s) => s.kind === 'connect');
  return {
    rate: r.throughput.connect_per_s,
    p50: step?.p50_ms,
    p99: step?.p99_ms,
    bad: r.copies.failed,
    toolCpuMs: cpu,
    // What reached the partner: the warm-up's copies and the counted ones (one Connect each, +1 launch request).
    partnerCalls: (r.warmup_copies + r.copies.completed) * (extra.includes('--no-launch-check') ? 1 : 2),
  };
}

/** CPU ms a process has used so far (bench/proc.mjs); null where /proc has no answer. */
async function cpuMs(pid) {
  const s = await cpuSeconds(pid);
  return Number.isNaN(s) ? null : s * 1000;
}

async function measure(tool) {
  const p = await startPartner();
  try {
    const before = await cpuMs(p.pid);
    const r = await tool(p.url);
    const after = await cpuMs(p.pid);
    return { ...r, partnerCpuMs: before === null || after === null ? null : after - before };
  } finally {
    await p.stop();
  }
}

const results = { autocannon: [], bare: [], launch: [] };
for (let i = 0; i < rounds; i++) {
  results.autocannon.push(await measure(runAutocannon));
  results.bare.push(await measure((url) => runPcsim(url, ['--no-launch-check'])));
  results.launch.push(await measure((url) => runPcsim(url, [])));
}
await rm(dir, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a.rate - b.rate)[Math.floor(xs.length / 2)];
const line = (label, rs, unit) => {
  const m = median(rs);
  // CPU per partner request over the warm-up and the run, counted exactly (autocannon's totals, pcsim's
  // report): equal work on the partner's side is what makes the rates comparable.
  const perCall = (ms) => `${((ms * 1000) / m.partnerCalls).toFixed(0)} µs/request`;
  const cpu =
    (m.partnerCpuMs === null ? '' : `, partner CPU ${perCall(m.partnerCpuMs)}`) +
    (m.toolCpuMs ? `, pcsim CPU ${perCall(m.toolCpuMs)} (its start-up included)` : '');
  return `${label}: median ${m.rate.toFixed(0)} ${unit} (rounds ${rs.map((r) => r.rate.toFixed(0)).join(', ')}; median round p50 ${m.p50} ms, p99 ${m.p99} ms, ${m.bad} failed${cpu})`;
};
const ac = median(results.autocannon).rate;
console.log(
  `${connections} connections, ${seconds} s per measurement after 1 s of warm-up, ${rounds} rounds, fresh reference partner per measurement`,
);
console.log(line(`autocannon POST ${partnerConfig.endpoints.connect_path}`, results.autocannon, 'req/s'));
console.log(line('pcsim load --journeys P100 --no-launch-check', results.bare, 'connect/s'));
console.log(
  line('pcsim load --journeys P100 (launch check: 2 partner requests per Connect)', results.launch, 'connect/s'),
);
// Rounds alternate the tools, so each round's pair met the same machine: their ratio is the spread.
const perRound = results.bare.map((b, i) => b.rate / results.autocannon[i].rate);
const pct = (x) => `${(x * 100).toFixed(0)}%`;
console.log(
  `ratio, same requests as autocannon: ${pct(median(results.bare).rate / ac)} of autocannon (target >= 90%); per round ${perRound.map(pct).join(', ')} (spread ${pct(Math.min(...perRound))}-${pct(Math.max(...perRound))})`,
);
console.log(
  `ratio with the launch check: ${((median(results.launch).rate / ac) * 100).toFixed(0)}% in Connects, ${((median(results.launch).rate * 200) / ac).toFixed(0)}% in partner requests`,
);
