import { describe, expect, it } from '@jest/globals';
import type { LoadReport } from '../runner.js';
import { formatThreshold, judgeThresholds, parseThreshold, type Threshold } from '../thresholds.js';

const step = (s: string, p99: number) => ({
  journey: 'P100',
  step: s,
  kind: 'connect',
  count: 10,
  mean_ms: 1,
  p50_ms: 1,
  p95_ms: p99 / 2,
  p99_ms: p99,
  max_ms: p99 * 2,
});
const report = {
  steps: [step('connect u1', 12.5), step('sign in u1', 40)],
  throughput: { copies_per_s: 50, calls_per_s: 100, connect_per_s: 100 },
  copies: { completed: 500, passed: 498, failed: 2 },
  errors: [
    { reason: '404 connection_not_found', count: 3 },
    { reason: '500 general_error', count: 1 },
  ],
  violations: [
    { rule: 'connect.response.enum', severity: 'error', count: 2 },
    { rule: 'connect.recommended', severity: 'warning', count: 9 },
  ],
} as unknown as LoadReport;

const parsed = (spec: string): Threshold => {
  const t = parseThreshold(spec);
  if ('error' in t) throw new Error(t.error);
  return t;
};

describe('load thresholds', () => {
  it('reads comparisons, spaces allowed, and refuses anything else naming the value and the metrics', () => {
    expect(parsed(' p99 <= 500 ')).toEqual({ spec: 'p99<=500', metric: 'p99', op: '<=', value: 500 });
    expect(parsed('connect_per_s>12.5')).toMatchObject({ metric: 'connect_per_s', op: '>', value: 12.5 });
    expect(parseThreshold('p99=5')).toEqual({
      error: expect.stringMatching(/^Failed to read --threshold "p99=5": it is not a comparison\. Expected .*p99<500/),
    });
    expect(parseThreshold('p98<5')).toEqual({ error: expect.stringContaining('"p98" is not a metric') });
    expect(parseThreshold('p99<-1')).toHaveProperty('error');
  });

  it('judges latency on the slowest step and the rest on the run; warnings are not violations', () => {
    const results = judgeThresholds(
      report,
      ['p99<50', 'p99<20', 'max<=80', 'connect_per_s>=100', 'failed<=0', 'errors<5', 'violations<=2'].map(parsed),
    );
    expect(results.map((r) => [r.spec, r.actual, r.ok])).toEqual([
      ['p99<50', 40, true],
      ['p99<20', 40, false],
      ['max<=80', 80, true],
      ['connect_per_s>=100', 100, true],
      ['failed<=0', 2, false],
      ['errors<5', 4, true],
      ['violations<=2', 2, true],
    ]);
    expect(results[1]!.step).toBe('P100 sign in u1');
    expect(formatThreshold(results[1]!)).toBe('FAILED  p99<20: 40 ms (slowest step: P100 sign in u1)');
    expect(formatThreshold(results[3]!)).toBe('ok      connect_per_s>=100: 100 Connect/s');
  });
});
