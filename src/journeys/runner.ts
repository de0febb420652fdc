/**
 * `pcsim run`'s engine: replays the catalogue against one partner on a fresh in-memory
 * Databricks, and returns the report. Each journey uses fresh workspaces, users and domains, so
 * journeys are independent of each other and of earlier runs.
 */
import { errorsOnly } from '../contract/diagnostics.js';
import type { PartnerConfig } from '../contract/partner-config.js';
import { Databricks, type WorkspaceEndpoint } from '../databricks/databricks.js';
import { PartnerClient, type Credentials } from '../partner-client/client.js';
import { MemoryStore } from '../store/memory.js';
import type { Store } from '../store/types.js';
import { VERSION } from '../version.js';
import { CATALOGUE } from './catalogue.js';
import { JourneyAbort, JourneyContext, RunStopped } from './context.js';
import type { CoreIntegration } from './core.js';
import { applicability, type Journey } from './journey.js';
import type { JourneyReport, RunReport } from './types.js';

export interface RunOptions {
  config: PartnerConfig;
  credentials: Credentials;
  journeys?: Journey[];
  timeoutMs?: number;
  retryBackoffMs?: readonly number[];
  patToken?: string;
  showSecrets?: boolean;
  endpoint?: WorkspaceEndpoint;
  /**
   * > 0: serve the simulated workspace on a loopback port for this run (Connect payloads point
   * there) and let P200/P201 wait up to this many seconds for the partner's calls. Needs `core`.
   */
  waitCore?: number;
  /** The simulated workspace's core-integration judge (src/workspace/core-integration.ts), injected so journeys do not import it. */
  core?: CoreIntegration;
  /**
   * How the run was started, for the re-run command of a failed journey (e.g. "pcsim run --partner
   * partner.json"): the journey's own --journeys ID or --scenario FILE is appended.
   */
  rerunBase?: string;
  /** Warnings fail the journey too (`pcsim run --strict`, `strict` in POST /api/runs). */
  strict?: boolean;
  /** How often a core_integration step looks at the partner's activity (ms; default 100). */
  corePollMs?: number;
  onJourneyStart?(j: Journey): void;
  onJourneyEnd?(r: JourneyReport): void;
  /** Stops the run: the journey under way ends before its next call and the rest are not started (all reported skipped). */
  signal?: AbortSignal;
  /** The run's throw-away state (default a fresh MemoryStore); the UI's runs pass one they watch. */
  store?: Store;
}

export async function runJourneys(opts: RunOptions): Promise<RunReport> {
  const started = Date.now();
  const t0 = performance.now();
  const client = new PartnerClient({
    config: opts.config,
    credentials: opts.credentials,
    timeoutMs: opts.timeoutMs,
    retryBackoffMs: opts.retryBackoffMs,
    showSecrets: opts.showSecrets,
  });
  const store = opts.store ?? new MemoryStore();
  const waitCore = opts.waitCore ?? 0;
  if (waitCore > 0 && !opts.core)
    throw new Error(
      'Failed to judge the core integration: waitCore is set but no core integration was given. Expected RunOptions.core (src/workspace/core-integration.ts).',
    );
  const workspace = waitCore > 0 ? await opts.core!.serve(store) : undefined;
  const dbx = new Databricks({
    store,
    clientFor: () => client,
    patToken: opts.patToken,
    endpoint: workspace?.endpoint ?? opts.endpoint,
  });
  try {
    return await runAll(opts, dbx, started, t0);
  } finally {
    await workspace?.close();
  }
}

async function runAll(opts: RunOptions, dbx: Databricks, started: number, t0: number): Promise<RunReport> {
  const partner = await dbx.registerPartner(opts.config, 'run');

  const reports: JourneyReport[] = [];
  const waitCore = opts.waitCore ?? 0;
  const core =
    waitCore > 0 && opts.core ? { integration: opts.core, seconds: waitCore, pollMs: opts.corePollMs } : undefined;
  for (const journey of opts.journeys ?? CATALOGUE) {
    if (opts.signal?.aborted) {
      const report: JourneyReport = {
        id: journey.id,
        title: journey.title,
        status: 'skipped',
        reason: 'not started: the run was stopped',
        duration_ms: 0,
        steps: [],
      };
      reports.push(report);
      opts.onJourneyEnd?.(report);
      continue;
    }
    opts.onJourneyStart?.(journey);
    const report = withRerun(
      strictly(await runOne(journey, new JourneyContext(dbx, partner, journey.id, opts.signal, core)), opts.strict),
      journey,
      opts,
    );
    reports.push(report);
    opts.onJourneyEnd?.(report);
  }
  const count = (s: JourneyReport['status']) => reports.filter((r) => r.status === s).length;
  return {
    tool: 'pcsim',
    version: VERSION,
    partner: { name: opts.config.name, base_url: opts.config.base_url },
    started_at: new Date(started).toISOString(),
    duration_ms: Math.round(performance.now() - t0),
    summary: {
      passed: count('passed'),
      failed: count('failed'),
      skipped: count('skipped'),
      manual: count('manual'),
      total: reports.length,
    },
    journeys: reports,
  };
}

async function runOne(journey: Journey, t: JourneyContext): Promise<JourneyReport> {
  const t0 = performance.now();
  const base = { id: journey.id, title: journey.title };
  const elapsed = () => Math.round(performance.now() - t0);
  const a = applicability(journey, t.config, { core: t.core !== undefined });
  if (a.status === 'skipped')
    return { ...base, status: 'skipped', reason: `${a.reason} (${a.field})`, duration_ms: 0, steps: [] };
  if (a.status === 'manual')
    return { ...base, status: 'manual', reason: a.reason, duration_ms: 0, steps: [], manual_checks: journey.manual };
  try {
    const result = await journey.run!(t);
    if (result && 'manual' in result)
      return {
        ...base,
        status: 'manual',
        reason: result.manual,
        duration_ms: elapsed(),
        steps: t.steps,
        manual_checks: journey.manual,
      };
    if (result && 'note' in result)
      return {
        ...base,
        status: 'passed',
        duration_ms: elapsed(),
        steps: t.steps,
        reason: warningsOf(t) ?? result.note,
      };
    return { ...base, status: 'passed', duration_ms: elapsed(), steps: t.steps, reason: warningsOf(t) };
  } catch (err) {
    if (err instanceof RunStopped)
      return {
        ...base,
        status: 'skipped',
        reason: `stopped: ${err.message} (${t.steps.length} step${t.steps.length === 1 ? '' : 's'} done)`,
        duration_ms: elapsed(),
        steps: t.steps,
      };
    if (err instanceof JourneyAbort) {
      return {
        ...base,
        status: 'failed',
        reason: `step "${err.step}": [${err.violation.rule}] ${err.violation.message}`,
        duration_ms: elapsed(),
        steps: t.steps,
      };
    }
    // pcsim's own refusal (e.g. a hook on a connection Databricks does not hold): still a verdict, never a crash.
    const message = err instanceof Error ? err.message : String(err);
    return {
      ...base,
      status: 'failed',
      reason: `pcsim could not finish the journey: ${message}`,
      duration_ms: elapsed(),
      steps: t.steps,
    };
  }
}

/** A failed journey says how to re-run just it: the same partner and switches, only this journey. */
function withRerun(report: JourneyReport, journey: Journey, opts: RunOptions): JourneyReport {
  if (report.status !== 'failed' || !opts.rerunBase) return report;
  const only =
    journey.file !== undefined && !journey.catalogue
      ? `--scenario ${shellWord(journey.file)}`
      : `--journeys ${journey.id}`;
  return { ...report, rerun: `${opts.rerunBase} ${only}${opts.strict ? ' --strict' : ''}` };
}

/** A word as a POSIX shell reads it back unchanged. */
export const shellWord = (w: string) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

/** Under --strict a journey that passed with warnings fails, naming the first one. */
function strictly(report: JourneyReport, strict: boolean | undefined): JourneyReport {
  if (!strict || report.status !== 'passed') return report;
  for (const step of report.steps) {
    const w = step.violations.find((v) => v.severity === 'warning');
    if (!w) continue;
    const count = report.steps.reduce((n, s) => n + s.violations.filter((v) => v.severity === 'warning').length, 0);
    return {
      ...report,
      status: 'failed',
      reason: `strict: ${count} warning(s) fail the journey; step "${step.name}": [${w.rule}] ${w.message}`,
    };
  }
  return report;
}

function warningsOf(t: JourneyContext): string | undefined {
  const warnings = t.steps.flatMap((s) =>
    s.violations.filter((v) => v.severity === 'warning' && errorsOnly([v]).length === 0),
  );
  return warnings.length ? `passed with ${warnings.length} warning(s): ${warnings[0]!.message}` : undefined;
}
