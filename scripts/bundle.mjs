// npm run build, after tsc: the CLI and everything it imports, dependencies included (DuckDB's native
// addon excepted), as one CommonJS file, dist/bundle/pcsim.cjs, which bin/pcsim.js compiles with V8's
// code cache. Module loading was most of start-up: ~190 ES modules and express's CommonJS tree read,
// parsed and linked one by one (docs/decisions/0017-one-bundle-and-a-code-cache.md).
// A second, small file, dist/bundle/pcsim-help.cjs, holds only what the top-level help and version need.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Packages whose own load does work no first answer needs, required by others at their load: mime-types
 * builds its tables from mime-db (~10 ms of a start here; express, type-is, accepts and send require it,
 * and only a type looked up by extension uses them), qs pulls in side-channel and get-intrinsic (express
 * requires it for the 'extended' query parser, body-parser for urlencoded bodies). In the bundle each is
 * a stand-in with the same export names whose getters load the package on first use. Only the copy
 * installed at the top is replaced, so a package that needs another version keeps its own.
 */
const LAZY = ['mime-types', 'qs'];
const lazyPackages = {
  name: 'lazy-packages',
  setup(b) {
    const filter = new RegExp(`^(${LAZY.join('|')})$`);
    b.onResolve({ filter }, async (a) => {
      if (a.pluginData?.real) return undefined;
      const real = await b.resolve(a.path, { resolveDir: a.resolveDir, kind: a.kind, pluginData: { real: true } });
      if (real.errors.length || !real.path.startsWith(`${root}node_modules/${a.path}/`)) return real;
      return { path: real.path, namespace: 'lazy' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (a) => {
      const names = Object.keys(createRequire(a.path)(a.path));
      const getters = names.map(
        (n) => `${JSON.stringify(n)}: { enumerable: true, get: () => load()[${JSON.stringify(n)}] }`,
      );
      return {
        contents: `let real;\nconst load = () => (real ??= require(${JSON.stringify(a.path)}));\nObject.defineProperties(exports, {${getters.join(', ')}});\n`,
        loader: 'js',
        resolveDir: root,
      };
    });
  },
};
const common = {
  absWorkingDir: root,
  entryPoints: ['dist/cli.js'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Smaller source to read and hash at each start; names kept (errors and classes are named in messages).
  minify: true,
  keepNames: true,
  // One-byte strings: a source with any non-ASCII character is held as two bytes a character, and
  // bin/code-cache.js reads it as latin1. The licences of the bundled packages go to <file>.LEGAL.txt.
  charset: 'ascii',
  legalComments: 'external',
  external: ['@duckdb/*'],
  // import() of a bundled module becomes a call into the bundle; of DuckDB's addon, a require: a script
  // compiled from a code cache has no dynamic-import host of its own (Node 20).
  supported: { 'dynamic-import': false },
  inject: ['scripts/bundle-shim.mjs'],
  define: { 'import.meta.url': 'import_meta_url' },
  // The file is the module's function itself, as Node wraps CommonJS: bin/code-cache.js compiles it
  // without making a second 3 MB string (the wrapped copy) next to the one it read.
  banner: { js: '(function (exports, require, module, __filename, __dirname) {' },
  footer: { js: '})' },
  // The generated Thrift code repeats case labels (harmless); real problems are errors.
  logLevel: 'error',
};

await build({ ...common, outfile: 'dist/bundle/pcsim.cjs', plugins: [lazyPackages] });
// The help: the CLI's definitions without what its commands import when they run (left out; bin/pcsim.js
// gives this file only the top-level help and version, which run no command). 58 KB instead of 3.3 MB.
await build({
  ...common,
  outfile: 'dist/bundle/pcsim-help.cjs',
  plugins: [
    {
      name: 'commands-left-out',
      setup: (b) =>
        b.onResolve({ filter: /.*/ }, (a) =>
          a.kind === 'dynamic-import' ? { path: a.path, external: true } : undefined,
        ),
    },
  ],
});

for (const file of ['dist/bundle/pcsim.cjs', 'dist/bundle/pcsim-help.cjs']) {
  const at = readFileSync(`${root}${file}`).findIndex((b) => b > 0x7f);
  if (at >= 0)
    throw new Error(
      `Failed to bundle: ${file} has a non-ASCII byte at offset ${at}. Expected ASCII only (bin/code-cache.js reads it as latin1).`,
    );
}
