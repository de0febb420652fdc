#!/usr/bin/env node
// Benchmark: what a partner that is down or hangs costs `pcsim run`, with the defaults a partner's
// CI gets (back-off 1 s, 2 s, 4 s; --timeout-ms 30000). Loopback only.
// Run: npm run build && node bench/unreachable.mjs [journeys for the hanging case, default P100,P300]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createReferencePartnerApp } from '../dist/reference-partner/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pcsim-bench-'));
const listen = (s) => new Promise((r) => s.listen(0, '127.0.0.1', () => r(s.address().port)));

function run(port, args) {
  const file = join(dir, `partner-${port}.json`);
  writeFileSync(file, JSON.stringify(createReferencePartnerApp().configFor(`http://127.0.0.1:${port}`)));
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [join(root, 'bin/pcsim.js'), 'run', '--partner', file, '--reporter', `json:${dir}/r.json`, ...args],
    { encoding: 'utf8' },
  );
  const wall = (performance.now() - t0) / 1000;
  const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
  return {
    exit: r.status,
    wall_s: +wall.toFixed(1),
    run_s: +(report.duration_ms / 1000).toFixed(1),
    journeys: report.summary,
  };
}

// Down: a port nothing listens on (bound, then released).
const probe = createServer();
const closed = await listen(probe);
await new Promise((r) => probe.close(r));
console.log('down (closed port, all journeys):', run(closed, []));

// Hanging: accepts connections, never answers (in a child process, so this one only measures).
const server = spawn(
  process.execPath,
  [
    '-e',
    "const s=require('net').createServer(c=>c.on('data',()=>{}));s.listen(0,'127.0.0.1',()=>console.log(s.address().port))",
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const port = await new Promise((r) => server.stdout.once('data', (d) => r(Number(String(d).trim()))));
const journeys = process.argv[2] ?? 'P100,P300';
const hung = await new Promise((resolve) => {
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      join(root, 'bin/pcsim.js'),
      'run',
      '--partner',
      (() => {
        const f = join(dir, 'hang.json');
        writeFileSync(f, JSON.stringify(createReferencePartnerApp().configFor(`http://127.0.0.1:${port}`)));
        return f;
      })(),
      '--journeys',
      journeys,
      '--reporter',
      `json:${dir}/h.json`,
    ],
    { stdio: 'ignore' },
  );
  child.on('exit', (code) => {
    const report = JSON.parse(readFileSync(join(dir, 'h.json'), 'utf8'));
    resolve({
      exit: code,
      wall_s: +((performance.now() - t0) / 1000).toFixed(1),
      run_s: +(report.duration_ms / 1000).toFixed(1),
      per_journey_s: report.journeys.map((j) => `${j.id} ${(j.duration_ms / 1000).toFixed(1)}`),
      attempts: report.journeys.map((j) => j.steps.map((s) => s.attempts)),
    });
  });
});
server.kill();
console.log(`hanging (accepts, never answers; ${journeys}, --timeout-ms 30000):`, hung);
