import { readFileSync } from 'node:fs';
import { parseSnapshot } from './dist/store/snapshot.js';
import { migrate } from './dist/store/migrate.js';
let t = performance.now();
const buf = readFileSync(process.argv[2]); console.log('read', (performance.now() - t) | 0);
t = performance.now(); const text = buf.toString('utf8'); console.log('decode', (performance.now() - t) | 0);
t = performance.now(); const at = text.lastIndexOf(',\n"journal":['); const h = JSON.parse(text.slice(0, at) + '}'); console.log('head', (performance.now() - t) | 0);
t = performance.now(); const raw = parseSnapshot(text); console.log('parseSnapshot', (performance.now() - t) | 0);
t = performance.now(); migrate(raw); console.log('migrate', (performance.now() - t) | 0);
