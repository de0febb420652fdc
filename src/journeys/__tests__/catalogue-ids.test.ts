import { describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CATALOGUE, CATALOGUE_DIR, loadCatalogue } from '../catalogue.js';
import { JOURNEY_IDS } from '../catalogue-ids.js';

describe('the journey ids the CLI lists without parsing the catalogue', () => {
  it('are exactly the loaded journeys, in the same order', () => {
    expect(JOURNEY_IDS).toEqual(CATALOGUE.map((j) => j.id));
    expect(JOURNEY_IDS).toContain('P100');
  });

  it('stay true: a file not named after its journey is refused, naming both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pcsim-catalogue-'));
    cpSync(CATALOGUE_DIR, dir, { recursive: true });
    writeFileSync(join(dir, 'P999.yaml'), readFileSync(join(dir, 'P100.yaml')));
    expect(() => loadCatalogue(dir)).toThrow(
      /P999\.yaml names journey "P100".*Expected the file to be named after its journey \(P100\.yaml\)/,
    );
  });
});
