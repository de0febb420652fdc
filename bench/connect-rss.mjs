#!/usr/bin/env node
// Memory of a serve across clicks: `pcsim serve --data <tmp>` with its built-in reference partner and
// that partner's core integration on (as a user runs it: after each Connect the partner signs in to the
// new workspace and creates, fills and reads a table over SQL). Each click is a new workspace, a new
// user and a Connect; the server's RSS is printed every `every` clicks, after 1.5 s idle.
// Run: npm run build && node bench/connect-rss.mjs [clicks=300] [every=50]
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from './http.mjs';

const clicks = Number(process.argv[2] ?? 300);
const every = Number(process.argv[3] ?? 50);
const bin = fileURLToPath(new URL('../bin/pcsim.js', import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'pcsim-connect-rss-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const child = spawn(process.execPath, [bin, 'serve', '--data', dir, '--port', '0'], {
  stdio: ['ignore', 'ignore', 'pipe'],
});
let err = '';
child.stderr.on('data', (d) => (err += d));
process.on('exit', () => child.kill('SIGKILL'));
let url;
while (!(url = /serving on (http:\/\/\S+)/.exec(err)?.[1])) {
  if (child.exitCode !== null) throw new Error(`pcsim serve exited ${child.exitCode}: ${err}`);
  await sleep(20);
}
const agent = new http.Agent({ keepAlive: true });
const call = async (path, method, body) => JSON.parse((await request(agent, `${url}${path}`, method, body)).text);
const rssMb = async () => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024;

const partner = (await call('/api/partners')).partners[0].id;
console.log(`pcsim serve --data ${dir}: RSS ${(await rssMb()).toFixed(0)} MB before the first click`);
for (let i = 1; i <= clicks; i++) {
  const ws = (await call('/api/workspaces', 'POST', { name: `rss-${i}` })).id;
  const user = (await call(`/api/workspaces/${ws}/users`, 'POST', { email: `rss-${i}@bench.databricks-test.com` })).id;
  const r = await call(`/api/workspaces/${ws}/partners/${partner}/connect`, 'POST', { user_id: user });
  if (!r.exchange_ids) throw new Error(`Connect ${i} failed: ${JSON.stringify(r)}`);
  if (i % every === 0) {
    await sleep(1500); // the partner's core integration runs after its answer
    console.log(`${String(i).padStart(5)} clicks: RSS ${(await rssMb()).toFixed(0)} MB`);
  }
}
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
await rm(dir, { recursive: true, force: true });
