/**
 * `pcsim load`: many independent copies of journeys or scenarios at once. Each copy gets a fresh
 * simulated Databricks (memory store: its own workspaces, users and domains), all copies share
 * one partner client (one keep-alive pool), and each copy is judged exactly as `pcsim run`
 * judges it. The report: throughput, latency percentiles per step, error answers by reason,
 * and the contract violations seen under load.
 */
import type { ThresholdResult } from './threshold-types.js';
import type { PartnerConfig } from '../contract/partner-config.js';
import { Databricks, type WorkspaceEndpoint } from '../databricks/databricks.js';
import type { PartnerRecord } from '../databricks/model.js';
import { applicability, type Journey } from '../journeys/catalogue.js';
import { JourneyAbort, JourneyContext } from '../journeys/context.js';
import type { StepReport } from '../journeys/types.js';
import { PartnerClient, type Credentials, type PartnerCall } from '../partner-client/client.js';
import type { Exchange } from '../partner-client/types.js';
import { VERSION } from '../version.js';
import { summarize, Tally, type LatencySummary } from './stats.js';
import { CopyStore } from './store.js';

export interface LoadOptions {
  config: PartnerConfig;
  credentials: Credentials;
  journeys: Journey[];
  concurrency: number;
  durationMs: number;
  /** Copies run for this long first and are not counted (JIT, partner caches, keep-alive sockets). Default 0. */
  warmupMs?: number;
  /** Default 0,0,0: under load a retry is counted, not waited for. */
  retryBackoffMs?: readonly number[];
  timeoutMs?: number;
  patToken?: string;
  endpoint?: WorkspaceEndpoint;
  /** Stop after this many copies in total (tests); default: only the duration bounds the run. */
  maxCopies?: number;
  /** Open each redirect_uri as Databricks does (default true); false measures the Connect endpoint alone. */
  openRedirects?: boolean;
  /** Called every `progressEveryMs` of the measured phase (not during warm-up): long runs show they are alive. */
  onProgress?(p: LoadProgress): void;
  progressEveryMs?: number;
  /** Ends the run early: no copy starts after it, those under way finish, and the report covers the time measured. */
  signal?: AbortSignal;
}

export interface LoadProgress {
  elapsed_ms: number;
  duration_ms: number;
  completed: number;
  failed: number;
  connect_per_s: number;
}

export interface StepStats extends LatencySummary {
  journey: string;
  step: string;
  kind: string;
}

export interface LoadReport {
  tool: 'pcsim';
  kind: 'load';
  version: string;
  partner: { name: string; base_url: string };
  started_at: string;
  duration_ms: number;
  /** Uncounted warm-up before `started_at` (0: none). */
  warmup_ms: number;
  /** Copies the warm-up ran (their calls reached the partner; not in `copies` or the figures). */
  warmup_copies: number;
  concurrency: number;
  journeys: string[];
  /** Not run under load: skipped for this config, or manual. */
  not_run: Array<{ id: string; reason: string }>;
  copies: { completed: number; passed: number; failed: number };
  throughput: { copies_per_s: number; calls_per_s: number; connect_per_s: number };
  calls: number;
  steps: StepStats[];
  /** Error answers (4xx/5xx by error_reason) and network failures, expected or not. */
  errors: Array<{ reason: string; count: number }>;
  /** Why copies failed: the step and the first error violation. */
  failures: Array<{ reason: string; count: number }>;
  violations: Array<{ rule: string; severity: 'error' | 'warning'; count: number }>;
  /** `--threshold` gates, judged on this report (absent when none was given). */
  thresholds?: ThresholdResult[];
}

/** Measures each call exactly (the exchange's own duration is rounded to whole ms for reports). */
class TimedClient extends PartnerClient {
  override async call(call: PartnerCall): Promise<Exchange> {
    const t0 = performance.now();
    const ex = await super.call(call);
    ex.duration_ms = performance.now() - t0;
    return ex;
  }
}

/** Random per-copy values (domains, e-mails, connection ids) folded out of step names, so copies aggregate. */
const normalize = (name: string) =>
  !name.includes('.') // no domain in it (most step names): no regex to run
    ? name
    : name.replace(/[a-z0-9-]+\.(databricks-test\.com|databricks-demo\.com|pcsim-customer\.example)/gi, '<domain>');

interface Copy {
  passed: boolean;
  reason?: string;
  steps: StepReport[];
}

async function runCopy(
  journey: Journey,
  opts: LoadOptions,
  client: PartnerClient,
  partner: PartnerRecord,
): Promise<Copy> {
  // The partner is registered once for the run: every copy's state starts with the same record.
  const dbx = new Databricks({
    store: new CopyStore([partner]),
    clientFor: () => client,
    patToken: opts.patToken,
    endpoint: opts.endpoint,
  });
  const t = new JourneyContext(dbx, partner, journey.id);
  try {
    await journey.run!(t);
    return { passed: true, steps: t.steps };
  } catch (err) {
    const reason =
      err instanceof JourneyAbort
        ? `${journey.id} step "${normalize(err.step)}": [${err.violation.rule}]`
        : `${journey.id}: pcsim could not finish: ${err instanceof Error ? normalize(err.message) : String(err)}`;
    return { passed: false, reason, steps: t.steps };
  }
}

export async function runLoad(opts: LoadOptions): Promise<LoadReport> {
  const client = new TimedClient({
    config: opts.config,
    credentials: opts.credentials,
    timeoutMs: opts.timeoutMs,
    retryBackoffMs: opts.retryBackoffMs ?? [0, 0, 0],
    openRedirects: opts.openRedirects,
  });
  const connectUrl = client.urlFor('connect');
  // Registered once, as Databricks registers a partner; every copy's state starts with this record.
  const partner = await new Databricks({ store: new CopyStore(), clientFor: () => client }).registerPartner(
    opts.config,
    'load',
  );
  const not_run: LoadReport['not_run'] = [];
  const runnable = opts.journeys.filter((j) => {
    const a = applicability(j, opts.config);
    if (a.status === 'skipped') not_run.push({ id: j.id, reason: `skipped: ${a.reason} (${a.field})` });
    else if (a.status === 'manual') not_run.push({ id: j.id, reason: `manual: ${a.reason}` });
    return a.status === 'runs';
  });

  const samples = new Map<string, { journey: string; step: string; kind: string; ms: number[] }>();
  const errors = new Tally();
  const failures = new Tally();
  const violations = new Map<string, { rule: string; severity: 'error' | 'warning'; count: number }>();
  let completed = 0;
  let passed = 0;
  let calls = 0;
  let connects = 0;
  let next = 0;

  let n = 0; // warm-up copies
  if (opts.warmupMs && runnable.length) {
    const until = performance.now() + opts.warmupMs;
    const warm = async () => {
      while (performance.now() < until && !opts.signal?.aborted)
        await runCopy(runnable[n++ % runnable.length]!, opts, client, partner);
    };
    await Promise.all(Array.from({ length: opts.concurrency }, warm));
  }

  const started = Date.now();
  const t0 = performance.now();
  const deadline = t0 + opts.durationMs;
  const take = () =>
    !opts.signal?.aborted && performance.now() < deadline && (opts.maxCopies === undefined || next < opts.maxCopies)
      ? runnable[next++ % runnable.length]
      : undefined;

  const worker = async () => {
    for (let j = take(); j; j = take()) {
      const copy = await runCopy(j, opts, client, partner);
      completed++;
      if (copy.passed) passed++;
      else failures.add(copy.reason!);
      copy.steps.forEach((s, i) => {
        calls++;
        const isConnect = s.request.url === connectUrl;
        if (isConnect) connects++;
        const key = `${j.id}\u0000${i}\u0000${normalize(s.name)}`;
        let entry = samples.get(key);
        if (!entry)
          samples.set(
            key,
            (entry = {
              journey: j.id,
              step: normalize(s.name),
              kind: isConnect ? 'connect' : new URL(s.request.url).pathname,
              ms: [],
            }),
          );
        entry.ms.push(s.duration_ms);
        if (!s.response) errors.add(`network: ${s.error ?? 'no answer'}`);
        else if (s.response.status >= 400) {
          const reason = (s.response.body as { error_reason?: unknown } | undefined)?.error_reason;
          errors.add(`${s.response.status} ${typeof reason === 'string' ? reason : '(no error_reason)'}`);
        }
        for (const v of s.violations) {
          const k = `${v.severity}:${v.rule}`;
          const found = violations.get(k);
          if (found) found.count++;
          else violations.set(k, { rule: v.rule, severity: v.severity, count: 1 });
        }
      });
    }
  };
  const ticker =
    opts.onProgress && opts.progressEveryMs && opts.progressEveryMs > 0
      ? setInterval(() => {
          const ms = performance.now() - t0;
          opts.onProgress!({
            elapsed_ms: Math.round(ms),
            duration_ms: opts.durationMs,
            completed,
            failed: completed - passed,
            connect_per_s: Math.round((connects / (ms / 1000)) * 10) / 10,
          });
        }, opts.progressEveryMs)
      : undefined;
  try {
    if (runnable.length) await Promise.all(Array.from({ length: opts.concurrency }, worker));
  } finally {
    clearInterval(ticker);
  }
  const elapsed = performance.now() - t0;
  const perS = (n: number) => Math.round((n / (elapsed / 1000)) * 10) / 10;

  return {
    tool: 'pcsim',
    kind: 'load',
    version: VERSION,
    partner: { name: opts.config.name, base_url: opts.config.base_url },
    started_at: new Date(started).toISOString(),
    duration_ms: Math.round(elapsed),
    warmup_ms: opts.warmupMs ?? 0,
    warmup_copies: n,
    concurrency: opts.concurrency,
    journeys: runnable.map((j) => j.id),
    not_run,
    copies: { completed, passed, failed: completed - passed },
    throughput: { copies_per_s: perS(completed), calls_per_s: perS(calls), connect_per_s: perS(connects) },
    calls,
    steps: [...samples.values()].map((s) => ({ journey: s.journey, step: s.step, kind: s.kind, ...summarize(s.ms) })),
    errors: errors.entries().map(({ label, count }) => ({ reason: label, count })),
    failures: failures.entries().map(({ label, count }) => ({ reason: label, count })),
    violations: [...violations.values()].sort((a, b) => b.count - a.count),
  };
}

/** Exit 1: a copy failed, or a threshold does not hold. */
export const loadFailed = (r: LoadReport) => r.copies.failed > 0 || (r.thresholds ?? []).some((t) => !t.ok);
