#!/usr/bin/env node
// The layer rule of docs/DESIGN.md, checked: data flows one way, contract → partner-client
// → databricks → store → journeys → workspace / scenarios / load → server → cli. A module of
// src/ imports (statically, dynamically or for types) only from its own layer or layers before
// it, and no two modules import each other, directly or round a longer cycle. Prints each
// breach as "file: imports X (layer) which comes after its own layer (layer)"; exit 1 if any.
// Run by `npm run lint:layers` and by test/conformance/layers.test.ts (inside npm test).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Layer of each top-level part of src/, in order; modules not listed are an error (place them). */
export const LAYERS = [
  ['contract', 'http', 'version.ts'],
  ['partner-client'],
  ['databricks'],
  ['store'],
  ['journeys'],
  ['workspace', 'scenarios', 'load', 'reference-partner'],
  ['server'],
  ['cli', 'cli.ts'],
];

/**
 * Known breaches left to their owners, each a type-only import with its reason. A new breach
 * fails; so does an entry here that no longer happens (remove it then).
 */
const ALLOWED = {
  'src/databricks/model.ts -> src/workspace/types.ts':
    "type-only: State embeds the workspace API's state (tokens, OAuth, activity); moving those shapes before databricks is for src/workspace's owners",
};

/** Known type-only cycles left to their owners, with the reason; a listed cycle that is gone fails too. */
const ALLOWED_CYCLES = {
  'src/workspace/rest/context.ts ~ src/workspace/statements.ts':
    "type-only both ways (CallContext/RestHandler vs StatementCache); untangling it is for src/workspace's owners",
};

const layerOf = (src, file) => {
  const top = relative(src, file).split(/[\\/]/)[0];
  const i = LAYERS.findIndex((parts) => parts.includes(top));
  return { top, index: i };
};

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== '__tests__') walk(p, out);
    } else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

// import … from '…', export … from '…', import('…'), import '…'
const SPEC = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

/** The breaches of the tree under `root` (its src/), as messages; none: []. */
export function checkLayers(root = ROOT) {
  const src = join(root, 'src');
  const files = walk(src);
  const problems = [];
  const graph = new Map();
  const used = new Set();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const from = layerOf(src, file);
    if (from.index < 0)
      problems.push(
        `${relative(root, file)}: ${from.top} is in no layer. Expected a place in scripts/check-layers.mjs LAYERS.`,
      );
    const deps = [];
    for (const m of text.matchAll(SPEC)) {
      const target = resolve(dirname(file), m[1]).replace(/\.js$/, '.ts');
      if (!target.startsWith(src)) continue;
      deps.push(target);
      const to = layerOf(src, target);
      const edge = `${relative(root, file)} -> ${relative(root, target)}`;
      if (to.index > from.index && edge in ALLOWED) used.add(edge);
      else if (to.index > from.index) {
        problems.push(
          `${relative(root, file)}: imports ${relative(root, target)} (${to.top}), which comes after its own layer (${from.top}). Expected imports from ${LAYERS.slice(
            0,
            from.index + 1,
          )
            .flat()
            .join(', ')} only.`,
        );
      }
    }
    graph.set(file, deps);
  }
  for (const edge of Object.keys(ALLOWED))
    if (!used.has(edge))
      problems.push(
        `${edge}: listed in ALLOWED but no longer imported. Expected the entry removed from scripts/check-layers.mjs.`,
      );
  const seen = new Set();
  for (const c of cycles(graph)) {
    const key = [...new Set(c.map((f) => relative(root, f)))].sort().join(' ~ ');
    if (key in ALLOWED_CYCLES) seen.add(key);
    else
      problems.push(
        `${c.map((f) => relative(root, f)).join(' → ')}: a cycle. Expected modules that do not import each other.`,
      );
  }
  if (root === ROOT)
    for (const key of Object.keys(ALLOWED_CYCLES))
      if (!seen.has(key))
        problems.push(
          `${key}: listed in ALLOWED_CYCLES but no longer a cycle. Expected the entry removed from scripts/check-layers.mjs.`,
        );
  return problems;
}

/** Each import cycle once, as the path round it (Tarjan's strongly connected components). */
function cycles(graph) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const out = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push([...scc.reverse(), scc[0]]);
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problems = checkLayers();
  for (const p of problems) console.error(p);
  if (problems.length) {
    console.error(`check-layers: ${problems.length} problem(s).`);
    process.exit(1);
  }
  console.log('check-layers: every import follows the layers, no cycles.');
}
