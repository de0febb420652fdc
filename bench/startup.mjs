#!/usr/bin/env node
// Start-up of the real binary: ms from spawn to the first 200 of /api/health (polled every 2 ms from
// the spawn), idle RSS once ready, and `pcsim --help`. Medians of `runs`; the machine's bare
// `node -e 0` is printed alongside, since absolute figures move with the machine's load.
// Run: npm run build && node bench/startup.mjs [runs=5]
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 5);
const bin = fileURLToPath(new URL('../bin/pcsim.js', import.meta.url));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
const health = (port) =>
  new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/health', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
  });
const rssKb = async (pid) => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))[1]);

function timed(args) {
  const t = performance.now();
  spawnSync(process.execPath, args, { stdio: 'ignore' });
  return performance.now() - t;
}

async function serveOnce(extra) {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port), ...extra], { stdio: 'ignore' });
  let status = 0;
  while (status !== 200) {
    status = await health(port);
    if (status !== 200) await new Promise((r) => setTimeout(r, 2));
  }
  const ready = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 2000));
  const rss = await rssKb(child.pid);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return { ready, rss };
}

const bare = [],
  help = [],
  mem = [],
  data = [],
  again = [];
for (let i = 0; i < runs; i++) {
  bare.push(timed(['-e', '0']));
  help.push(timed([bin, '--help']));
  mem.push(await serveOnce(['--memory']));
  const dir = await mkdtemp(join(tmpdir(), 'pcsim-startup-'));
  data.push(await serveOnce(['--data', dir]));
  again.push(await serveOnce(['--data', dir])); // the everyday restart: state and certificate on disk
  await rm(dir, { recursive: true, force: true });
}
const fmt = (xs) => `${median(xs).toFixed(0)} ms (${xs.map((x) => x.toFixed(0)).join(', ')})`;
console.log(`bare node -e 0:                  ${fmt(bare)}`);
console.log(`pcsim --help:                    ${fmt(help)}`);
console.log(
  `serve --memory, first 200:       ${fmt(mem.map((m) => m.ready))}; idle RSS ${(median(mem.map((m) => m.rss)) / 1024).toFixed(0)} MB`,
);
console.log(
  `serve --data (empty), first 200: ${fmt(data.map((m) => m.ready))}; idle RSS ${(median(data.map((m) => m.rss)) / 1024).toFixed(0)} MB`,
);
console.log(
  `serve --data (restart), first 200: ${fmt(again.map((m) => m.ready))}; idle RSS ${(median(again.map((m) => m.rss)) / 1024).toFixed(0)} MB`,
);
