/**
 * What keeps `pcsim run` from going silent or slow on a partner that is down or hangs: the
 * report of a run that never started (every journey skipped, saying why), progress lines on
 * stderr while journeys are in flight, and --fail-fast's reason for what it did not run.
 */
import type { PartnerConfig } from '../contract/partner-config.js';
import type { JourneyReport, RunReport } from '../journeys/types.js';
import { VERSION } from '../version.js';
import type { CliIO } from './io.js';

/** The run report when nothing could be sent: every journey skipped with `reason`. */
export function notStartedReport(
  config: PartnerConfig,
  journeys: readonly { id: string; title: string }[],
  reason: string,
  durationMs: number,
): RunReport {
  const reports: JourneyReport[] = journeys.map((j) => ({
    id: j.id,
    title: j.title,
    status: 'skipped',
    reason,
    duration_ms: 0,
    steps: [],
  }));
  return {
    tool: 'pcsim',
    version: VERSION,
    partner: { name: config.name, base_url: config.base_url },
    started_at: new Date(Date.now() - durationMs).toISOString(),
    duration_ms: durationMs,
    summary: { passed: 0, failed: 0, skipped: reports.length, manual: 0, total: reports.length },
    journeys: reports,
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export interface Progress {
  start(id: string): void;
  end(j: JourneyReport): void;
  dispose(): void;
}

/**
 * Progress on stderr, never on stdout (where a console report may be piped): a line per finished
 * journey when no console reporter prints one, and, whatever the reporters, a line when a journey
 * has waited `quietMs` on the partner, so a hanging partner is visible before its timeout.
 */
export function createProgress(
  io: CliIO,
  total: number,
  opts: { lines: boolean; quietMs: number; timeoutMs: number },
): Progress {
  let done = 0;
  let timer: NodeJS.Timeout | undefined;
  const clear = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  return {
    start(id) {
      clear();
      const line =
        `pcsim: ${id} is still running after ${seconds(opts.quietMs)}` +
        ` (a call to the partner gives up after --timeout-ms ${opts.timeoutMs})\n`;
      timer = setTimeout(() => io.err(line), opts.quietMs);
      timer.unref();
    },
    end(j) {
      clear();
      done++;
      if (!opts.lines) return;
      const why = j.reason ? `: ${j.reason.replace(/[\r\n]+/g, ' ').slice(0, 200)}` : '';
      io.err(`pcsim: [${done}/${total}] ${j.id} ${j.status} (${seconds(j.duration_ms)})${why}\n`);
    },
    dispose: clear,
  };
}

/** The reason --fail-fast gives the journeys it did not start. */
export const failFastReason = (failed: string) => `not started: --fail-fast stopped the run after ${failed} failed`;

/** The runner's reason for a journey not started after a stop (its wording, matched to replace it). */
export const STOPPED_REASON = 'not started: the run was stopped';
