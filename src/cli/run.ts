/** `pcsim run`: the certification engine from the command line. */
import { selectJourneys } from '../journeys/catalogue.js';
import {
  createConsoleReporter,
  parseReporterSpec,
  writeFileReports,
  type ReporterSpec,
} from '../journeys/reporters/index.js';
import { runJourneys, shellWord } from '../journeys/runner.js';
import { checkReachable } from '../partner-client/reach.js';
import type { JourneyReport } from '../journeys/types.js';
import { createProgress, failFastReason, notStartedReport, STOPPED_REASON } from './run-guard.js';
import { credentialsFromEnv } from './credentials.js';
import { partnerTiming } from './partner-timing.js';
import { scenarioJourneys } from './scenario.js';
import { resolveTarget } from './target.js';
import { EXIT, interruptible, UsageError, type CliIO } from './io.js';
import {
  loadUserTls,
  tlsHostNames,
  trustHints,
  withCaFile,
  workspaceTls,
  type WorkspaceTls,
} from '../workspace/certificate.js';

export interface RunFlags {
  partner?: string;
  journeys?: string;
  reporter: string[];
  retryBackoffMs?: string;
  timeoutMs?: string;
  showSecrets?: boolean;
  color?: boolean;
  /** Scenario files (`--scenario`, repeatable): run instead of the catalogue, or with it when --journeys was given explicitly. */
  scenario?: string[];
  journeysExplicit?: boolean;
  /** `--wait-core SECONDS`: serve the workspace; P200/P201 wait this long for the partner's calls (0: manual). */
  waitCore?: string;
  tlsCert?: string;
  tlsKey?: string;
  /** `--strict`: warnings fail their journey too. */
  strict?: boolean;
  /** `--fail-fast`: stop at the first failed journey; the rest are skipped saying so. */
  failFast?: boolean;
}

/** A journey in flight this long gets a "still running" line on stderr (half the call timeout, at most 5 s). */
const quietMs = (timeoutMs: number) => Math.min(5000, Math.ceil(timeoutMs / 2));

export async function runCommand(flags: RunFlags, io: CliIO): Promise<number> {
  const selection = selectJourneys(flags.journeys);
  if ('error' in selection) throw new UsageError(selection.error);
  const specs: ReporterSpec[] = [];
  for (const r of flags.reporter.length ? flags.reporter : ['console']) {
    const spec = parseReporterSpec(r);
    if ('error' in spec) throw new UsageError(spec.error);
    specs.push(spec);
  }
  const { backoff, timeoutMs } = partnerTiming(flags);
  const env = credentialsFromEnv(io.env);
  const waitCore = flags.waitCore === undefined ? 0 : Number(flags.waitCore);
  if (!Number.isInteger(waitCore) || waitCore < 0 || waitCore > 3600)
    throw new UsageError(
      `Failed to read --wait-core ${JSON.stringify(flags.waitCore)}: expected whole seconds from 0 to 3600 (0: P200/P201 are judged by hand).`,
    );
  // Scenario files are validated completely before anything starts or is sent.
  const scripted = flags.scenario?.length
    ? await scenarioJourneys(flags.scenario, io, flags.journeysExplicit ? selection.journeys.map((j) => j.id) : [])
    : undefined;
  if (flags.scenario?.length && !scripted) return EXIT.usage;
  const journeys = scripted ? [...(flags.journeysExplicit ? selection.journeys : []), ...scripted] : selection.journeys;

  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined))
    throw new UsageError(
      `Failed to read ${flags.tlsCert === undefined ? '--tls-key' : '--tls-cert'}: it was given without ${flags.tlsCert === undefined ? '--tls-cert' : '--tls-key'}. Expected both (a PEM certificate and its key) or neither.`,
    );
  // The workspace's certificate is settled before the partner starts, so the built-in one can trust it.
  let tls: { tls: WorkspaceTls; remove(): Promise<void> } | undefined;
  if (waitCore > 0) {
    try {
      tls = await withCaFile(
        flags.tlsCert && flags.tlsKey
          ? await loadUserTls(flags.tlsCert, flags.tlsKey)
          : await workspaceTls(null, tlsHostNames()),
      );
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    for (const hint of trustHints(tls.tls)) io.err(`pcsim: ${hint}\n`);
  }
  const target = await resolveTarget(
    flags.partner,
    env,
    io,
    'running against',
    tls ? { workspaceTls: { ca: tls.tls.ca } } : {},
  );
  if (!target) return EXIT.usage;
  const { config, stop } = target;

  if (flags.showSecrets)
    io.err(
      "pcsim: WARNING: --show-secrets is on: Basic passwords, PATs and OAuth secrets appear in clear in this run's output and reports. Use it for local debugging only; never in CI.\n",
    );
  const useColor = flags.color ?? (io.isTTY && !io.env.NO_COLOR);
  const console = specs.some((s) => s.kind === 'console')
    ? createConsoleReporter({ write: io.out, color: useColor })
    : undefined;
  // Ctrl-C stops the run the way the UI's Stop does, and the reports are still written.
  const interrupt = interruptible(
    io,
    'pcsim: stopping after the call under way; the reports will say what did not run',
  );
  const failFast = new AbortController();
  let firstFailure: string | undefined;
  const progress = createProgress(io, journeys.length, { lines: !console, quietMs: quietMs(timeoutMs), timeoutMs });
  const writeReports = async (report: Parameters<typeof writeFileReports>[0]): Promise<boolean> => {
    try {
      for (const path of await writeFileReports(report, specs)) io.err(`pcsim: wrote ${path}\n`);
      return true;
    } catch (err) {
      io.err(`pcsim: ${(err as Error).message}\n`);
      return false;
    }
  };
  try {
    // Before the catalogue: does anything answer at base_url? A partner that is down ends the run here.
    const reach = await checkReachable(config.base_url, {
      retryBackoffMs: backoff,
      timeoutMs,
      signal: interrupt.signal,
    });
    if (!reach.ok) {
      const over = (reach.duration_ms / 1000).toFixed(1);
      const tries = reach.attempts > 1 ? ` (${reach.attempts} attempts over ${over} s)` : '';
      const reason = `not started: nothing answers at base_url ${config.base_url}: ${reach.error}${tries}`;
      const where = `base_url ${config.base_url}${flags.partner ? ` (${flags.partner})` : ''}`;
      io.err(
        `pcsim: Failed to reach the partner at ${where}: ${reach.error}${tries}.` +
          ' Expected a server accepting connections there: start the partner, or correct base_url.\n',
      );
      const report = notStartedReport(config, journeys, reason, reach.duration_ms);
      console?.onRunEnd(report);
      if (!(await writeReports(report))) return EXIT.usage;
      return interrupt.signal.aborted ? EXIT.interrupted : EXIT.failed;
    }
    const onJourneyEnd = (j: JourneyReport) => {
      // The runner says "stopped" for what a stop skipped; a --fail-fast stop says why.
      const stoppedByFailFast =
        firstFailure && !interrupt.signal.aborted && j.status === 'skipped' && j.reason === STOPPED_REASON;
      if (stoppedByFailFast) j.reason = failFastReason(firstFailure!);
      progress.end(j);
      console?.onJourneyEnd(j);
      if (flags.failFast && j.status === 'failed' && !firstFailure) {
        firstFailure = j.id;
        failFast.abort();
      }
    };
    const report = await runJourneys({
      signal: AbortSignal.any([interrupt.signal, failFast.signal]),
      config,
      credentials: env.credentials,
      patToken: env.patToken,
      journeys,
      timeoutMs,
      retryBackoffMs: backoff,
      showSecrets: flags.showSecrets,
      waitCore,
      strict: flags.strict,
      rerunBase: [
        'pcsim run',
        flags.partner ? `--partner ${shellWord(flags.partner)}` : '',
        waitCore > 0 ? `--wait-core ${waitCore}` : '',
      ]
        .filter(Boolean)
        .join(' '),
      // Loaded only when needed: the simulated workspace (express, SQL engine) costs ~0.4 s to import.
      core:
        waitCore > 0
          ? (await import('../workspace/core-integration.js')).createCoreIntegration({ tls: tls?.tls })
          : undefined,
      onJourneyStart: (j) => {
        progress.start(j.id);
        console?.onJourneyStart(j.id, j.title);
      },
      onJourneyEnd,
    });
    console?.onRunEnd(report);
    if (!(await writeReports(report))) return EXIT.usage;
    if (interrupt.signal.aborted) return EXIT.interrupted;
    return report.summary.failed > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    progress.dispose();
    interrupt.dispose();
    await stop?.();
    await tls?.remove();
  }
}
