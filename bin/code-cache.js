// Loads a CommonJS bundle with V8's code cache: the bytecode of the functions a previous run compiled
// is read back instead of parsing and compiling the 3 MB source again (Node 22's module compile cache
// does this for every module; Node 20 has only vm.Script's cachedData). The cache is a speed-up, never
// a requirement: any failure to read or write it leaves a normal compile.
'use strict';
const { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { tmpdir } = require('node:os');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

/** Where caches go: next to the bundle when it is writable (a checkout), else the temp dir (an image run as any user). */
function cacheDirs(bundleDir) {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return [bundleDir, join(tmpdir(), `pcsim-v8cache-${uid}`)];
}

/**
 * Runs `file`, a CommonJS module written as its own wrapper function (`(function (exports, require, module,
 * __filename, __dirname) {…})`), and returns its exports. `kind` names the cache (commands that
 * compile different code keep different ones); a missing or rejected cache is written once the run
 * has compiled what it uses: `saveAfterMs` after start (a server), else at exit.
 */
function loadCached(file, { kind, saveAfterMs }) {
  // The bundle is ASCII (scripts/bundle.mjs): read as latin1 it becomes a one-byte string without UTF-8 decoding.
  const source = readFileSync(file, 'latin1');
  const { size, mtimeMs } = statSync(file);
  // V8 checks a cache against the source's length, not its text: the name carries the build's size and time.
  const build = `${size}-${Math.round(mtimeMs)}`;
  // V8 rejects a cache made under other flags (--cpu-prof, --inspect…): those runs keep their own, so a
  // profiling run does not replace the everyday cache with one every later run would reject.
  // The bundle's path is in the name too: two installs (two builds) sharing the temp dir keep their own
  // caches instead of each deleting the other's at every save.
  const prefix = `pcsim-${kind}-${fnv(file)}-`;
  const name = `${prefix}${build}-${flagsKey()}.v8cache`;
  let cached;
  for (const dir of cacheDirs(dirname(file))) {
    try {
      cached = readFileSync(join(dir, name));
      break;
    } catch {
      // not there: try the next place, or compile without
    }
  }
  // The bundle is already wrapped as Node wraps a CommonJS module, and has no import() left (scripts/bundle.mjs):
  // nothing needs a dynamic-import host here.
  const script = new vm.Script(source, { filename: file, cachedData: cached });
  const module = { exports: {}, id: file, filename: file, loaded: false };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  module.loaded = true;

  if (!cached || script.cachedDataRejected) {
    const save = () => saveCache(script, dirname(file), name, prefix, build);
    if (saveAfterMs === undefined) process.once('exit', save);
    else setTimeout(save, saveAfterMs).unref();
  }
  return module.exports;
}

/** The Node version and the options this process runs under, as a key. */
function flagsKey() {
  return fnv([process.version, ...process.execArgv, process.env.NODE_OPTIONS ?? ''].join('\0'));
}

/** FNV-1a of `text`, in hex: a short key, not a secret. */
function fnv(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16);
}

function saveCache(script, bundleDir, name, prefix, build) {
  let data;
  try {
    data = script.createCachedData();
  } catch {
    return;
  }
  for (const dir of cacheDirs(bundleDir)) {
    try {
      mkdirSync(dir, { recursive: true });
      // Written aside and renamed: processes starting at once read a whole cache or none.
      const tmp = join(dir, `${name}.${process.pid}.tmp`);
      writeFileSync(tmp, data);
      renameSync(tmp, join(dir, name));
      // Caches of earlier builds of this bundle and kind are dead weight.
      for (const old of readdirSync(dir))
        if (old.startsWith(prefix) && old.endsWith('.v8cache') && !old.startsWith(`${prefix}${build}-`))
          rmSync(join(dir, old), { force: true });
      return;
    } catch {
      // not writable: try the next place
    }
  }
}

module.exports = { loadCached };
