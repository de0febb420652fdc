// The workspace certificate's cost at start-up (run after npm run build): the first one a process
// makes (loads the X.509 library), the next ones (in memory: once per process and host set), and
// a start that finds it in <data>/tls (no library, no keys made). Prints milliseconds as JSON.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tlsHostNames, workspaceTls } from '../dist/workspace/certificate.js';

let t = performance.now();
await workspaceTls(null, tlsHostNames(['bench-0.test']));
const first = performance.now() - t;
t = performance.now();
for (let i = 1; i <= 10; i++) await workspaceTls(null, tlsHostNames([`bench-${i}.test`]));
const another = (performance.now() - t) / 10;
const dir = await mkdtemp(path.join(tmpdir(), 'pcsim-bench-tls-'));
await workspaceTls(dir, tlsHostNames());
t = performance.now();
for (let i = 0; i < 20; i++) await workspaceTls(dir, tlsHostNames());
const stored = (performance.now() - t) / 20;
await rm(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    first_in_process_ms: +first.toFixed(1),
    another_host_set_ms: +another.toFixed(1),
    stored_reuse_ms: +stored.toFixed(2),
  }),
);
