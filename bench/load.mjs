#!/usr/bin/env node
// Benchmark: is `pcsim load` the bottleneck-free side? Both tools hit the same reference partner
// (a separate process, so it has its own core) at POST /connect with the same Basic auth:
//   1. autocannon (plain HTTP load tool, programmatic API) replays one Connect payload;
//   2. pcsim load runs P100 copies (fresh workspace + user, one Connect each, judged).
// Run: npm run build && node bench/load.mjs [seconds=10] [connections=10]
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Databricks } from '../dist/databricks/databricks.js';
import { buildConnectRequest } from '../dist/databricks/payload.js';
import { provision } from '../dist/databricks/provisioning.js';
import { stringifyJson } from '../dist/contract/json.js';
import { MemoryStore } from '../dist/store/memory.js';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 10);
const credentials = { user: 'databricks', password: 'pcsim-reference-secret' };
const credentialsEnv = { BASIC_USER: credentials.user, BASIC_PASSWORD: credentials.password };
const bin = fileURLToPath(new URL('../bin/pcsim.js', import.meta.url));

// The reference partner in its own process (a fresh one per tool: its memory grows with every
// connection, so the second tool must not inherit the first one's); config from --print-config.
async function startPartner() {
const child = spawn(process.execPath, [bin, 'partner', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
const url = await new Promise((resolve, reject) => {
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
    const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(err);
    if (m) resolve(m[1]);
  });
  child.on('exit', (code) => reject(new Error(`reference partner exited ${code}: ${err}`)));
});
return { child, url };
}
let { child, url } = await startPartner();
const partnerConfig = await printConfig();
async function printConfig() {
  const p = spawn(process.execPath, [bin, 'partner', '--port', '0', '--print-config'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  for await (const d of p.stdout) {
    out += d;
    try {
      const config = JSON.parse(out);
      p.kill('SIGTERM');
      return { ...config, base_url: url };
    } catch {
      // not complete yet
    }
  }
  throw new Error('pcsim partner --print-config printed no config');
}

// The payload pcsim itself would send for a new connection (same fields, same int64 ids).
const dbx = new Databricks({ store: new MemoryStore(), clientFor: () => null });
const partner = await dbx.registerPartner(partnerConfig, 'bench');
const ws = await dbx.createWorkspace({ name: 'bench' });
const user = await dbx.addUser(ws.id, { email: 'u1@bench.databricks-test.com' });
const resources = provision({ workspace: ws, partnerId: partner.id, config: partnerConfig, now: new Date() });
const body = stringifyJson(buildConnectRequest({ workspace: ws, user, config: partnerConfig, resources, scheme: 'http' }));
const authorization = `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`;

const connectUrl = `${url.replace(/\/+$/, '')}${partnerConfig.endpoints.connect_path}`;
const warm = (ms) => new Promise((r) => setTimeout(r, ms));
await autocannon({ url: connectUrl, method: 'POST', body, headers: { 'content-type': 'application/json', authorization, 'user-agent': 'databricks' }, connections, duration: 1 });
const ac = await autocannon({ url: connectUrl, method: 'POST', body, headers: { 'content-type': 'application/json', authorization, 'user-agent': 'databricks' }, connections, duration: seconds });
child.kill('SIGTERM');
({ child, url } = await startPartner());
partnerConfig.base_url = url;
await warm(500);
// The real command, in its own process, as a partner's CI would run it.
const dir = await mkdtemp(join(tmpdir(), 'pcsim-bench-'));
await writeFile(join(dir, 'partner.json'), JSON.stringify(partnerConfig));
const pcsimLoad = (duration, extra = []) => new Promise((resolve, reject) => {
  const p = spawn(process.execPath, [bin, 'load', '--partner', join(dir, 'partner.json'), '--journeys', 'P100', '--concurrency', String(connections), '--duration', String(duration), '--report', `json:${join(dir, 'load.json')}`, ...extra], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...credentialsEnv } });
  p.on('exit', async (code) => (code === 0 ? resolve(JSON.parse(await readFile(join(dir, 'load.json'), 'utf8'))) : reject(new Error(`pcsim load exited ${code}`))));
});
await pcsimLoad(1);
const pl = await pcsimLoad(seconds);
// The same Connects without opening redirect_uri: what autocannon measures (one request per Connect).
const bare = await pcsimLoad(seconds, ['--no-launch-check']);
child.kill('SIGTERM');

const acRate = ac.requests.average;
const ratio = pl.throughput.connect_per_s / acRate;
const connectStep = pl.steps.find((s) => s.kind === 'connect');
console.log(`autocannon POST ${partnerConfig.endpoints.connect_path}: ${acRate.toFixed(0)} req/s (p50 ${ac.latency.p50} ms, p99 ${ac.latency.p99} ms, ${ac.non2xx} non-2xx, ${ac.errors} errors), ${connections} connections, ${seconds} s`);
// Each pcsim Connect is 2 requests at the partner: POST /connect, then the GET of redirect_uri
// that Databricks opens (the launch check), which autocannon does not do.
console.log(`pcsim load --journeys P100: ${pl.throughput.connect_per_s} connect/s = ${(pl.throughput.connect_per_s * 2).toFixed(0)} partner req/s with the redirect_uri check (p50 ${connectStep?.p50_ms} ms, p99 ${connectStep?.p99_ms} ms, ${pl.copies.failed} failed copies), concurrency ${connections}, ${seconds} s`);
console.log(`ratio: ${(ratio * 100).toFixed(0)}% of autocannon in Connects (target >= 70%); ${(ratio * 200).toFixed(0)}% in HTTP requests at the partner`);
const bareStep = bare.steps.find((s) => s.kind === 'connect');
console.log(`pcsim load --journeys P100 --no-launch-check: ${bare.throughput.connect_per_s} connect/s (p50 ${bareStep?.p50_ms} ms, p99 ${bareStep?.p99_ms} ms, ${bare.copies.failed} failed copies)`);
console.log(`ratio without the launch check (same requests as autocannon): ${((bare.throughput.connect_per_s / acRate) * 100).toFixed(0)}% of autocannon (target >= 70%)`);
