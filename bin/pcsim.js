#!/usr/bin/env node
// The installed entry point: runs the compiled CLI, bundled into one file (npm install builds it
// through `prepare`) and compiled with V8's code cache, which takes start-up from ~600 to ~400 ms
// (docs/decisions/0017-one-bundle-and-a-code-cache.md). This folder is CommonJS (bin/package.json):
// Node loads a CommonJS entry without starting its ES module loader, ~20 ms sooner.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '../dist/bundle/pcsim.cjs');
if (!existsSync(bundle)) {
  process.stderr.write(
    'pcsim: the compiled CLI is missing (dist/bundle/pcsim.cjs). Run `npm install` or `npm run build` in the pcsim checkout.\n',
  );
  process.exit(2);
}
const args = process.argv.slice(2);
const command = args[0] ?? '';
const { loadCached } = require('./code-cache.js');
// The top-level help and version need the CLI's definitions, not the 3 MB bundle: a 58 KB one of their own.
const helpOnly = ['', '--help', '-h', 'help', '--version', '-V'].includes(command);
const { main } = helpOnly
  ? loadCached(join(__dirname, '../dist/bundle/pcsim-help.cjs'), { kind: 'help' })
  : // Each command compiles different code: its own cache, saved at exit, or a second after start by the
    // servers (serve, partner), which run until stopped.
    loadCached(bundle, {
      kind: /^[a-z]+$/.test(command) ? command : 'cli',
      saveAfterMs: command === 'serve' || command === 'partner' ? 1000 : undefined,
    });
main(args).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // main reports its own errors; one that escapes is a bug, shown whole as Node would show it.
    process.exitCode = 1;
    throw err;
  },
);
