import { afterAll, describe, expect, it } from '@jest/globals';
import { selectJourneys } from '../../journeys/catalogue.js';
import { startReferencePartner } from '../../reference-partner/index.js';
import { parseScenario } from '../../scenarios/load.js';
import { scenarioJourney } from '../../scenarios/runner.js';
import { runLoad } from '../runner.js';
import { percentile, summarize, Tally } from '../stats.js';

const credentials = { user: 'databricks', password: 'pcsim-reference-secret' };
const closers: Array<() => Promise<void>> = [];
afterAll(async () => void (await Promise.all(closers.map((c) => c()))));

describe('stats', () => {
  it('nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(xs, 50), percentile(xs, 95), percentile(xs, 99), percentile(xs, 100)]).toEqual([
      50, 95, 99, 100,
    ]);
    expect(summarize([3, 1, 2])).toMatchObject({ count: 3, p50_ms: 2, max_ms: 3, mean_ms: 2 });
    expect(summarize([])).toMatchObject({ count: 0, p99_ms: 0 });
    const t = new Tally();
    t.add('b');
    t.add('a', 2);
    expect(t.entries()).toEqual([
      { label: 'a', count: 2 },
      { label: 'b', count: 1 },
    ]);
  });
});

describe('runLoad (loopback, bounded)', () => {
  const sel = selectJourneys('P100,P402');
  if ('error' in sel) throw new Error(sel.error);

  it('runs independent copies, each judged like pcsim run, and aggregates per step', async () => {
    const ref = await startReferencePartner({ coreIntegration: false });
    closers.push(ref.close);
    const r = await runLoad({
      config: ref.config,
      credentials,
      journeys: sel.journeys,
      concurrency: 4,
      // maxCopies ends the run: the duration only bounds it, so a slow machine still completes every copy.
      durationMs: 60000,
      maxCopies: 40,
    });
    expect(r.copies).toEqual({ completed: 40, passed: 40, failed: 0 });
    expect(r.journeys).toEqual(['P100', 'P402']);
    expect(r.steps.map((s) => `${s.journey}: ${s.step} x${s.count}`)).toEqual([
      'P100: connect u1 in a new workspace x20',
      'P402: connect u1 x20',
      'P402: the partner deletes the connection x20',
      'P402: sign in to the deleted connection x20',
    ]);
    expect(r.errors).toEqual([{ reason: '404 connection_not_found', count: 20 }]);
    expect(r.violations).toEqual([]);
    expect(r.calls).toBe(80);
    expect(r.throughput.connect_per_s).toBeGreaterThan(0);
  });

  it('runs warm-up copies first and does not count them', async () => {
    const ref = await startReferencePartner({ coreIntegration: false });
    closers.push(ref.close);
    const r = await runLoad({
      config: ref.config,
      credentials,
      journeys: sel.journeys.slice(0, 1),
      concurrency: 2,
      durationMs: 60000,
      warmupMs: 150,
      maxCopies: 10,
    });
    expect(r.warmup_ms).toBe(150);
    expect(r.copies).toEqual({ completed: 10, passed: 10, failed: 0 });
    expect(r.steps[0]!.count).toBe(10);
    // Every P100 copy makes one connection at the partner: the warm-up ones happened too, and are reported.
    expect(r.warmup_copies).toBeGreaterThan(0);
    expect(ref.model.connections.size).toBe(10 + r.warmup_copies);
  });

  it('counts failures and violations under a fault, and reports what did not run', async () => {
    const ref = await startReferencePartner({ faults: ['wrong-enum'], hooks: { delete_connection: false } });
    closers.push(ref.close);
    const parsed = parseScenario(
      'name: s\nworkspaces: [{name: w}]\nusers: [{name: u, email: "u@${domain}", member_of: [w]}]\nsteps:\n  - connect: {workspace: w, user: u}\n',
      's.yaml',
    );
    if (!parsed.ok) throw new Error('bad scenario');
    const r = await runLoad({
      config: ref.config,
      credentials,
      journeys: [...sel.journeys, scenarioJourney(parsed.scenario)],
      concurrency: 2,
      durationMs: 1000,
      maxCopies: 6,
    });
    expect(r.not_run).toEqual([{ id: 'P402', reason: expect.stringContaining('endpoints.delete_connection_path') }]);
    expect(r.copies).toEqual({ completed: 6, passed: 0, failed: 6 });
    expect(r.failures.map((f) => f.reason)).toEqual([
      expect.stringContaining('P100 step "#1 connect u1 in a new workspace": [connect.response.enum]'),
      expect.stringContaining('s step "#1 connect u in w"'),
    ]);
    expect(r.violations[0]).toMatchObject({ severity: 'error', count: 6 });
  });

  it('leaves to a human what the config makes manual, instead of counting empty copies as passed', async () => {
    const ref = await startReferencePartner({ newUserAction: 'invite' });
    closers.push(ref.close);
    const both = selectJourneys('P100,P301');
    if ('error' in both) throw new Error(both.error);
    const r = await runLoad({
      config: ref.config,
      credentials,
      journeys: both.journeys,
      concurrency: 2,
      durationMs: 1000,
      maxCopies: 6,
    });
    expect(r.not_run).toEqual([
      { id: 'P301', reason: expect.stringMatching(/^manual: new_user_action is invite: .*Sign up u2/) },
    ]);
    expect(r.journeys).toEqual(['P100']);
    expect(r.copies).toEqual({ completed: 6, passed: 6, failed: 0 });
  });

  it('reports progress during the measured phase, counting up', async () => {
    const ref = await startReferencePartner({ coreIntegration: false });
    closers.push(ref.close);
    const seen: Array<{ completed: number; elapsed_ms: number }> = [];
    const r = await runLoad({
      config: ref.config,
      credentials,
      journeys: sel.journeys.slice(0, 1),
      concurrency: 2,
      durationMs: 700,
      progressEveryMs: 150,
      onProgress: (p) => seen.push(p),
    });
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const [i, p] of seen.entries()) {
      expect(p).toMatchObject({ duration_ms: 700, failed: 0 });
      if (i > 0) expect(p.completed).toBeGreaterThanOrEqual(seen[i - 1]!.completed);
    }
    expect(seen.at(-1)!.completed).toBeLessThanOrEqual(r.copies.completed);
  });
});
