// Injected into dist/bundle/pcsim.cjs (scripts/bundle.mjs): every module's import.meta.url is the bundle's own URL.
// The bundle sits at the same depth as dist/<layer>/, so '../../public' and '../../fixtures' resolve as before.
// This text runs inside the CommonJS bundle, where require and __filename exist.
/* eslint-disable no-undef, @typescript-eslint/no-require-imports */
export const import_meta_url = require('node:url').pathToFileURL(__filename).href;
