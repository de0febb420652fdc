/**
 * The shapes of load thresholds, apart from their judging (thresholds.ts), so the load report
 * (runner.ts) can carry results without the two modules importing each other.
 */
/** Latency metrics apply to every step (the slowest step decides); the others to the run. */
export const THRESHOLD_METRICS = [
  'p50',
  'p95',
  'p99',
  'max',
  'connect_per_s',
  'copies_per_s',
  'calls_per_s',
  'failed',
  'errors',
  'violations',
] as const;
export type ThresholdMetric = (typeof THRESHOLD_METRICS)[number];
export const OPS = ['<', '<=', '>', '>='] as const;
export type Op = (typeof OPS)[number];

export interface Threshold {
  spec: string;
  metric: ThresholdMetric;
  op: Op;
  value: number;
}

export interface ThresholdResult extends Threshold {
  /** The measured value the threshold was judged on. */
  actual: number;
  /** For latency metrics: the step that gave `actual` (the slowest). */
  step?: string;
  ok: boolean;
}
