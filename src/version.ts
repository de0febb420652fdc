/** The package version, read once from package.json (works from src/ under jest and from dist/). */
import { readFileSync } from 'node:fs';

/** The npm package (scoped: nothing ever resolves a bare `pcsim` from the public registry). */
export const PACKAGE_NAME = '@pcsim/cli';

function readVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if ((pkg.name === PACKAGE_NAME || pkg.name === 'pcsim') && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0';
}

export const VERSION = readVersion();
