/**
 * Runs of the journey catalogue (or of scenario files) started from the UI: the same engine and verdicts as `pcsim run`
 * (a fresh in-memory Databricks per run, so the page's own workspaces are never touched). A run
 * goes on in the background; its progress and, at the end, its report are polled.
 */
import { nanoid } from 'nanoid';
import { z } from 'zod';
import { JOURNEY_IDS } from '../../journeys/catalogue-ids.js';
import type { Journey } from '../../journeys/catalogue.js';
import type { JourneyReport, JourneyStatus, RunReport } from '../../journeys/types.js';
import { ApiError } from '../errors.js';
import { ObservableStore } from '../observable-store.js';
import { route, type ApiContext } from '../route.js';

const tag = 'journeys';

/** The engine, loaded with the first run (start-up stays light). */
const engine = () => import('./run-engine.js');
type Engine = Awaited<ReturnType<typeof engine>>;

/** Runs kept per server (the oldest finished ones are forgotten first). */
const KEEP_RUNS = 20;
/** Runs going on at once per server. */
const MAX_RUNNING = 2;

export const StartRunBody = z.strictObject({
  partner: z.string().min(1).max(200).describe('the partner id (as in GET /api/partners)'),
  journeys: z
    .array(z.string().min(1).max(20))
    .max(100)
    .optional()
    .describe(
      `journey ids to run (default: the whole catalogue, or none when scenarios are given), among ${JOURNEY_IDS.join(', ')}`,
    ),
  scenarios: z
    .array(
      z.strictObject({
        file: z
          .string()
          .min(1)
          .max(200)
          .optional()
          .describe('the file name, for problem locations (default: scenario-N.yaml)'),
        text: z
          .string()
          .min(1)
          .max(256 * 1024)
          .describe('the scenario file itself, YAML or JSON (docs/SCENARIOS.md)'),
      }),
    )
    .max(20)
    .optional()
    .describe(
      'scenario files to run, as `pcsim run --scenario`: instead of the catalogue, or with it when journeys is given. Every problem of every file is refused before anything is sent.',
    ),
  strict: z.boolean().optional().describe('as `pcsim run --strict`: warnings fail the journey'),
});

export interface RunJourneyProgress {
  id: string;
  title: string;
  /** pending: not started; running: under way; else the journey's verdict. */
  status: 'pending' | 'running' | JourneyStatus;
  reason?: string;
  duration_ms?: number;
}

export interface RunRecord {
  run_id: string;
  partner: string;
  /** stopped: POST /api/runs/{run}/stop ended it early (the report marks what did not run as skipped). */
  status: 'running' | 'finished' | 'stopped' | 'crashed';
  /** Set once a stop was asked for; the run ends before its next call to the partner. */
  stop_requested_at?: string;
  started_at: string;
  finished_at?: string;
  journeys: RunJourneyProgress[];
  /** pcsim's own failure (not a partner's): the run could not finish. */
  error?: string;
  report?: RunReport;
}

/** The scenario files of a run, all checked before it starts (as `pcsim run --scenario`). */
function scenarioJourneys(runner: Engine, files: { file?: string; text: string }[], taken: string[]): Journey[] {
  if (files.length === 0) return [];
  const set = runner.collectScenarios(
    files.map((f, i) => runner.parseScenario(f.text, f.file ?? `scenario-${i + 1}.yaml`)),
    taken,
  );
  if (!set.ok) {
    const n = set.problems.length;
    throw new ApiError(
      'validation_failed',
      `Failed to start a run: the scenario files have ${n} problem${n > 1 ? 's' : ''}, nothing was sent. ${set.problems.map(runner.formatProblem).join(' | ')} Expected scenario files as docs/SCENARIOS.md describes.`,
      {
        field: 'scenarios',
        problems: set.problems,
      },
    );
  }
  return set.scenarios.map(runner.scenarioJourney);
}

export const RunReportQuery = z.object({
  format: z
    .enum(['html', 'json', 'junit'])
    .optional()
    .describe('html (default: one self-contained page), json, or junit (XML for CI viewers)'),
  download: z
    .enum(['0', '1', 'true', 'false'])
    .optional()
    .describe('1: Content-Disposition attachment (save the file); default inline (open in the browser)'),
});

const REPORT_FILES = {
  html: { type: 'text/html', ext: 'html', render: 'renderHtml' },
  json: { type: 'application/json', ext: 'json', render: 'renderJson' },
  junit: { type: 'application/xml', ext: 'xml', render: 'renderJunit' },
} as const;

/** How to stop each run still going on (kept out of the record, which is what GET answers). */
const stoppers = new WeakMap<RunRecord, AbortController>();

const runsByApp = new WeakMap<ApiContext, Map<string, RunRecord>>();

function runsOf(ctx: ApiContext): Map<string, RunRecord> {
  let runs = runsByApp.get(ctx);
  if (!runs) runsByApp.set(ctx, (runs = new Map()));
  return runs;
}

function forgetOld(runs: Map<string, RunRecord>): void {
  for (const [id, r] of runs) {
    if (runs.size <= KEEP_RUNS) return;
    if (r.status !== 'running') runs.delete(id);
  }
}

function findRun(ctx: ApiContext, id: string): RunRecord {
  const r = runsOf(ctx).get(id);
  if (!r)
    throw new ApiError(
      'not_found',
      `Failed to find run ${id}: no such run on this server (runs live in memory; the oldest are forgotten). Expected a run_id from POST /api/runs.`,
      { run: id },
    );
  return r;
}

/** What GET answers: progress counts up front, the report once finished. */
function runView(r: RunRecord) {
  const done = r.journeys.filter((j) => j.status !== 'pending' && j.status !== 'running').length;
  return {
    ...r,
    progress: { done, total: r.journeys.length, current: r.journeys.find((j) => j.status === 'running')?.id },
  };
}

export const runRoutes = [
  route({
    method: 'post',
    path: '/api/runs',
    operationId: 'startRun',
    tag,
    summary: 'Run the journey catalogue (or some journeys, or scenario files) against a partner, as `pcsim run` does',
    description:
      "The run uses a fresh in-memory Databricks (the workspaces of this server are not touched) and the partner's registered credentials. It goes on in the background: poll GET /api/runs/{run} for progress and, once status is finished, the report with the same verdicts as `pcsim run`.",
    what: 'start a run',
    body: StartRunBody,
    success: { status: 202, description: '{run_id, status, journeys}' },
    handle: async ({ ctx, body }) => {
      const partner = ctx.databricks.partner(body.partner);
      const picked = body.journeys && body.journeys.length > 0;
      const scripted = body.scenarios ?? [];
      const runner = await engine();
      const catalogue = runner.selectJourneys(picked ? body.journeys!.join(',') : undefined);
      if ('error' in catalogue) {
        throw new ApiError(
          'validation_failed',
          `Failed to start a run: ${catalogue.error.replace(/^Failed to read --journeys: /, '')}`,
          { field: 'journeys' },
        );
      }
      const chosen = scripted.length && !picked ? [] : catalogue.journeys;
      const selection = {
        journeys: [
          ...chosen,
          ...scenarioJourneys(
            runner,
            scripted,
            chosen.map((j) => j.id),
          ),
        ],
      };
      const runs = runsOf(ctx);
      const running = [...runs.values()].filter((r) => r.status === 'running').length;
      if (running >= MAX_RUNNING) {
        throw new ApiError(
          'conflict',
          `Failed to start a run: ${running} runs are already going on. Expected at most ${MAX_RUNNING} at once; wait for one to finish (GET /api/runs/{run}).`,
          { running },
        );
      }
      const record: RunRecord = {
        run_id: nanoid(12),
        partner: partner.id,
        status: 'running',
        started_at: new Date().toISOString(),
        journeys: selection.journeys.map((j) => ({ id: j.id, title: j.title, status: 'pending' })),
      };
      runs.set(record.run_id, record);
      forgetOld(runs);
      const stopper = new AbortController();
      stoppers.set(record, stopper);
      // Progress and the run's calls go out as events (the UI follows them instead of polling);
      // the calls are tagged with the run, they are not in this server's journal.
      const announce = () => {
        const { report: _report, ...rest } = runView(record);
        ctx.store.notify({ type: 'run', run: { ...rest, summary: record.report?.summary } });
      };
      const runStore = new ObservableStore(new runner.MemoryStore());
      runStore.subscribe((ev) => {
        if (ev.type === 'exchange')
          ctx.store.notify({ type: 'exchange', exchange: ev.exchange, run_id: record.run_id });
      });
      const entry = (id: string) => record.journeys.find((j) => j.id === id);
      const settle = (r: JourneyReport) => {
        let e = entry(r.id);
        if (!e) record.journeys.push((e = { id: r.id, title: r.title, status: 'pending' }));
        Object.assign(e, { status: r.status, reason: r.reason, duration_ms: r.duration_ms });
      };
      void runner
        .runJourneys({
          config: partner.config,
          credentials: ctx.credentials.get(partner.id) ?? ctx.defaultCredentials,
          timeoutMs: ctx.timeoutMs,
          retryBackoffMs: ctx.retryBackoffMs,
          journeys: selection.journeys,
          strict: body.strict,
          signal: stopper.signal,
          store: runStore,
          onJourneyStart: (j) => {
            const e = entry(j.id);
            if (e) e.status = 'running';
            else record.journeys.push({ id: j.id, title: j.title, status: 'running' });
            announce();
          },
          onJourneyEnd: (r) => {
            settle(r);
            announce();
          },
        })
        .then(
          (report) => {
            for (const j of report.journeys) settle(j);
            record.report = report;
            record.status = stopper.signal.aborted ? 'stopped' : 'finished';
            record.finished_at = new Date().toISOString();
            stoppers.delete(record);
            announce();
          },
          (err: unknown) => {
            stoppers.delete(record);
            record.status = 'crashed';
            record.error = `Failed to finish the run: ${err instanceof Error ? err.message : String(err)}. Expected the run to end with a report; see the server log.`;
            record.finished_at = new Date().toISOString();
            announce();
          },
        );
      return { status: 202, body: runView(record) };
    },
  }),
  route({
    method: 'post',
    path: '/api/runs/{run}/stop',
    operationId: 'stopRun',
    tag,
    summary: 'Stop a run: the journey under way ends before its next call to the partner, the rest do not start',
    description:
      'The run then ends with status stopped and a report in which what did not run is skipped, saying why. A call already sent is awaited (at most the partner timeout).',
    what: 'stop the run',
    success: {
      status: 202,
      description: 'the run, with stop_requested_at; poll GET /api/runs/{run} for status stopped',
    },
    handle: ({ ctx, params }) => {
      const r = findRun(ctx, params.run!);
      const stopper = stoppers.get(r);
      if (!stopper) {
        throw new ApiError(
          'conflict',
          `Failed to stop run ${r.run_id}: it is ${r.status} already. Expected a run whose status is running.`,
          { run: r.run_id, status: r.status },
        );
      }
      r.stop_requested_at ??= new Date().toISOString();
      stopper.abort();
      const { report: _report, ...rest } = runView(r);
      ctx.store.notify({ type: 'run', run: rest });
      return { status: 202, body: runView(r) };
    },
  }),
  route({
    method: 'get',
    path: '/api/runs/{run}/report',
    operationId: 'getRunReport',
    tag,
    summary:
      "A finished run's report as the file `pcsim run --reporter` writes (html, json or junit): opened in the browser, or saved with ?download=1",
    what: 'download the run report',
    query: RunReportQuery,
    stream: true,
    success: {
      status: 200,
      description: 'the report file, Content-Disposition: inline (attachment with ?download=1)',
      contentType: 'text/html',
    },
    handle: async ({ ctx, params, query, res }) => {
      const r = findRun(ctx, params.run!);
      if (!r.report) {
        throw new ApiError(
          'conflict',
          `Failed to download the report of run ${r.run_id}: it is ${r.status}${r.status === 'crashed' ? ` (${r.error ?? 'no report'})` : ''}, so there is no report yet. Expected a run whose status is finished or stopped.`,
          { run: r.run_id, status: r.status },
        );
      }
      const format = query.format ?? 'html';
      const { type, ext, render: renderer } = REPORT_FILES[format];
      const render = (await engine())[renderer];
      // Opened in the browser: the page's own inline style may apply, nothing else (no scripts).
      if (format === 'html')
        res.set(
          'content-security-policy',
          "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        );
      res
        .status(200)
        .set({
          'content-type': `${type}; charset=utf-8`,
          'content-disposition': `${query.download === '1' || query.download === 'true' ? 'attachment' : 'inline'}; filename="pcsim-report-${r.run_id}.${ext}"`,
        })
        .send(render(r.report));
    },
  }),
  route({
    method: 'get',
    path: '/api/runs',
    operationId: 'listRuns',
    tag,
    summary: 'The runs started on this server, newest first (without their reports)',
    what: 'list the runs',
    success: { status: 200, description: '{runs: [run]}' },
    handle: ({ ctx }) => ({
      body: {
        runs: [...runsOf(ctx).values()].reverse().map((r) => {
          const { report: _report, ...rest } = runView(r);
          return { ...rest, summary: r.report?.summary };
        }),
      },
    }),
  }),
  route({
    method: 'get',
    path: '/api/runs/{run}',
    operationId: 'getRun',
    tag,
    summary: 'A run: its progress per journey and, once finished, the report of `pcsim run`',
    what: 'read the run',
    success: {
      status: 200,
      description:
        '{run_id, partner, status: running | finished | stopped | crashed, progress: {done, total, current}, journeys, report?, error?}',
    },
    handle: ({ ctx, params }) => {
      return { body: runView(findRun(ctx, params.run!)) };
    },
  }),
];
