/**
 * Verdicts that agree with Databricks (issue 15): each case runs against the conformance
 * partner (written in the test, behaving like Databricks' sample partner) or one of its mutants,
 * through the catalogue as pcsim run runs it.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import type { PartnerConfig } from '../../src/contract/partner-config.js';
import { selectJourneys } from '../../src/journeys/catalogue.js';
import { runJourneys } from '../../src/journeys/runner.js';
import type { JourneyReport } from '../../src/journeys/types.js';
import { CONFORMANCE_CREDENTIALS, startConformancePartner, type PartnerSettings } from '../conformance/partner.js';

const closers: Array<() => Promise<void>> = [];
afterAll(async () => void (await Promise.all(closers.map((c) => c()))));

async function judge(
  ids: string,
  settings: PartnerSettings = {},
  strict = false,
): Promise<Record<string, JourneyReport>> {
  const partner = await startConformancePartner(settings);
  closers.push(partner.close);
  const sel = selectJourneys(ids);
  if ('error' in sel) throw new Error(sel.error);
  const r = await runJourneys({
    config: partner.config as PartnerConfig,
    credentials: CONFORMANCE_CREDENTIALS,
    journeys: sel.journeys,
    retryBackoffMs: [0, 0, 0],
    timeoutMs: 5000,
    strict,
    rerunBase: 'pcsim run --partner partner.json',
  });
  return Object.fromEntries(r.journeys.map((j) => [j.id, j]));
}

const warnings = (j: JourneyReport) =>
  j.steps.flatMap((s) => s.violations.filter((v) => v.severity === 'warning').map((v) => v.rule));

describe('verdicts that agree with Databricks', () => {
  it('P700: the sign-in after a demo connect is an ordinary sign-in (DemoFlowTests)', async () => {
    const r = await judge('P700');
    expect({ status: r.P700!.status, reason: r.P700!.reason }).toEqual({ status: 'passed', reason: undefined });
    expect(r.P700!.steps.map((s) => s.name)).toEqual([
      'demo: connect u1',
      'demo: sign in u1',
      'demo: connect u2',
      'demo: sign in u2',
    ]);
  });

  it('P700: a partner ignoring demo on a new connection still fails', async () => {
    const r = await judge('P700', { mutant: 'demo-ignored' });
    expect(r.P700).toMatchObject({ status: 'failed', reason: expect.stringContaining('demo: connect u2') });
  });

  it('P400: the old connection_id on the re-create is an error (seed: "must create a new connection")', async () => {
    const r = await judge('P400', { mutant: 'reuse-id-on-recreate' });
    expect(r.P400).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('[journey.connection_id.reused]'),
    });
    // The report says how to re-run just this journey, and what was expected and received.
    expect(r.P400!.rerun).toBe('pcsim run --partner partner.json --journeys P400');
    const v = r.P400!.steps.at(-1)!.violations.find((x) => x.rule === 'journey.connection_id.reused')!;
    expect(v.expected).toMatch(/^not "/);
    expect(v.received).toBe(v.expected!.slice(4));
    expect((await judge('P400')).P400!.status).toBe('passed');
  });

  it.each([
    ['not_found', { new_user_action: 'not_found' as const }, 'new_user_action is not_found'],
    ['error', { new_user_action: 'error' as const }, 'new_user_action is error'],
    ['require_manual_signup', { require_manual_signup: true }, 'require_manual_signup is true'],
  ])('P502 with %s: only a person can judge the expired trial, so it is manual', async (_label, settings, why) => {
    const r = await judge('P502', settings);
    expect(r.P502).toMatchObject({ status: 'manual', steps: [] });
    expect(r.P502!.reason).toContain(why);
  });

  it.each([
    ['account', 'expired'],
    ['user', 'active'],
  ] as const)('P502 under trial_type %s judges account_status %s', async (trial_type, status) => {
    const r = await judge('P502', { trial_type });
    expect(r.P502!.status).toBe('passed');
    expect((r.P502!.steps.at(-1)!.response!.body as Record<string, unknown>).account_status).toBe(status);
  });

  it("P300: the creator's sign-in is held to the API specification's meaning, as warnings", async () => {
    const r = await judge('P300', { mutant: 'creator-status-new' });
    expect(r.P300!.status).toBe('passed');
    expect(warnings(r.P300!)).toEqual(['journey.recommended.user_status']);
    expect(warnings((await judge('P300')).P300!)).toEqual([]);
  });

  it('P404: both orders run, and each must answer 404 connection_not_found', async () => {
    const clean = await judge('P404');
    expect(clean.P404!.status).toBe('passed');
    expect(clean.P404!.steps.filter((s) => s.response?.status === 404).length).toBe(2);
    const bad = await judge('P404', { mutant: 'account-first' });
    expect(bad.P404).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('sign in after the connection and the account were deleted'),
    });
  });

  it('P404 without delete-connection runs the suite order only', async () => {
    const r = await judge('P404', { hooks: { delete_connection: false } });
    expect(r.P404!.status).toBe('passed');
    expect(r.P404!.steps.length).toBe(3);
  });

  it("P101 / P600: a second workspace's connection reusing the first one's connection_id is a warning", async () => {
    const r = await judge('P101,P600', { mutant: 'reuse-id-across-workspaces' });
    expect([r.P101!.status, r.P600!.status]).toEqual(['passed', 'passed']);
    expect(warnings(r.P101!)).toContain('journey.connection_id.shared');
    expect(warnings(r.P600!)).toContain('journey.connection_id.shared');
  });

  it('--strict: a warning fails its journey, naming the rule; errors-only journeys are unchanged', async () => {
    const r = await judge('P300,P100', { mutant: 'creator-status-new' }, true);
    expect(r.P300).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(
        /^strict: 1 warning\(s\) fail the journey; step "sign in u1 again": \[journey\.recommended\.user_status\]/,
      ),
    });
    expect(r.P100!.status).toBe('passed');
  });
});
