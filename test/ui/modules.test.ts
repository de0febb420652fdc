/**
 * The front end as a small typed codebase: every module of public/js is `// @ts-check`ed (tsc
 * runs them through tsconfig.public.json in `npm run typecheck`), none assigns innerHTML or
 * outerHTML (strict CSP, partner text shown literally), none passes ~400 lines, and the imports
 * form no circle (views import state.js, never app.js).
 */
import { describe, expect, it } from '@jest/globals';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

const ROOT = path.join(process.cwd(), 'public/js');

async function modules(): Promise<Map<string, string>> {
  const files = (await readdir(ROOT, { recursive: true })).filter((f) => f.endsWith('.js'));
  return new Map(
    await Promise.all(
      files.map(
        async (f) => [f.split(path.sep).join('/'), await readFile(path.join(ROOT, f), 'utf8')] as [string, string],
      ),
    ),
  );
}

const importsOf = (file: string, text: string) =>
  [...text.matchAll(/^import\s[^'"]*['"](\.[^'"]+)['"]/gm)].map((m) =>
    path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]!)),
  );

describe('public/js', () => {
  it('is type-checked, builds no HTML from strings, and keeps modules small', async () => {
    const all = await modules();
    expect(all.size).toBeGreaterThan(8);
    for (const [file, text] of all) {
      expect({ file, checked: text.startsWith('// @ts-check') }).toEqual({ file, checked: true });
      expect({ file, html: /\.(inner|outer)HTML\s*=|insertAdjacentHTML|document\.write/.test(text) }).toEqual({
        file,
        html: false,
      });
      expect({ file, lines: text.split('\n').length <= 420 }).toEqual({ file, lines: true });
    }
  });

  it('has no import circle, and no view imports app.js', async () => {
    const all = await modules();
    const graph = new Map([...all].map(([f, t]) => [f, importsOf(f, t)]));
    for (const [file, deps] of graph) {
      for (const d of deps) expect({ file, import: d, exists: all.has(d) }).toEqual({ file, import: d, exists: true });
      if (file !== 'app.js') expect({ file, importsApp: deps.includes('app.js') }).toEqual({ file, importsApp: false });
    }
    const seen = new Set<string>();
    const stack: string[] = [];
    const visit = (f: string) => {
      if (stack.includes(f)) throw new Error(`import circle: ${[...stack.slice(stack.indexOf(f)), f].join(' → ')}`);
      if (seen.has(f)) return;
      stack.push(f);
      for (const d of graph.get(f) ?? []) visit(d);
      stack.pop();
      seen.add(f);
    };
    for (const f of graph.keys()) visit(f);
    expect(seen.size).toBe(all.size);
  });
});
