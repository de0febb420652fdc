#!/usr/bin/env node
// The installed entry point: runs the compiled CLI, bundled into one file (npm install builds it
// through `prepare`) and compiled with V8's code cache, which takes start-up from ~600 to ~400 ms
// (docs/decisions/0017-one-bundle-and-a-code-cache.md).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/bundle/pcsim.cjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write(
    'pcsim: the compiled CLI is missing (dist/bundle/pcsim.cjs). Run `npm install` or `npm run build` in the pcsim checkout.\n',
  );
  process.exit(2);
}
const args = process.argv.slice(2);
const command = args[0] ?? '';
const { loadCached } = await import('./code-cache.js');
// The top-level help and version need the CLI's definitions, not the 3 MB bundle: a 58 KB one of their own.
const helpOnly = ['', '--help', '-h', 'help', '--version', '-V'].includes(command);
const { main } = helpOnly
  ? loadCached(fileURLToPath(new URL('../dist/bundle/pcsim-help.cjs', import.meta.url)), { kind: 'help' })
  : // Each command compiles different code: its own cache, saved at exit, or a second after start by the
    // servers (serve, partner), which run until stopped.
    loadCached(bundle, {
      kind: /^[a-z]+$/.test(command) ? command : 'cli',
      saveAfterMs: command === 'serve' || command === 'partner' ? 1000 : undefined,
    });
process.exitCode = await main(args);
