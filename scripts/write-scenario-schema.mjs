#!/usr/bin/env node
// Writes docs/scenario.schema.json from the zod schema (src/journeys/scenario/schema.ts), the single
// source of truth. test/scenarios/docs.test.ts fails when the committed file is stale.
// Run: npm run schemas
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scenarioSchemaDocument } from '../dist/scenarios/schema.js';

const out = fileURLToPath(new URL('../docs/scenario.schema.json', import.meta.url));
writeFileSync(out, `${JSON.stringify(scenarioSchemaDocument(), null, 2)}\n`);
console.log(`wrote ${out}`);
