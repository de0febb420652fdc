/** `pcsim load`: many independent copies of scenarios or journeys at once; throughput, percentiles, errors. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Journey } from '../journeys/catalogue.js';
import { selectJourneys } from '../journeys/catalogue.js';
import { loadJunit } from '../load/junit.js';
import { loadFailed, runLoad, type LoadReport } from '../load/runner.js';
import { formatThreshold, judgeThresholds, parseThreshold, type Threshold } from '../load/thresholds.js';
import { credentialsFromEnv } from './credentials.js';
import { resolveTarget } from './target.js';
import { EXIT, interruptible, parsePositiveInt, UsageError, type CliIO } from './io.js';
import { scenarioJourneys } from './scenario.js';

export interface LoadFlags {
  partner?: string;
  scenario: string[];
  journeys?: string;
  concurrency?: string;
  duration?: string;
  warmup?: string;
  progress?: string;
  threshold?: string[];
  report?: string[];
  launchCheck?: boolean;
}

function parseSeconds(flag: string, value: string, min: 'positive' | 'zero'): number {
  const n = Number(value);
  const low = min === 'positive' ? n <= 0 : n < 0;
  if (value.trim() === '' || !Number.isFinite(n) || low || n > 3600)
    throw new UsageError(
      `Failed to read ${flag} ${JSON.stringify(value)}: expected seconds, ${min === 'positive' ? 'more than 0' : '0 or more'} and at most 3600 (e.g. 10 or 0.5).`,
    );
  return n * 1000;
}

/** 2.5 → "2.5", 5 → "5": progress lines as precise as the flags that shaped them. */
const secs = (ms: number) => (ms / 1000).toFixed(1).replace(/\.0$/, '');

interface ReportSpec {
  kind: 'json' | 'junit';
  path: string;
}

function parseReports(specs: readonly string[]): ReportSpec[] {
  return specs.map((spec) => {
    const m = /^(json|junit):(.+)$/.exec(spec);
    if (!m)
      throw new UsageError(
        `Failed to read --report ${JSON.stringify(spec)}: expected json:PATH or junit:PATH (repeatable; the console summary is always printed).`,
      );
    return { kind: m[1] as ReportSpec['kind'], path: m[2]! };
  });
}

export function formatLoad(r: LoadReport): string {
  const lines = [
    `pcsim load: ${r.journeys.join(', ') || '(nothing runnable)'} against ${r.partner.name} (${r.partner.base_url})`,
    `  concurrency ${r.concurrency}, ${(r.duration_ms / 1000).toFixed(1)} s${r.warmup_ms ? ` after ${(r.warmup_ms / 1000).toFixed(1)} s of warm-up (${r.warmup_copies} copies)` : ''}: ${r.copies.completed} copies (${r.copies.passed} passed, ${r.copies.failed} failed), ${r.calls} calls`,
    `  throughput: ${r.throughput.copies_per_s} copies/s, ${r.throughput.calls_per_s} calls/s, ${r.throughput.connect_per_s} connect/s`,
    '',
    `  ${'latency per step (ms)'.padEnd(52)} ${'count'.padStart(6)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'p99'.padStart(8)} ${'max'.padStart(8)}`,
  ];
  for (const s of r.steps) {
    const label = `${s.journey} ${s.step}`;
    lines.push(
      `  ${(label.length > 52 ? `${label.slice(0, 51)}…` : label).padEnd(52)} ${String(s.count).padStart(6)} ${s.p50_ms.toFixed(2).padStart(8)} ${s.p95_ms.toFixed(2).padStart(8)} ${s.p99_ms.toFixed(2).padStart(8)} ${s.max_ms.toFixed(2).padStart(8)}`,
    );
  }
  lines.push('', r.errors.length ? '  error answers by reason:' : '  error answers: none');
  for (const e of r.errors) lines.push(`    ${String(e.count).padStart(6)}  ${e.reason}`);
  lines.push(r.violations.length ? '  contract violations under load:' : '  contract violations under load: none');
  for (const v of r.violations)
    lines.push(`    ${String(v.count).padStart(6)}  ${v.rule}${v.severity === 'warning' ? ' (warning)' : ''}`);
  if (r.failures.length) {
    lines.push('  failed copies:');
    for (const f of r.failures.slice(0, 10)) lines.push(`    ${String(f.count).padStart(6)}  ${f.reason}`);
  }
  for (const n of r.not_run) lines.push(`  not run: ${n.id}: ${n.reason}`);
  if (r.thresholds?.length) {
    lines.push('', `  thresholds: ${r.thresholds.filter((t) => t.ok).length} of ${r.thresholds.length} hold`);
    for (const t of r.thresholds) lines.push(`    ${formatThreshold(t)}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function loadCommand(flags: LoadFlags, io: CliIO): Promise<number> {
  const concurrency = parsePositiveInt('--concurrency', flags.concurrency ?? '10');
  if (concurrency > 1000)
    throw new UsageError(
      `Failed to read --concurrency ${flags.concurrency}: at most 1000 copies at once. Expected 1 to 1000.`,
    );
  const durationMs = parseSeconds('--duration', flags.duration ?? '10', 'positive');
  const warmupMs = parseSeconds('--warmup', flags.warmup ?? '0', 'zero');
  const progressEveryMs = parseSeconds('--progress', flags.progress ?? '5', 'zero');
  const thresholds: Threshold[] = [];
  for (const spec of flags.threshold ?? []) {
    const t = parseThreshold(spec);
    if ('error' in t) throw new UsageError(t.error);
    thresholds.push(t);
  }
  const reports = parseReports(flags.report ?? []);
  if (!flags.scenario.length && flags.journeys === undefined)
    throw new UsageError(
      'Failed to start pcsim load: nothing to run. Expected --scenario FILE (repeatable) or --journeys P100,P300.',
    );
  const journeys: Journey[] = [];
  if (flags.journeys !== undefined) {
    const sel = selectJourneys(flags.journeys);
    if ('error' in sel) throw new UsageError(sel.error);
    journeys.push(...sel.journeys);
  }
  if (flags.scenario.length) {
    const scripted = await scenarioJourneys(
      flags.scenario,
      io,
      journeys.map((j) => j.id),
    );
    if (!scripted) return EXIT.usage;
    journeys.push(...scripted);
  }
  const env = credentialsFromEnv(io.env);

  // No workspace is served during a load: the reference partner's calls back would only add failed requests to the measure.
  const target = await resolveTarget(
    flags.partner,
    env,
    io,
    'loading (in this process: it shares the CPU with the load)',
    { coreIntegration: false },
  );
  if (!target) return EXIT.usage;
  const { config, stop } = target;
  // Ctrl-C ends the measurement early: copies under way finish and the report covers the time measured.
  const interrupt = interruptible(io, 'pcsim load: stopping: no new copies; the report covers the time measured');
  try {
    const report = await runLoad({
      signal: interrupt.signal,
      config,
      credentials: env.credentials,
      patToken: env.patToken,
      journeys,
      concurrency,
      durationMs,
      warmupMs,
      openRedirects: flags.launchCheck !== false,
      progressEveryMs,
      onProgress: (p) =>
        io.err(
          `pcsim load: ${secs(p.elapsed_ms)} s of ${secs(p.duration_ms)} s: ${p.completed} copies (${p.failed} failed), ${p.connect_per_s} connect/s\n`,
        ),
    });
    if (thresholds.length) report.thresholds = judgeThresholds(report, thresholds);
    io.out(formatLoad(report));
    for (const spec of reports) {
      try {
        await mkdir(path.dirname(path.resolve(spec.path)), { recursive: true });
        await writeFile(spec.path, spec.kind === 'junit' ? loadJunit(report) : `${JSON.stringify(report, null, 2)}\n`);
        io.err(`pcsim: wrote ${spec.path}\n`);
      } catch (err) {
        io.err(
          `pcsim: Failed to write the load report ${spec.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. Expected a writable path.\n`,
        );
        return EXIT.usage;
      }
    }
    if (report.journeys.length === 0) {
      io.err('pcsim: nothing ran: every selected journey is skipped or manual for this partner.\n');
      return EXIT.usage;
    }
    if (interrupt.signal.aborted) return EXIT.interrupted;
    return loadFailed(report) ? EXIT.failed : EXIT.ok;
  } finally {
    interrupt.dispose();
    await stop?.();
  }
}
