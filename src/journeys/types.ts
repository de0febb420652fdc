/** The report of a run: the JSON report format of DESIGN.md, which other tools rely on. */
import type { Violation } from '../contract/diagnostics.js';
import type { Attempt, RedirectCheck } from '../partner-client/types.js';

export type JourneyStatus = 'passed' | 'failed' | 'skipped' | 'manual';

export interface StepReport {
  name: string;
  request: { method: string; url: string; headers: Record<string, string>; body?: unknown };
  response?: { status: number; headers: Record<string, string>; body?: unknown };
  /** Network error of the last attempt, when there was no response. */
  error?: string;
  duration_ms: number;
  attempts: number;
  attempt_log?: Attempt[];
  redirect?: RedirectCheck;
  violations: Violation[];
}

export interface JourneyReport {
  id: string;
  title: string;
  status: JourneyStatus;
  /** Why it failed, was skipped (naming the config field) or is manual. */
  reason?: string;
  duration_ms: number;
  steps: StepReport[];
  /** For manual journeys: what a reviewer checks by hand. */
  manual_checks?: string[];
  /** For failed journeys: the one command that re-runs just this journey. */
  rerun?: string;
}

export interface RunReport {
  tool: 'pcsim';
  version: string;
  partner: { name: string; base_url: string };
  started_at: string;
  duration_ms: number;
  summary: { passed: number; failed: number; skipped: number; manual: number; total: number };
  journeys: JourneyReport[];
}
