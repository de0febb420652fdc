/**
 * The worked examples of fixtures/scenarios pass against the compliant reference partner, and
 * the catalogue is the scenario files of fixtures/catalogue, run by the same engine.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATALOGUE, selectJourneys } from '../../src/journeys/catalogue.js';
import { runJourneys } from '../../src/journeys/runner.js';
import type { JourneyReport } from '../../src/journeys/types.js';
import { startReferencePartner } from '../../src/reference-partner/index.js';
import type { ReferencePartnerOptions } from '../../src/reference-partner/types.js';
import { formatProblem, loadScenarioFile, parseScenario } from '../../src/scenarios/load.js';
import { scenarioJourney } from '../../src/scenarios/runner.js';
import type { Scenario } from '../../src/scenarios/schema.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = join(root, 'fixtures/scenarios');
const credentials = { user: 'databricks', password: 'pcsim-reference-secret' };
const closers: Array<() => Promise<void>> = [];
afterAll(async () => void (await Promise.all(closers.map((c) => c()))));

async function load(file: string): Promise<Scenario> {
  const r = await loadScenarioFile(file);
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
  return r.scenario;
}

async function partner(opts: ReferencePartnerOptions) {
  const ref = await startReferencePartner(opts);
  closers.push(ref.close);
  return ref.config;
}

/** Step names with the per-run domains folded out. */
const named = (s: string) => s.replace(/[a-z0-9-]+\.(databricks-test\.com|pcsim-customer\.example)/g, '<domain>');

/** What a verdict is, without timings or random ids. */
const verdict = (j: JourneyReport) => ({
  status: j.status,
  names: j.steps.map((s) => named(s.name)),
  rule: j.reason?.match(/\[([\w.]+)\]/)?.[1],
  warnings: j.steps.flatMap((s) => s.violations.filter((v) => v.severity === 'warning').map((v) => v.rule)),
  steps: j.steps.map((s) => ({
    status: s.response?.status,
    errors: s.violations
      .filter((v) => v.severity === 'error')
      .map((v) => v.rule)
      .sort(),
  })),
});

const examples = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

describe('fixtures/scenarios', () => {
  it('has the worked examples', () => expect(examples.length).toBeGreaterThanOrEqual(4));

  it.each(examples)('%s passes against the reference partner', async (file) => {
    const s = await load(join(dir, file));
    const config = await partner({});
    const r = await runJourneys({
      config,
      credentials,
      journeys: [scenarioJourney(s)],
      retryBackoffMs: [0, 0, 0],
      timeoutMs: 5000,
    });
    expect({ reason: r.journeys[0]!.reason, status: r.journeys[0]!.status }).toEqual({
      reason: undefined,
      status: 'passed',
    });
    expect(r.journeys[0]!.id).toBe(s.name);
  });

  it('a demo-ignoring partner fails the bug-report scenario at the re-create step', async () => {
    const s = await load(join(dir, 'demo-recreate-bug.yaml'));
    const r = await runJourneys({
      config: await partner({ faults: ['ignore-demo'] }),
      credentials,
      journeys: [scenarioJourney(s)],
      retryBackoffMs: [0, 0, 0],
    });
    expect(r.journeys[0]).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('B re-creates with demo on'),
    });
  });
});

describe('the catalogue is the scenario files', () => {
  // fixtures/catalogue is the one definition of the certification journeys (issue 15).
  const files = readdirSync(join(root, 'fixtures/catalogue'))
    .filter((f) => f.endsWith('.yaml'))
    .sort();

  it('has one file per journey, AUTH and P100–P900 with P200/P201', () => {
    expect(CATALOGUE.map((j) => `${j.id}.yaml`)).toEqual(files);
    expect(CATALOGUE.map((j) => j.id)).toEqual(
      expect.arrayContaining(['AUTH', 'P100', 'P200', 'P201', 'P502', 'P700', 'P900']),
    );
  });

  it('a copied journey file runs as a scenario with the same verdict', async () => {
    const config = await partner({});
    const copy = await load(join(root, 'fixtures/catalogue/P300.yaml'));
    const sel = selectJourneys('P300');
    if ('error' in sel) throw new Error(sel.error);
    const run = (journeys: typeof sel.journeys) =>
      runJourneys({ config, credentials, journeys, retryBackoffMs: [0, 0, 0], timeoutMs: 5000 });
    const [a, b] = [await run(sel.journeys), await run([scenarioJourney({ ...copy, name: 'MY-P300' })])];
    expect(verdict(b.journeys[0]!)).toEqual(verdict(a.journeys[0]!));
  });

  it('the compliant reference partner passes every journey that applies', async () => {
    const r = await runJourneys({ config: await partner({}), credentials, retryBackoffMs: [0, 0, 0], timeoutMs: 5000 });
    expect(r.journeys.filter((j) => j.status === 'failed').map((j) => [j.id, j.reason])).toEqual([]);
    expect(r.journeys.filter((j) => j.status === 'manual').map((j) => j.id)).toEqual(['P200']);
  });
});

describe('a step skipped by its when', () => {
  it('leaves the variable it saves undefined, and the step using it says which step skipped it', async () => {
    const parsed = parseScenario(
      [
        'name: saved-under-when',
        'workspaces: [{ name: w }]',
        'users: [{ name: u, email: "u@${domain}", member_of: [w] }]',
        'steps:',
        '  - connect: { workspace: w, user: u }',
        '    when: { trial_type: account }',
        '    save: { conn: $connection_id }',
        '  - test_connection: { workspace: w, connection_id: "${conn}" }',
      ].join('\n') + '\n',
      'saved-under-when.yaml',
    );
    if (!parsed.ok) throw new Error(parsed.problems.map(formatProblem).join('\n'));
    const config = await partner({ trialType: 'user' });
    const r = await runJourneys({
      config,
      credentials,
      journeys: [scenarioJourney(parsed.scenario)],
      retryBackoffMs: [0, 0, 0],
      timeoutMs: 5000,
    });
    expect(r.journeys[0]).toMatchObject({ status: 'failed', steps: [] });
    expect(r.journeys[0]!.reason).toMatch(
      /step 2: Failed to fill \$\{conn\}: step 1, which saves it, was skipped by its `when` for this partner config\. Expected step 2 to carry the same `when`/,
    );
  });
});

describe('a delete that reaches no partner', () => {
  it('fails a step that expects an answer from it, saying why, instead of passing unjudged', async () => {
    const parsed = parseScenario(
      'name: silent-delete\nworkspaces: [{ name: w }]\nusers: [{ name: u, email: "u@${domain}", member_of: [w] }]\nsteps:\n  - connect: { workspace: w, user: u }\n  - delete_connection: { workspace: w }\n    expect: { status: 200 }\n',
      'silent-delete.yaml',
    );
    if (!parsed.ok) throw new Error(parsed.problems.map(formatProblem).join('\n'));
    const config = await partner({ hooks: { delete_connection: false } });
    const r = await runJourneys({
      config,
      credentials,
      journeys: [scenarioJourney(parsed.scenario)],
      retryBackoffMs: [0, 0, 0],
      timeoutMs: 5000,
    });
    expect(r.journeys[0]).toMatchObject({ status: 'failed' });
    expect(r.journeys[0]!.reason).toContain(
      'step 2 (delete the connection in w (Databricks, then partner)): Failed to judge the step: the partner has no endpoints.delete_connection_path',
    );
    // With the hook, the same file passes.
    const withHook = await runJourneys({
      config: await partner({}),
      credentials,
      journeys: [scenarioJourney(parsed.scenario)],
      retryBackoffMs: [0, 0, 0],
      timeoutMs: 5000,
    });
    expect(withHook.journeys[0]).toMatchObject({ status: 'passed' });
  });
});
