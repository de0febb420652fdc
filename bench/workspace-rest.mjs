#!/usr/bin/env node
// Benchmark: the workspace REST APIs official clients call, on a workspace with many users and
// tables. Sequential requests over loopback (one client, keep-alive), p50/p95 per call.
// Run: npm run build && node bench/workspace-rest.mjs [users=1000] [tables=1000] [requests=200]
import express from 'express';
import { createServer } from 'node:http';
import { PartnerConfig } from '../dist/contract/partner-config.js';
import { Databricks } from '../dist/databricks/databricks.js';
import { provision } from '../dist/databricks/provisioning.js';
import { sealResources } from '../dist/databricks/secrets.js';
import { MemoryStore } from '../dist/store/memory.js';
import { createWorkspaceRouter } from '../dist/workspace/router.js';

const [users, tables, requests] = [1000, 1000, 200].map((d, i) => Number(process.argv[2 + i] ?? d));
const store = new MemoryStore();
const dbx = new Databricks({ store, clientFor: () => ({}) });
const ws = await dbx.createWorkspace({ name: 'Bench' });
for (let i = 0; i < users; i++)
  await dbx.addUser(ws.id, { email: `user${i}@bench.example`, first_name: 'User', last_name: String(i) });
const config = PartnerConfig.parse({
  api_version: '2.1.1',
  name: 'Bench Partner',
  description_blurb: 'bench',
  category: 'INGEST',
  base_url: 'http://127.0.0.1:9',
  endpoints: { connect_path: '/connect' },
  resources_to_provision: [{ resource_type: 'SqlEndpoint' }],
  supported_clouds: ['aws'],
  hostnames: ['127.0.0.1'],
  new_user_action: 'auto_add',
  auth_options: ['AUTH_PAT'],
});
const partner = await dbx.registerPartner(config, 'bench');
const res = provision({ workspace: ws, partnerId: partner.id, config, now: new Date() });
const pat = res.pat;
await store.update((s) => {
  s.resources.push(sealResources(res));
  s.sql_tables = Array.from({ length: tables }, (_, i) => ({
    workspace_id: ws.id,
    name: `main.bench.t${String(i).padStart(5, '0')}`,
    columns: [
      { name: 'id', type: 'BIGINT' },
      { name: 'v', type: 'STRING' },
    ],
    created_at: new Date().toISOString(),
  }));
});
const app = express();
app.use(createWorkspaceRouter({ store }));
const server = createServer(app);
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;
const headers = { authorization: `Bearer ${pat}` };

async function measure(label, path) {
  const ms = [];
  for (let i = 0; i < requests + 20; i++) {
    const t0 = performance.now();
    const r = await fetch(`${base}${path}`, { headers });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`${label}: status ${r.status}`);
    if (i >= 20) ms.push(performance.now() - t0); // 20 warm-up requests
  }
  ms.sort((a, b) => a - b);
  const p = (q) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))].toFixed(2);
  console.log(`${label.padEnd(44)} p50 ${p(0.5)} ms  p95 ${p(0.95)} ms`);
}

console.log(`workspace with ${users} users and ${tables} tables, ${requests} sequential requests per call`);
await measure('SCIM Me', '/api/2.0/preview/scim/v2/Me');
await measure(
  'SCIM Users filter userName eq',
  `/api/2.0/preview/scim/v2/Users?filter=${encodeURIComponent(`userName eq "user${users - 1}@bench.example"`)}`,
);
await measure('SCIM Users page (count=100)', '/api/2.0/preview/scim/v2/Users?startIndex=101&count=100');
await measure(
  'UC tables list (max_results=100)',
  '/api/2.1/unity-catalog/tables?catalog_name=main&schema_name=bench&max_results=100',
);
await measure('UC table get', `/api/2.1/unity-catalog/tables/main.bench.t${String(tables - 1).padStart(5, '0')}`);
await measure('UC schemas list', '/api/2.1/unity-catalog/schemas?catalog_name=main');
await measure('token list', '/api/2.0/token/list');
await measure('SCIM Me (again, warm)', '/api/2.0/preview/scim/v2/Me');
server.close();
server.closeAllConnections();
