import { openLowdbStore } from './dist/store/lowdb.js';
const t = performance.now();
const s = await openLowdbStore(process.argv[2]);
console.log('open ms', (performance.now() - t) | 0);
process.exit(0);
