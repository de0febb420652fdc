/**
 * Every reference the sources and docs make resolves: "CONTRACT §N" (and "§N rule K") to a
 * section (and numbered rule) of docs/CONTRACT.md, every docs/… path and NAME.md to a file, and
 * every relative Markdown link to a file (and heading anchor) of the repository.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function walk(dir: string, keep: (f: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' ? [] : walk(p, keep);
    return keep(p) ? [p] : [];
  });
}

const sources = [
  ...walk(join(root, 'src'), (f) => f.endsWith('.ts')),
  ...walk(join(root, 'public'), (f) => /\.(js|html)$/.test(f)),
  ...walk(join(root, 'docs'), (f) => /\.(md|yml|yaml)$/.test(f)),
  ...walk(join(root, 'scripts'), (f) => /\.(mjs|sh)$/.test(f)),
  join(root, 'README.md'),
  join(root, 'Dockerfile'),
].filter((f) => existsSync(f));

const contract = readFileSync(join(root, 'docs/CONTRACT.md'), 'utf8');
const sections = new Map<number, string>();
for (const m of contract.matchAll(/^## (\d+)\. .*\n([\s\S]*?)(?=^## |(?![\s\S]))/gm)) sections.set(Number(m[1]), m[2]!);

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
const anchor = (heading: string) => heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');

interface Ref { file: string; line: number; text: string; problem?: string }

function refsIn(file: string, text = readFileSync(file, 'utf8')): Ref[] {
  const out: Ref[] = [];
  const rel = relative(root, file);
  const lineOf = (i: number) => text.slice(0, i).split('\n').length;
  for (const m of text.matchAll(/CONTRACT ((?:§\d+(?:[–-]\d+)?(?: rule \d+)?(?:, |\/)?)+)/g)) {
    for (const t of m[1]!.matchAll(/§(\d+)(?:[–-](\d+))?(?: rule (\d+))?/g)) {
      const from = Number(t[1]);
      const to = t[2] ? Number(t[2]) : from;
      let problem: string | undefined;
      for (let n = from; n <= to; n++) if (!sections.has(n)) problem = `docs/CONTRACT.md has no section ${n}`;
      if (t[3] && !new RegExp(`^${t[3]}\\. `, 'm').test(sections.get(from) ?? '')) problem = `section ${from} of docs/CONTRACT.md has no rule ${t[3]}`;
      out.push({ file: rel, line: lineOf(m.index!), text: `CONTRACT ${t[0]}`, problem });
    }
  }
  for (const m of text.matchAll(/(?<![\w/.-])docs\/[\w./-]*\w/g)) {
    out.push({ file: rel, line: lineOf(m.index!), text: m[0], problem: existsSync(join(root, m[0])) ? undefined : 'no such file' });
  }
  for (const m of text.matchAll(/(?<![\w/.-])([A-Z][A-Z_]+\.md)\b/g)) {
    const found = [join(root, m[1]!), join(root, 'docs', m[1]!), join(dirname(file), m[1]!)].some((p) => existsSync(p));
    out.push({ file: rel, line: lineOf(m.index!), text: m[1]!, problem: found ? undefined : 'no such file at the top, in docs/ or next to it' });
  }
  if (file.endsWith('.md')) {
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const [target, hash] = m[1]!.split('#') as [string, string | undefined];
      if (/^[a-z]+:/.test(target)) continue;
      const path = target === '' ? file : join(dirname(file), target);
      let problem = existsSync(path) ? undefined : 'no such file';
      if (!problem && hash && path.endsWith('.md')) {
        const headings = [...readFileSync(path, 'utf8').matchAll(/^#+ (.*)$/gm)].map((h) => anchor(h[1]!));
        if (!headings.includes(hash)) problem = `no heading #${hash} in ${relative(root, path)}`;
      }
      out.push({ file: rel, line: lineOf(m.index!), text: m[1]!, problem });
    }
  }
  return out;
}

const refs = sources.flatMap((f) => refsIn(f));

describe('references in sources and docs', () => {
  it('docs/CONTRACT.md has the sections 1 to 8 that pcsim cites, and rules 1–3 of §3', () => {
    expect([...sections.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const k of [1, 2, 3]) expect(sections.get(3)).toMatch(new RegExp(`^${k}\\. `, 'm'));
  });

  it('finds the citations it checks (the scan is not empty)', () => {
    expect(refs.filter((r) => r.text.startsWith('CONTRACT §')).length).toBeGreaterThan(20);
    expect(refs.some((r) => r.text === 'CONTRACT §3 rule 2')).toBe(true);
    expect(refs.some((r) => r.text.startsWith('docs/'))).toBe(true);
  });

  it('every citation, docs/ path, NAME.md and relative link resolves', () => {
    expect(refs.filter((r) => r.problem).map((r) => `${r.file}:${r.line}: ${r.text}: ${r.problem}`)).toEqual([]);
  });

  it('a broken citation, path, name or anchor would be caught', () => {
    const fake = 'CONTRACT §9, CONTRACT §3 rule 4, CONTRACT §1/§5, docs/NOPE.md, MISSING.md, [x](CONTRACT.md#no-such-heading)';
    expect(refsIn(join(root, 'docs/fake.md'), fake).filter((r) => r.problem).map((r) => r.text)).toEqual(['CONTRACT §9', 'CONTRACT §3 rule 4', 'docs/NOPE.md', 'MISSING.md', 'CONTRACT.md#no-such-heading']);
  });
});
