/** Small formatting helpers shared by the reporters. Pure: value in, string out. */
import { stringifyJson } from '../../contract/json.js';
import type { JourneyReport, StepReport } from '../types.js';
import type { Violation } from '../../contract/diagnostics.js';

/** `42 ms` below a second, `1.23 s` above: what a person scans in a progress line. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '? ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/**
 * A body as a person reads it: strings verbatim (a non-JSON answer is kept as text upstream),
 * anything else as pretty JSON with bigint ids written exactly.
 */
export function prettyBody(body: unknown): string {
  if (typeof body === 'string') return body;
  try {
    return stringifyJson(body, 2);
  } catch {
    // A value with no JSON form (a function, a cycle) should not break a report.
    return String(body);
  }
}

/** `POST https://… → 200` or `→ no response (reason)`: the one-line story of a step. */
export function stepSummary(step: StepReport): string {
  const outcome = step.response
    ? `${step.response.status}`
    : step.error
      ? `no response (${step.error})`
      : 'no response';
  return `${step.request.method} ${step.request.url} → ${outcome}`;
}

export function violationLine(v: Violation): string {
  const tag = v.severity === 'warning' ? 'warning ' : '';
  return `${tag}[${v.rule}] ${v.field}: ${v.message}`;
}

/** `field: expected … · received …`, for a violation that names both (aligned by the caller). */
export function diffLine(v: Violation): string | undefined {
  if (v.expected === undefined || v.received === undefined) return undefined;
  return `${v.field}: expected ${v.expected} · received ${v.received}`;
}

/** Steps worth showing under a failure: those with violations or without an answer. */
export function failingSteps(j: JourneyReport): StepReport[] {
  return j.steps.filter((s) => s.violations.length > 0 || (!s.response && s.error !== undefined));
}

export function warningCount(j: JourneyReport): number {
  return j.steps.reduce((n, s) => n + s.violations.filter((v) => v.severity === 'warning').length, 0);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
