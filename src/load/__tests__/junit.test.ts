import { describe, expect, it } from '@jest/globals';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { loadJunit } from '../junit.js';
import type { LoadReport } from '../runner.js';

const step = (journey: string, s: string, count: number) => ({
  journey,
  step: s,
  kind: 'connect',
  count,
  mean_ms: 1,
  p50_ms: 1,
  p95_ms: 2,
  p99_ms: 3,
  max_ms: 4,
});
const report: LoadReport = {
  tool: 'pcsim',
  kind: 'load',
  version: 'test',
  partner: { name: 'Acme <ETL> & co', base_url: 'http://127.0.0.1:1' },
  started_at: '2026-12-01T00:00:00.000Z',
  duration_ms: 2000,
  warmup_ms: 0,
  warmup_copies: 0,
  concurrency: 4,
  journeys: ['P100', 'P402'],
  not_run: [{ id: 'P900', reason: 'skipped: category is BI, not INGEST (category)' }],
  copies: { completed: 30, passed: 27, failed: 3 },
  throughput: { copies_per_s: 15, calls_per_s: 30, connect_per_s: 20 },
  calls: 60,
  steps: [step('P100', 'connect u1 in a new workspace', 15), step('P402', 'connect u1', 15)],
  errors: [],
  failures: [{ reason: 'P402 step "connect u1": [connect.response.enum]', count: 3 }],
  violations: [{ rule: 'connect.response.enum', severity: 'error', count: 3 }],
  thresholds: [
    {
      spec: 'p99<500',
      metric: 'p99',
      op: '<',
      value: 500,
      actual: 3,
      step: 'P100 connect u1 in a new workspace',
      ok: true,
    },
    { spec: 'failed<=0', metric: 'failed', op: '<=', value: 0, actual: 3, ok: false },
  ],
};

describe('load as JUnit XML', () => {
  it('has a testcase per journey, per threshold and per journey not run, each failing or skipped as the report says', () => {
    const xml = loadJunit(report);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@_',
      isArray: (n) => n === 'testcase',
    }).parse(xml);
    const suite = doc.testsuites.testsuite;
    expect(suite['@_name']).toBe('pcsim load: Acme <ETL> & co');
    expect({ tests: suite['@_tests'], failures: suite['@_failures'], skipped: suite['@_skipped'] }).toEqual({
      tests: '5',
      failures: '2',
      skipped: '1',
    });
    const cases = suite.testcase as Array<
      Record<string, unknown> & { failure?: Record<string, string>; skipped?: Record<string, string> }
    >;
    expect(cases.map((c) => [c['@_name'], c.failure ? 'failed' : c.skipped ? 'skipped' : 'passed'])).toEqual([
      ['P100 under load', 'passed'],
      ['P402 under load', 'failed'],
      ['threshold p99<500', 'passed'],
      ['threshold failed<=0', 'failed'],
      ['P900 under load', 'skipped'],
    ]);
    expect(cases[1]!.failure!['@_message']).toBe('3 copies of P402 failed (of about 15)');
    expect(cases[1]!.failure!['#text']).toContain('3 × P402 step "connect u1": [connect.response.enum]');
    expect(cases[3]!.failure!['@_message']).toBe('does not hold: failed<=0: 3 failed copies');
  });
});
