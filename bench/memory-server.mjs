#!/usr/bin/env node
// `pcsim serve --memory` on a grown state, for bench/scale.mjs: the state file is read and put in
// the memory store, then "loaded" is printed on stderr. Usage: memory-server.mjs STATE PARTNER --port N
import { startServer } from '../dist/server/start.js';
import { readSnapshot } from '../dist/store/snapshot-read.js';

const [stateFile, partnerFile, , port] = process.argv.slice(2);
let state = (await readSnapshot(stateFile)).value;
const s = await startServer({
  port: Number(port),
  dataDir: null,
  partners: [partnerFile],
  credentials: { user: process.env.BASIC_USER, password: process.env.BASIC_PASSWORD },
  patToken: process.env.PAT_TOKEN,
  log: () => undefined,
});
await s.store.update((live) => {
  for (const k of ['workspaces', 'users', 'connections', 'resources', 'journal']) live[k] = [...live[k], ...state[k]];
});
state = undefined; // the store holds the records now: the parsed copy may go
process.stderr.write('loaded\n');
process.once('SIGTERM', () => void s.close().then(() => process.exit(0)));
