/**
 * The reference partner is the opponent: compliant, it passes every applicable journey; told
 * to misbehave, pcsim fails exactly the journeys that fault breaks, naming the rule.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { CATALOGUE, selectJourneys } from '../../src/journeys/catalogue.js';
import { runJourneys } from '../../src/journeys/runner.js';
import { startReferencePartner } from '../../src/reference-partner/index.js';
import type { Fault, ReferencePartnerOptions } from '../../src/reference-partner/types.js';

const credentials = { user: 'databricks', password: 'pcsim-reference-secret' };
const opened: Array<() => Promise<void>> = [];
afterAll(async () => {
  await Promise.all(opened.map((close) => close()));
});

async function run(opts: ReferencePartnerOptions, extra: { journeys?: string; timeoutMs?: number } = {}) {
  const ref = await startReferencePartner(opts);
  opened.push(ref.close);
  const sel = selectJourneys(extra.journeys);
  if ('error' in sel) throw new Error(sel.error);
  return runJourneys({
    config: ref.config,
    credentials,
    journeys: sel.journeys,
    retryBackoffMs: [0, 0, 0],
    timeoutMs: extra.timeoutMs ?? 5000,
  });
}

const ids = (r: Awaited<ReturnType<typeof run>>, status: string) =>
  r.journeys.filter((j) => j.status === status).map((j) => j.id);
/** The journeys whose first step is a successful Connect: any broken Connect answer fails them all. */
const CONNECTING = CATALOGUE.filter((j) => !['AUTH', 'P200', 'P201'].includes(j.id)).map((j) => j.id); // P200/P201: manual or skipped here

describe('against the compliant reference partner', () => {
  it('passes every applicable journey and reports the rest as skipped or manual', async () => {
    const r = await run({});
    expect(ids(r, 'failed')).toEqual([]);
    expect(ids(r, 'passed')).toEqual(
      CONNECTING.concat('AUTH').sort(
        (a, b) => CATALOGUE.findIndex((j) => j.id === a) - CATALOGUE.findIndex((j) => j.id === b),
      ),
    );
    expect(r.journeys.find((j) => j.id === 'P201')).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('resources_to_provision'),
    });
    expect(r.journeys.find((j) => j.id === 'P200')).toMatchObject({ status: 'manual' });
    expect(r.summary).toEqual({ passed: 20, failed: 0, skipped: 1, manual: 1, total: 22 });
  });

  it.each(['invite', 'not_found', 'error'] as const)(
    'passes P302 for new_user_action %s and turns P301 manual',
    async (action) => {
      const r = await run({ newUserAction: action });
      expect(ids(r, 'failed')).toEqual([]);
      expect(r.journeys.find((j) => j.id === 'P301')!.status).toBe('manual');
      expect(r.journeys.find((j) => j.id === 'P302')!.status).toBe('passed');
    },
  );

  it('passes with require_manual_signup and with trial_type user', async () => {
    expect(ids(await run({ requireManualSignup: true }), 'failed')).toEqual([]);
    expect(ids(await run({ trialType: 'user' }), 'failed')).toEqual([]);
  });

  it('skips the journeys of hooks the partner does not implement, naming the config field', async () => {
    const r = await run({
      hooks: {
        delete_connection: false,
        delete_account: false,
        expire_account: false,
        test_connection: false,
        get_connectors: false,
      },
      supportsDemo: false,
    });
    expect(ids(r, 'failed')).toEqual([]);
    expect(ids(r, 'skipped').sort()).toEqual(
      ['P201', 'P401', 'P402', 'P403', 'P404', 'P405', 'P500', 'P501', 'P502', 'P700', 'P800', 'P801', 'P900'].sort(),
    );
    expect(r.journeys.find((j) => j.id === 'P402')!.reason).toContain('endpoints.delete_connection_path');
    expect(r.journeys.find((j) => j.id === 'P700')!.reason).toContain('supports_demo');
  });
});

describe('each fault fails exactly the journeys it breaks, naming the rule', () => {
  const table: Array<[Fault, string[], string]> = [
    ['error-500', CONNECTING, 'journey.status'],
    ['reset', CONNECTING, 'http.network'],
    ['malformed-json', CONNECTING, 'json.syntax'],
    ['html-body', CONNECTING, 'http.content_type'],
    ['huge-body', CONNECTING, 'http.body_too_large'],
    ['wrong-content-type', CONNECTING, 'http.content_type'],
    ['wrong-enum', CONNECTING, 'connect.response.enum'],
    ['missing-fields', CONNECTING, 'connect.response.required'],
    ['redirect-outside-allowlist', CONNECTING, 'connect.redirect_uri.host'],
    ['redirect-broken', CONNECTING, 'connect.redirect_uri.open'],
    ['no-connection-id', CONNECTING, 'connect.connection_id.required'],
    [
      'id-on-sign-in',
      ['P300', 'P301', 'P302', 'P405', 'P501', 'P502', 'P600', 'P700'],
      'connect.connection_id.on_sign_in',
    ],
    ['ignore-demo', ['P700'], 'journey.redirect_value'],
    ['accept-bad-credentials', ['AUTH'], 'journey.status'],
    ['keep-deleted-connections', ['P402', 'P801'], 'journey.status'],
    ['delete-any-domain', ['P405'], 'journey.status'],
    ['ignore-expiry', ['P500', 'P501', 'P502'], 'journey.'],
    ['bad-test-results', ['P800'], 'test_connection.response.enum'],
    ['empty-connectors', ['P900'], 'journey.connectors'],
    ['flaky-500', [], ''],
  ];

  it.each(table)('%s', async (fault, expected, rule) => {
    const r = await run({ faults: [fault] });
    expect(ids(r, 'failed').sort()).toEqual([...expected].sort());
    for (const j of r.journeys.filter((x) => x.status === 'failed')) expect(j.reason).toContain(`[${rule}`);
  });

  it('flaky-500 passes because Databricks retries a 500 three times', async () => {
    const r = await run({ faults: ['flaky-500'] }, { journeys: 'P100' });
    expect(r.journeys[0]!.status).toBe('passed');
    expect(r.journeys[0]!.steps[0]!.attempts).toBe(3);
  });

  // Seed P400: "Partner must create a new Databricks connection": the reused id is an error (was a warning).
  it('same-connection-id fails P400 naming the reused id', async () => {
    const r = await run({ faults: ['same-connection-id'] }, { journeys: 'P400' });
    expect(r.journeys[0]!.status).toBe('failed');
    expect(r.journeys[0]!.reason).toContain('[journey.connection_id.reused]');
    expect(r.journeys[0]!.steps[1]!.violations.map((v) => v.rule)).toContain('journey.connection_id.reused');
  });

  it.each(['slow', 'hang'] as const)(
    '%s: a timeout fails the journey at once (not retried) and the run finishes',
    async (fault) => {
      const r = await run({ faults: [fault], slowMs: 1500 }, { journeys: 'P100,P300', timeoutMs: 150 });
      expect(ids(r, 'failed')).toEqual(['P100', 'P300']);
      const step = r.journeys[0]!.steps[0]!;
      expect(step.attempts).toBe(1);
      expect(r.journeys[0]!.reason).toContain('[http.network]');
      expect(r.journeys[0]!.reason).toContain('timeout');
    },
  );
});

it('stops at a partner that is down, with a reason naming the address', async () => {
  const ref = await startReferencePartner({});
  const config = ref.config;
  await ref.close();
  const r = await runJourneys({ config, credentials, journeys: CATALOGUE.slice(0, 3), retryBackoffMs: [0, 0, 0] });
  expect(r.summary.failed).toBe(3);
  expect(r.journeys[1]!.reason).toContain('connection refused');
  expect(r.journeys[1]!.reason).toContain(config.base_url);
});
