/**
 * The scenario format is documented from its schema: docs/scenario.schema.json is the generated
 * JSON Schema (stale → run `npm run schemas`), and docs/SCENARIOS.md names every action, expect
 * field, condition, requirement and built-in variable the schema accepts.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ACTION_NAMES,
  ACTIONS,
  BUILTIN_VARIABLES,
  Expect,
  REQUIREMENTS,
  scenarioSchemaDocument,
  When,
} from '../../src/scenarios/schema.js';

const read = (p: string) => readFileSync(fileURLToPath(new URL(`../../${p}`, import.meta.url)), 'utf8');

describe('scenario docs', () => {
  it('docs/scenario.schema.json is the schema generated from src/scenarios/schema.ts', () => {
    const committed = JSON.parse(read('docs/scenario.schema.json')) as unknown;
    expect({ stale_hint: 'run npm run schemas', schema: committed }).toEqual({
      stale_hint: 'run npm run schemas',
      schema: scenarioSchemaDocument(),
    });
  });

  it('docs/SCENARIOS.md names every field the schema accepts', () => {
    const doc = read('docs/SCENARIOS.md');
    const args = ACTION_NAMES.flatMap((a) =>
      Object.keys((ACTIONS[a] as unknown as { shape: Record<string, unknown> }).shape),
    );
    const names = [
      ...ACTION_NAMES,
      ...new Set(args),
      ...Object.keys(Expect.shape),
      ...Object.keys(When.shape),
      ...REQUIREMENTS,
      ...BUILTIN_VARIABLES,
    ];
    const missing = names.filter((n) => !doc.includes(`\`${n}\``));
    expect(missing).toEqual([]);
  });
});
