// Docker build: runs the commands a container runs most (the help, validate, run, serve) once each, so the image ships
// their V8 code caches next to the bundle (bin/code-cache.js) and a container's first start is as fast as
// its next (a `docker run --rm` never gets a next). Fails the build if a cache is missing afterwards.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = `${root}bin/pcsim.js`;
const bundleDir = `${root}dist/bundle`;

const oneShots = [
  ['--help'],
  ['validate', `${root}fixtures/partners/minimal.json`],
  // One journey against the built-in reference partner, no waits between retries.
  ['run', '--journeys', 'P100', '--retry-backoff-ms', '0'],
];
for (const args of oneShots) {
  const once = spawnSync(process.execPath, [bin, ...args], { stdio: 'ignore' });
  if (once.status !== 0) throw new Error(`Failed to warm the code cache: pcsim ${args[0]} exited ${once.status}.`);
}

// serve saves its cache 1 s after start (bin/pcsim.js): stop it 2 s after it says it serves.
const serve = spawn(process.execPath, [bin, 'serve', '--memory', '--port', '0'], {
  stdio: ['ignore', 'ignore', 'pipe'],
});
await new Promise((resolve, reject) => {
  // A serve that never says it serves must not hang the image's build.
  const stuck = setTimeout(() => serve.kill('SIGKILL'), 30_000);
  serve.on('exit', () => clearTimeout(stuck));
  let err = '';
  serve.stderr.on('data', (d) => {
    err += d;
    if (err.includes('serving on')) setTimeout(() => serve.kill('SIGTERM'), 2000);
  });
  serve.on('exit', () =>
    err.includes('serving on') ? resolve() : reject(new Error(`pcsim serve did not start: ${err}`)),
  );
});

const caches = readdirSync(bundleDir).filter((f) => f.endsWith('.v8cache'));
for (const kind of ['help', 'validate', 'run', 'serve'])
  if (!caches.some((f) => f.startsWith(`pcsim-${kind}-`)))
    throw new Error(
      `Failed to warm the code cache: no ${kind} cache in ${bundleDir} (found: ${caches.join(', ') || 'none'}).`,
    );
console.log(`code caches: ${caches.join(', ')}`);
