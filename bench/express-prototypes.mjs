#!/usr/bin/env node
// What Express's per-request prototype switch costs the garbage collector, and what requests made
// with the app's prototypes from the start save (src/http/app-classes.ts, decision 0018).
// A plain express 5 app with 60 routes answers N sequential keep-alive POSTs, each answered on the
// next turn of the event loop (as pcsim answers after a write), in three servers:
//   node:      Node's own request classes (what express meets without pcsim's);
//   app:       the classes of appClasses(app): express's setPrototypeOf is then a no-op;
//   router:    the router alone, no app (no switch, no express request methods).
// For each: scavenges, their mean and max pause, and the bytes they promoted to the old generation.
// Each server runs in its own process, so one's heap does not shape another's.
// Run: npm run build && node bench/express-prototypes.mjs [requests=20000]
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const requests = Number(process.argv[2] ?? 20000);
const kind = process.argv[3];

if (!kind) {
  for (const k of ['node', 'app', 'router']) {
    const r = spawnSync(process.execPath, ['--trace-gc-nvp', fileURLToPath(import.meta.url), String(requests), k], {
      encoding: 'utf8',
      maxBuffer: 256 << 20,
    });
    const scavenges = [...r.stdout.matchAll(/pause=([\d.]+).* gc=s .* promoted=(\d+)/g)].map((m) => ({
      pause: Number(m[1]),
      promoted: Number(m[2]),
    }));
    const done = /done (\d+)/.exec(r.stdout)?.[1];
    const pauses = scavenges.map((s) => s.pause);
    const promoted = scavenges.reduce((a, s) => a + s.promoted, 0);
    console.log(
      `${k.padEnd(6)} ${requests} requests in ${done} ms: ${scavenges.length} scavenges, mean ${(pauses.reduce((a, b) => a + b, 0) / pauses.length).toFixed(1)} ms, max ${Math.max(...pauses).toFixed(1)} ms; promoted ${(promoted / 1048576).toFixed(1)} MB (${(promoted / requests / 1024).toFixed(1)} KB a request)`,
    );
  }
} else {
  const { default: express } = await import('express');
  const { appClasses } = await import('../dist/http/app-classes.js');
  const routes = express.Router();
  routes.use(express.text({ type: () => true }));
  // Answered with Node's own methods, which every variant has (the router alone has no res.json).
  const json = (res, body) => res.setHeader('content-type', 'application/json').end(JSON.stringify(body));
  for (let i = 0; i < 60; i++) routes.post(`/api/things${i}/:id`, (_req, res) => json(res, { i }));
  routes.post('/api/target/:id', (req, res) =>
    setImmediate(() => json(res, { id: req.params.id, length: req.body.length })),
  );
  const app = express();
  app.use(routes);
  const server =
    kind === 'router'
      ? http.createServer((req, res) => routes(req, res, () => res.writeHead(404).end()))
      : http.createServer(kind === 'app' ? appClasses(app).options : {}, app);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const body = JSON.stringify({ user_id: '1234567890123', name: 'x'.repeat(200) });
  const t0 = performance.now();
  for (let i = 0; i < requests; i++) {
    await new Promise((resolve, reject) => {
      const req = http.request(
        { agent, host: '127.0.0.1', port: server.address().port, method: 'POST', path: '/api/target/42' },
        (res) => res.resume().on('end', resolve),
      );
      req.on('error', reject);
      req.end(body);
    });
  }
  console.log(`done ${(performance.now() - t0).toFixed(0)}`);
  process.exit(0);
}
