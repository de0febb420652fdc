/** The journal: every exchange with a partner, newest first, live over server-sent events. */
import { ApiError } from '../errors.js';
import { route } from '../route.js';
import { JournalQuery, RecordQuery } from '../schemas.js';
import type { JournalExchange } from '../../scenarios/record.js';
import { answerJsonWithList, exchangeAnswerJson, exchangeView } from '../views.js';
import { pageNewestFirst, pageToken } from '../pagination.js';
import type { Exchange } from '../../partner-client/types.js';

const tag = 'journal';

const EXCHANGE_EVENT = Buffer.from('event: exchange\ndata: ');
const EVENT_END = Buffer.from('\n\n');

/** An exchange's JSON with the run it belongs to, if any, as its last field. */
const withRunId = (json: Buffer, runId: string | undefined) =>
  runId ? Buffer.concat([json.subarray(0, -1), Buffer.from(`,"run_id":${JSON.stringify(runId)}}`)]) : json;

export const journalRoutes = [
  route({
    method: 'get',
    path: '/api/journal',
    operationId: 'listJournal',
    tag,
    summary: 'The exchanges with partners, newest first (secrets redacted)',
    what: 'read the journal',
    query: JournalQuery.extend({ page_token: pageToken }),
    success: {
      status: 200,
      description: '{exchanges: [exchange], total, dropped, next_page_token?}, newest first, a page at a time',
    },
    handle: ({ ctx, query }) => {
      const s = ctx.store.read();
      const keep = (e: Exchange) =>
        (query.partner === undefined || e.partner === query.partner) &&
        (query.workspace === undefined || e.workspace_id === query.workspace) &&
        (query.kind === undefined || e.kind === query.kind);
      const matching =
        query.partner === undefined && query.workspace === undefined && query.kind === undefined
          ? s.journal
          : s.journal.filter(keep);
      const p = pageNewestFirst(matching, query);
      return {
        json: answerJsonWithList('exchanges', p.items.map(exchangeAnswerJson), {
          total: matching.length,
          dropped: s.journal_dropped,
          next_page_token: p.next_page_token,
        }),
      };
    },
  }),
  route({
    method: 'get',
    path: '/api/recorded-scenario',
    operationId: 'recordScenario',
    tag,
    summary:
      'A slice of the journal as a scenario file that replays the same clicks (what `pcsim record` writes), as a download',
    what: 'record a scenario',
    query: RecordQuery,
    stream: true,
    success: {
      status: 200,
      description: 'the scenario file (YAML, or JSON with format=json), Content-Disposition: attachment',
      contentType: 'application/yaml',
    },
    handle: async ({ ctx, query, req, res }) => {
      // The recorder (YAML, the scenario schema) loads with the first recording, not at start-up.
      const { recordScenario, renderRecording } = await import('../../scenarios/record.js');
      const source = `${req.protocol}://${req.get('host') ?? 'localhost'}`;
      const name = query.name ?? `recorded-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}`;
      // The exchanges as GET /api/journal shows them (newest first: the recorder relies on that order for
      // same-millisecond exchanges), so the UI's download and `pcsim record --from URL` agree.
      const r = recordScenario(
        [...ctx.store.read().journal].reverse().map((e) => exchangeView(e) as unknown as JournalExchange),
        { workspace: query.workspace, partner: query.partner, limit: query.limit, name, source },
      );
      if ('error' in r)
        throw new ApiError('not_found', r.error, {
          workspace: query.workspace ?? null,
          partner: query.partner ?? null,
        });
      const format = query.format ?? 'yaml';
      const file = `${name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'scenario'}.${format === 'json' ? 'json' : 'yaml'}`;
      res
        .status(200)
        .set({
          'content-type': format === 'json' ? 'application/json; charset=utf-8' : 'application/yaml; charset=utf-8',
          'content-disposition': `attachment; filename="${file}"`,
        })
        .send(renderRecording(r, source, format));
    },
  }),
  route({
    method: 'get',
    path: '/api/journal/{id}',
    operationId: 'getExchange',
    tag,
    summary: 'One exchange: request, response, attempts, timing, redirect check, violations',
    what: 'read the exchange',
    success: { status: 200, description: 'the exchange' },
    handle: ({ ctx, params }) => {
      const e = ctx.store.read().journal.find((x) => x.id === params.id);
      if (!e)
        throw new ApiError(
          'not_found',
          `Failed to find exchange ${params.id}: it is not in the journal (it may have been dropped: the journal keeps the newest). Expected an id from GET /api/journal.`,
          { exchange: params.id },
        );
      return { json: exchangeAnswerJson(e) };
    },
  }),
  route({
    method: 'delete',
    path: '/api/journal',
    operationId: 'clearJournal',
    tag,
    summary: 'Empty the journal',
    what: 'clear the journal',
    success: { status: 200, description: '{cleared: N}' },
    handle: async ({ ctx }) => {
      const cleared = await ctx.store.update((s) => {
        const n = s.journal.length;
        s.journal = [];
        s.journal_dropped = 0;
        return n;
      });
      return { body: { cleared } };
    },
  }),
  route({
    method: 'get',
    path: '/api/events',
    operationId: 'events',
    tag,
    summary:
      "Server-sent events: `exchange` (a new journal entry), `attempt` (an attempt of a call still in flight: status or error, and the retry wait), `activity` (a call the partner made into the workspace) and `state` (which collections changed), `run` (a UI run's progress, without its report) and the exchanges of those runs (`exchange` with run_id)",
    what: 'follow the events',
    stream: true,
    success: { status: 200, description: 'text/event-stream', contentType: 'text/event-stream' },
    handle: ({ ctx, req, res }) => {
      res.status(200).set({
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.flushHeaders();
      res.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify({ version: ctx.version })}\n\n`);
      const unsubscribe = ctx.store.subscribe((event) => {
        if (event.type === 'exchange')
          res.write(
            Buffer.concat([EXCHANGE_EVENT, withRunId(exchangeAnswerJson(event.exchange), event.run_id), EVENT_END]),
          );
        else if (event.type === 'run') res.write(`event: run\ndata: ${JSON.stringify(event.run)}\n\n`);
        else if (event.type === 'activity') res.write(`event: activity\ndata: ${JSON.stringify(event.activity)}\n\n`);
        else if (event.type === 'attempt') res.write(`event: attempt\ndata: ${JSON.stringify(event.attempt)}\n\n`);
        else res.write(`event: state\ndata: ${JSON.stringify({ changed: event.changed })}\n\n`);
      });
      // A comment line now and then keeps proxies from closing an idle stream.
      const ping = setInterval(() => res.write(': ping\n\n'), 15000);
      ping.unref();
      const end = () => {
        clearInterval(ping);
        unsubscribe();
      };
      req.on('close', end);
      res.on('error', end);
    },
  }),
];
