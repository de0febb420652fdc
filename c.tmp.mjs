import http from 'node:http';
import { cpSync, rmSync } from 'node:fs';
import { startServer } from './dist/server/start.js';
const dir = '/tmp/s/run10k'; rmSync(dir, { recursive: true, force: true }); cpSync(process.argv[2], dir, { recursive: true });
const agent = new http.Agent({ keepAlive: true });
function call(url, method = 'GET', body) { return new Promise((res, rej) => { const t = performance.now(); const r = http.request(url, { method, agent, headers: { 'content-type': 'application/json' } }, (x) => { let s = ''; x.setEncoding('utf8').on('data', (c) => (s += c)); x.on('end', () => res({ status: x.statusCode, text: s, ms: performance.now() - t })); }); r.on('error', rej); r.end(body === undefined ? undefined : JSON.stringify(body)); }); }
const s = await startServer({ port: 0, dataDir: dir, credentials: { user: 'databricks', password: 'bench-secret' }, retryBackoffMs: [0], log: () => {}, reference: { faults: ['no-core-integration'] } });
const sse = http.get(`${s.url}/api/events`, { headers: { accept: 'text/event-stream' } }, (res) => res.resume());
const own = [];
for (let i = 0; i < Number(process.argv[3] ?? 100); i++) {
  const ws = JSON.parse((await call(`${s.url}/api/workspaces`, 'POST', { name: `b-${i}` })).text).id;
  const user = JSON.parse((await call(`${s.url}/api/workspaces/${ws}/users`, 'POST', { email: `b${i}@bench.databricks-test.com` })).text).id;
  const r = await call(`${s.url}/api/workspaces/${ws}/partners/${s.reference.id}/connect`, 'POST', { user_id: user });
  own.push(r.ms - (s.store.read().journal.at(-1)?.duration_ms ?? 0));
}
own.sort((a, b) => a - b);
console.log('own p50', own[own.length >> 1].toFixed(1), 'p99', own[Math.floor(own.length * 0.99)].toFixed(1));
sse.destroy(); await s.close(); agent.destroy();
