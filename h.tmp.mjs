import { readFileSync } from 'node:fs';
const text = readFileSync(process.argv[2], 'utf8');
const lines = text.split('\n');
const groups = {}; let cur = null;
for (const l of lines) { const m = /^,?"?(\w+)":\[$/.exec(l) || /^"(\w+)":\[$/.exec(l); if (l.endsWith('":[')) { cur = l.replace(/^,?"/, '').replace('":[', ''); groups[cur] = []; continue; } if (l.startsWith(']')) { cur = null; continue; } if (cur) groups[cur].push(l.replace(/,$/, '')); }
for (const [k, ls] of Object.entries(groups)) {
  global.gc(); const before = process.memoryUsage().heapUsed;
  const objs = ls.map((l) => JSON.parse(l));
  global.gc(); const after = process.memoryUsage().heapUsed;
  console.log(k, ls.length, 'bytes/rec', Math.round(ls.reduce((a, l) => a + l.length, 0) / Math.max(1, ls.length)), 'heap MB', ((after - before) / 1048576).toFixed(0), 'heap B/rec', Math.round((after - before) / Math.max(1, ls.length)));
  globalThis['keep_' + k] = objs;
}
