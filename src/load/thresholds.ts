/**
 * Pass/fail thresholds of a load run (`pcsim load --threshold 'p99<500'`), as load tools' CI gates
 * have them. Pure: parsed once before the run, judged against the finished report.
 */
import type { LoadReport } from './runner.js';

import {
  THRESHOLD_METRICS,
  type Op,
  type Threshold,
  type ThresholdMetric,
  type ThresholdResult,
} from './threshold-types.js';

export { THRESHOLD_METRICS, type Threshold, type ThresholdMetric, type ThresholdResult };

const UNIT: Record<ThresholdMetric, string> = {
  p50: 'ms',
  p95: 'ms',
  p99: 'ms',
  max: 'ms',
  connect_per_s: 'Connect/s',
  copies_per_s: 'copies/s',
  calls_per_s: 'calls/s',
  failed: 'failed copies',
  errors: 'error answers',
  violations: 'contract violations',
};

export function parseThreshold(spec: string): Threshold | { error: string } {
  const m = /^\s*([a-z_0-9]+)\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)\s*$/.exec(spec);
  const expected = `METRIC<VALUE, METRIC<=VALUE, METRIC>VALUE or METRIC>=VALUE, METRIC one of ${THRESHOLD_METRICS.join(', ')} (e.g. p99<500 for milliseconds, connect_per_s>=100, failed<=0)`;
  if (!m)
    return {
      error: `Failed to read --threshold ${JSON.stringify(spec)}: it is not a comparison. Expected ${expected}.`,
    };
  const metric = m[1] as ThresholdMetric;
  if (!THRESHOLD_METRICS.includes(metric))
    return {
      error: `Failed to read --threshold ${JSON.stringify(spec)}: ${JSON.stringify(m[1])} is not a metric. Expected ${expected}.`,
    };
  return { spec: `${metric}${m[2]}${m[3]}`, metric, op: m[2] as Op, value: Number(m[3]) };
}

const holds = (actual: number, op: Op, value: number) =>
  op === '<' ? actual < value : op === '<=' ? actual <= value : op === '>' ? actual > value : actual >= value;
const sum = (xs: Array<{ count: number }>) => xs.reduce((a, x) => a + x.count, 0);

export function judgeThresholds(report: LoadReport, thresholds: readonly Threshold[]): ThresholdResult[] {
  return thresholds.map((t) => {
    let actual: number;
    let step: string | undefined;
    switch (t.metric) {
      case 'p50':
      case 'p95':
      case 'p99':
      case 'max': {
        const key = `${t.metric}_ms` as const;
        const worst = [...report.steps].sort((a, b) => b[key] - a[key])[0];
        actual = worst?.[key] ?? 0;
        step = worst ? `${worst.journey} ${worst.step}` : undefined;
        break;
      }
      case 'connect_per_s':
      case 'copies_per_s':
      case 'calls_per_s':
        actual = report.throughput[t.metric];
        break;
      case 'failed':
        actual = report.copies.failed;
        break;
      case 'errors':
        actual = sum(report.errors);
        break;
      case 'violations':
        actual = sum(report.violations.filter((v) => v.severity === 'error'));
        break;
    }
    return { ...t, actual, ...(step ? { step } : {}), ok: holds(actual, t.op, t.value) };
  });
}

/** "p99<500: 12.3 ms (slowest step: P100 connect u1…)". */
export function describeThreshold(r: ThresholdResult): string {
  return `${r.spec}: ${r.actual} ${UNIT[r.metric]}${r.step ? ` (slowest step: ${r.step})` : ''}`;
}

/** One console line per threshold: "ok      p99<500: 12.3 ms (…)" or "FAILED  …". */
export function formatThreshold(r: ThresholdResult): string {
  return `${r.ok ? 'ok    ' : 'FAILED'}  ${describeThreshold(r)}`;
}
