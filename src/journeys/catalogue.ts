/**
 * The certification catalogue (JOURNEYS.md, the onboarding test cases): one scenario file per
 * journey in fixtures/catalogue/, run by the scenario engine like any partner's own scenario.
 * The files are the one definition — steps, expectations, and which partner.json fields make a
 * journey run, skip or manual — so a partner reads exactly what is certified and can copy a
 * journey to make its own. Ids never change: they appear as-is in every report, the UI and the CLI.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JOURNEY_IDS } from './catalogue-ids.js';
import type { Journey } from './journey.js';
import { formatProblem, parseScenario } from './scenario/load.js';
import { scenarioJourney } from './scenario/runner.js';

export { applicability, type Applicability, type Journey, type Skip } from './journey.js';

/** fixtures/catalogue, from src/journeys (tests) and dist/journeys (the package) alike. */
export const CATALOGUE_DIR = fileURLToPath(new URL('../../fixtures/catalogue/', import.meta.url));

/** Reads every journey file; a broken file is pcsim's own bug, so it fails loudly naming file:line. */
export function loadCatalogue(dir = CATALOGUE_DIR): Journey[] {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
  } catch (err) {
    throw new Error(
      `Failed to read the journey catalogue in ${dir}: ${(err as Error).message}. Expected the directory pcsim ships with its scenario files.`,
    );
  }
  return files.map((f) => {
    const file = join(dir, f);
    const parsed = parseScenario(readFileSync(file, 'utf8'), file);
    if (!parsed.ok)
      throw new Error(`Failed to load the journey catalogue: ${parsed.problems.map(formatProblem).join('; ')}`);
    if (`${parsed.scenario.name}.yaml` !== f)
      throw new Error(
        `Failed to load the journey catalogue: ${file} names journey "${parsed.scenario.name}". Expected the file to be named after its journey (${parsed.scenario.name}.yaml): the CLI lists ids from file names.`,
      );
    return { ...scenarioJourney(parsed.scenario), file, catalogue: true };
  });
}

export const CATALOGUE: Journey[] = loadCatalogue();

export { JOURNEY_IDS };

/** Resolves `--journeys P100,P300|all`; unknown ids are an error naming them. */
export function selectJourneys(spec: string | undefined): { journeys: Journey[] } | { error: string } {
  if (!spec || spec.trim() === 'all') return { journeys: CATALOGUE };
  const ids = spec
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
  const unknown = ids.filter((id) => !JOURNEY_IDS.includes(id));
  if (unknown.length)
    return {
      error: `Failed to read --journeys: unknown journey ${unknown.join(', ')}. Expected "all" or a comma-separated list of ${JOURNEY_IDS.join(', ')}.`,
    };
  return { journeys: CATALOGUE.filter((j) => ids.includes(j.id)) };
}
