/**
 * bin/code-cache.js: the bundled CLI is compiled with V8's code cache. A cache is written once the run
 * has compiled what it uses, read back by the next run, named after the build (size and time) so a
 * rebuilt bundle never meets an old cache, and never needed: a missing, foreign or corrupt cache
 * leaves a normal compile.
 */
import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const LOADER = pathToFileURL(path.join(process.cwd(), 'bin/code-cache.js')).href;
/**
 * Loads `file` in a new process, as bin/pcsim.js does (the cache written at exit), and returns its
 * exports. Each load is its own process: V8 keeps compiled sources for the life of one, and would
 * not even look at a cache for a source it compiled before.
 */
function loadCached(file: string, nodeOptions: string[] = []): Record<string, unknown> {
  const script = `import { loadCached } from ${JSON.stringify(LOADER)};
process.stdout.write(JSON.stringify(loadCached(${JSON.stringify(file)}, { kind: 't' })));`;
  return JSON.parse(
    execFileSync(process.execPath, [...nodeOptions, '--input-type=module', '-e', script], { encoding: 'utf8' }),
  );
}

/** A module written as its own CommonJS wrapper, as scripts/bundle.mjs writes the bundle. */
const SOURCE = `(function (exports, require, module, __filename, __dirname) {
'use strict';
const path = require('node:path');
function add(a, b) { return a + b; }
module.exports = { sum: [1, 2, 3].reduce(add, 0), dir: path.basename(__dirname), file: __filename };
})`;

const caches = async (dir: string) => (await readdir(dir)).filter((f) => f.endsWith('.v8cache')).sort();

/** Runs `fn` in a new temporary directory, removed afterwards whatever happens. */
async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pcsim-cc-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('bin/code-cache.js', () => {
  test('runs the file as CommonJS, writes its cache, reads it back; a rebuild gets a new one', () =>
    inTempDir(async (dir) => {
      const file = path.join(dir, 'bundle.cjs');
      await writeFile(file, SOURCE);
      const first = loadCached(file);
      expect(first).toEqual({ sum: 6, dir: path.basename(dir), file });
      const [cache] = await caches(dir);
      expect(cache).toMatch(/^pcsim-t-[0-9a-f]+-\d+-\d+-[0-9a-f]+\.v8cache$/);
      expect((await readFile(path.join(dir, cache!))).length).toBeGreaterThan(0);

      // Read back: the same answers, and the very same cache file (only a missing or rejected cache is
      // written, by a rename that would give it a new inode).
      const { ino } = await stat(path.join(dir, cache!));
      expect(loadCached(file)).toEqual(first);
      expect(await caches(dir)).toEqual([cache]);
      expect((await stat(path.join(dir, cache!))).ino).toBe(ino);

      // A run under other V8 flags (as a profiling run) keeps its own cache beside the everyday one.
      expect(loadCached(file, ['--stack-size=900'])).toEqual(first);
      const both = await caches(dir);
      expect(both).toHaveLength(2);
      expect(both).toContain(cache);
      expect((await stat(path.join(dir, cache!))).ino).toBe(ino);

      // A rebuild (new time) names a new cache and drops the old one.
      await writeFile(file, SOURCE.replace('[1, 2, 3]', '[1, 2, 4]'));
      await utimes(file, new Date(), new Date(Date.now() + 5000));
      expect(loadCached(file).sum).toBe(7);
      const after = await caches(dir);
      expect(after).toHaveLength(1); // both caches of the old build are gone
      expect(both).not.toContain(after[0]);
    }));

  test('two bundles caching in one directory keep their own caches (two installs sharing the temp dir)', () =>
    inTempDir(async (dir) => {
      const a = path.join(dir, 'a.cjs');
      const b = path.join(dir, 'b.cjs');
      await writeFile(a, SOURCE);
      await writeFile(b, SOURCE.replace('[1, 2, 3]', '[1, 2, 3, 4]')); // another build: another size
      expect(loadCached(a).sum).toBe(6);
      const [cacheA] = await caches(dir);
      const { ino } = await stat(path.join(dir, cacheA!));
      expect(loadCached(b).sum).toBe(10);
      expect(loadCached(a).sum).toBe(6);
      // b's save did not take a's cache for an old build of its own, and a read its cache back.
      const both = await caches(dir);
      expect(both).toHaveLength(2);
      expect(both).toContain(cacheA);
      expect((await stat(path.join(dir, cacheA!))).ino).toBe(ino);
    }));

  test('a corrupt cache is rejected, the file still runs, and the cache is written again', () =>
    inTempDir(async (dir) => {
      const file = path.join(dir, 'bundle.cjs');
      await writeFile(file, SOURCE);
      loadCached(file);
      const [cache] = await caches(dir);
      const garbage = Buffer.alloc(64, 7);
      await writeFile(path.join(dir, cache!), garbage);
      expect(loadCached(file).sum).toBe(6);
      expect((await readFile(path.join(dir, cache!))).equals(garbage)).toBe(false);
    }));
});
