// npm run build: tsc emits TypeScript only; the generated Thrift code (CommonJS, committed under
// src/workspace/thrift/gen, see scripts/thrift/generate.sh) is copied next to the compiled modules.
const { cpSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
cpSync(path.join(root, 'src/workspace/thrift/gen'), path.join(root, 'dist/workspace/thrift/gen'), {
  recursive: true,
  filter: (f) => !f.endsWith('.d.cts'),
});
