import { openLowdbStore } from './dist/store/lowdb.js';
const t = performance.now();
const s = await openLowdbStore(process.argv[2]);
console.log('open ms', (performance.now() - t) | 0);
global.gc?.(); console.log('rss', process.memoryUsage().rss >> 20, 'heap', process.memoryUsage().heapUsed >> 20);
