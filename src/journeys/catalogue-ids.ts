/**
 * The catalogue's journey ids, read from the file names alone (P100.yaml → P100): `pcsim --help`
 * and the CLI's option texts need them, and must not pay for parsing every journey file.
 * catalogue.ts checks, when it loads the files, that each is named after its journey.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../fixtures/catalogue/', import.meta.url));

export const JOURNEY_IDS: readonly string[] = (() => {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => f.slice(0, -'.yaml'.length));
  } catch {
    return []; // catalogue.ts reports the missing directory when the journeys are loaded
  }
})();
