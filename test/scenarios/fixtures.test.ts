/**
 * The worked examples of fixtures/scenarios pass against the compliant reference partner, and
 * the catalogue journeys written as scenarios (fixtures/scenarios/journeys) give the same
 * verdicts as the catalogue's own code: clean, and under the faults that break them.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectJourneys } from '../../src/journeys/catalogue.js';
import { runJourneys } from '../../src/journeys/runner.js';
import type { JourneyReport } from '../../src/journeys/types.js';
import { startReferencePartner } from '../../src/reference-partner/index.js';
import type { ReferencePartnerOptions } from '../../src/reference-partner/types.js';
import { formatProblem, loadScenarioFile } from '../../src/scenarios/load.js';
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

/** What a verdict is, without timings, random ids or names. */
const verdict = (j: JourneyReport) => ({
  status: j.status,
  rule: j.reason?.match(/\[([\w.]+)\]/)?.[1],
  warnings: j.steps.flatMap((s) => s.violations.filter((v) => v.severity === 'warning').map((v) => v.rule)),
  steps: j.steps.map((s) => ({ status: s.response?.status, errors: s.violations.filter((v) => v.severity === 'error').map((v) => v.rule).sort() })),
});

const examples = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

describe('fixtures/scenarios', () => {
  it('has the worked examples', () => expect(examples.length).toBeGreaterThanOrEqual(4));

  it.each(examples)('%s passes against the reference partner', async (file) => {
    const s = await load(join(dir, file));
    const config = await partner({});
    const r = await runJourneys({ config, credentials, journeys: [scenarioJourney(s)], retryBackoffMs: [0, 0, 0], timeoutMs: 5000 });
    expect({ reason: r.journeys[0]!.reason, status: r.journeys[0]!.status }).toEqual({ reason: undefined, status: 'passed' });
    expect(r.journeys[0]!.id).toBe(s.name);
  });

  it('a demo-ignoring partner fails the bug-report scenario at the re-create step', async () => {
    const s = await load(join(dir, 'demo-recreate-bug.yaml'));
    const r = await runJourneys({ config: await partner({ faults: ['ignore-demo'] }), credentials, journeys: [scenarioJourney(s)], retryBackoffMs: [0, 0, 0] });
    expect(r.journeys[0]).toMatchObject({ status: 'failed', reason: expect.stringContaining('B re-creates with demo on') });
  });
});

describe('catalogue journeys as scenarios give the catalogue verdicts', () => {
  const ids = ['P100', 'P300', 'P400', 'P402'];
  const cases: Array<[string, ReferencePartnerOptions]> = [
    ['compliant', {}],
    ['id-on-sign-in', { faults: ['id-on-sign-in'] }],
    ['same-connection-id', { faults: ['same-connection-id'] }],
    ['wrong-enum', { faults: ['wrong-enum'] }],
    ['keep-deleted-connections', { faults: ['keep-deleted-connections'] }],
    ['error-500', { faults: ['error-500'] }],
    ['manual signup', { requireManualSignup: true }],
    ['no delete-connection hook', { hooks: { delete_connection: false } }],
  ];
  it.each(cases)('%s', async (_label, opts) => {
    const config = await partner(opts);
    const sel = selectJourneys(ids.join(','));
    if ('error' in sel) throw new Error(sel.error);
    const scenarios = await Promise.all(ids.map((id) => load(join(dir, 'journeys', `${id}.yaml`))));
    const run = (journeys: typeof sel.journeys) => runJourneys({ config, credentials, journeys, retryBackoffMs: [0, 0, 0], timeoutMs: 5000 });
    const catalogue = await run(sel.journeys);
    const scripted = await run(scenarios.map(scenarioJourney));
    expect(scripted.journeys.map((j) => [j.id, verdict(j)])).toEqual(catalogue.journeys.map((j) => [j.id, verdict(j)]));
    expect(scripted.summary).toEqual(catalogue.summary);
    // the faults do bite: otherwise "same verdicts" would prove nothing
    const bitten = catalogue.journeys.some((j) => j.status !== 'passed' || verdict(j).warnings.length > 0);
    expect(bitten).toBe(!['compliant', 'manual signup'].includes(_label));
  });
});
