/**
 * What the runner needs of a journey, whether it comes from the certification catalogue or from
 * a partner's own scenario file: an id, a title, when it applies, and how to run it.
 */
import type { PartnerConfig } from '../contract/partner-config.js';
import type { JourneyContext } from './context.js';

export interface Skip {
  /** The config field that made the journey inapplicable. */
  field: string;
  reason: string;
}

/** What the run offers beyond the partner's config. */
export interface RunSetting {
  /** The run serves the simulated workspace and judges the partner's calls into it (core integration). */
  core: boolean;
}

export interface Journey {
  id: string;
  title: string;
  /** undefined when it applies; else why not (never a failure). */
  skip(config: PartnerConfig): Skip | undefined;
  /** What a reviewer checks by hand (shown when the journey is manual). */
  manual?: string[];
  /** Set when this config (or run) leaves the journey to a human: why, and what to do. Decided before anything is
   * sent, so a load run never counts such a journey as a passed copy with no steps. */
  manualFor?(config: PartnerConfig, run?: RunSetting): string | undefined;
  /** `{note}`: passed, with the reason it passed (P200/P201 judged from the partner's activity). */
  run?(t: JourneyContext): Promise<void | { manual: string } | { note: string }>;
  /** The scenario file it was read from (a re-run command names it); catalogue journeys re-run by id. */
  file?: string;
  /** A catalogue journey (re-run with --journeys ID). */
  catalogue?: boolean;
}

/** What a config makes of a journey before it runs: the one reading of skip / manualFor / run. */
export type Applicability =
  { status: 'skipped'; field: string; reason: string } | { status: 'manual'; reason: string } | { status: 'runs' };

export function applicability(j: Journey, config: PartnerConfig, run: RunSetting = { core: false }): Applicability {
  const skip = j.skip(config);
  if (skip) return { status: 'skipped', ...skip };
  if (!j.run) return { status: 'manual', reason: 'judged by hand: see manual_checks' };
  const manual = j.manualFor?.(config, run);
  return manual ? { status: 'manual', reason: manual } : { status: 'runs' };
}
