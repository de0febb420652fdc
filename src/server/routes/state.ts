/**
 * State you can keep and time you can move: snapshots (in this process) and restore, export to
 * a file and import from one (secrets stay digests), and the simulated clock. All of it goes
 * through the Store interface (read / update), never a store's internals (state-transfer.ts).
 */
import { customAlphabet } from 'nanoid';
import { z } from 'zod';
import { stringifyJson } from '../../contract/json.js';
import type { State } from '../../databricks/model.js';
import { ApiError } from '../errors.js';
import { route, type ApiContext } from '../route.js';
import { applyCopy, countsOf, exportState, readExport } from '../state-transfer.js';

/** Snapshot ids are typed on the command line (`pcsim state restore ID`): never one that starts with `-`. */
const snapshotId = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 10);

const tag = 'state';
/** Snapshots kept per server (the oldest go first); they live in memory, export keeps one for good. */
const KEEP_SNAPSHOTS = 20;

interface Snapshot {
  id: string;
  name: string;
  taken_at: string;
  state: State;
}

const snapshotsByApp = new WeakMap<ApiContext, Snapshot[]>();
const snapshotsOf = (ctx: ApiContext) => {
  let list = snapshotsByApp.get(ctx);
  if (!list) snapshotsByApp.set(ctx, (list = []));
  return list;
};
const view = (s: Snapshot) => ({ id: s.id, name: s.name, taken_at: s.taken_at, counts: countsOf(s.state) });

function findSnapshot(ctx: ApiContext, id: string): Snapshot {
  const s = snapshotsOf(ctx).find((x) => x.id === id);
  if (!s)
    throw new ApiError(
      'not_found',
      `Failed to find snapshot ${id}: no such snapshot on this server (snapshots live in memory, the newest ${KEEP_SNAPSHOTS}). Expected an id from GET /api/snapshots.`,
      { snapshot: id },
    );
  return s;
}

export const SnapshotBody = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe('a name to recognise it by (default: the time it was taken)'),
});

export const ClockBody = z.strictObject({
  advance_seconds: z
    .number()
    .int()
    .min(0)
    .max(10 * 365 * 86400)
    .optional()
    .describe('move the simulated clock forward this many seconds (OAuth tokens live 3600 s)'),
  reset: z.literal(true).optional().describe('back to real time'),
});

export const ExportQuery = z.object({
  download: z
    .enum(['0', '1', 'true', 'false'])
    .optional()
    .describe('1: Content-Disposition attachment (default inline JSON)'),
});

const clockView = (ctx: ApiContext) => ({
  now: ctx.clock.now().toISOString(),
  offset_seconds: Math.round(ctx.clock.offset / 1000),
});

export const stateRoutes = [
  route({
    method: 'get',
    path: '/api/snapshots',
    operationId: 'listSnapshots',
    tag,
    summary: 'The snapshots taken on this server, newest first',
    what: 'list the snapshots',
    success: { status: 200, description: '{snapshots: [{id, name, taken_at, counts}]}' },
    handle: ({ ctx }) => ({ body: { snapshots: [...snapshotsOf(ctx)].reverse().map(view) } }),
  }),
  route({
    method: 'post',
    path: '/api/snapshots',
    operationId: 'takeSnapshot',
    tag,
    summary: 'Take a snapshot of the simulated Databricks (in memory), to restore later',
    what: 'take a snapshot',
    body: SnapshotBody,
    success: { status: 201, description: '{id, name, taken_at, counts}' },
    handle: ({ ctx, body }) => {
      const at = ctx.clock.now().toISOString();
      const snap: Snapshot = {
        id: snapshotId(),
        name: body?.name ?? `snapshot ${at.slice(0, 19).replace('T', ' ')}`,
        taken_at: at,
        state: structuredClone(ctx.store.read()) as State,
      };
      const list = snapshotsOf(ctx);
      list.push(snap);
      while (list.length > KEEP_SNAPSHOTS) list.shift();
      return { status: 201, body: view(snap) };
    },
  }),
  route({
    method: 'post',
    path: '/api/snapshots/{snapshot}/restore',
    operationId: 'restoreSnapshot',
    tag,
    summary: 'Put the simulated Databricks back as it was at a snapshot (partners registered since stay)',
    what: 'restore the snapshot',
    success: { status: 200, description: '{restored: id, counts}' },
    handle: async ({ ctx, params }) => {
      const snap = findSnapshot(ctx, params.snapshot!);
      const e = ctx.databricks.endpoint;
      await ctx.store.update((s) => applyCopy(s, snap.state, e, true));
      return { body: { restored: snap.id, counts: countsOf(ctx.store.read()) } };
    },
  }),
  route({
    method: 'delete',
    path: '/api/snapshots/{snapshot}',
    operationId: 'deleteSnapshot',
    tag,
    summary: 'Forget a snapshot',
    what: 'delete the snapshot',
    success: { status: 200, description: '{deleted: true, id}' },
    handle: ({ ctx, params }) => {
      const snap = findSnapshot(ctx, params.snapshot!);
      const list = snapshotsOf(ctx);
      list.splice(list.indexOf(snap), 1);
      return { body: { deleted: true, id: snap.id } };
    },
  }),
  route({
    method: 'get',
    path: '/api/state',
    operationId: 'exportState',
    tag,
    summary:
      'Export the simulated Databricks as one JSON file (secrets as digests, no signing keys; int64 values exact)',
    what: 'export the state',
    query: ExportQuery,
    stream: true,
    success: {
      status: 200,
      description: '{format: "pcsim-state", version, exported_at, state}',
      contentType: 'application/json',
    },
    handle: ({ ctx, query, res }) => {
      const at = ctx.clock.now();
      const file = `pcsim-state-${at.toISOString().slice(0, 19).replace(/[:T]/g, '-')}.json`;
      const download = query.download === '1' || query.download === 'true';
      res
        .status(200)
        .set({
          'content-type': 'application/json; charset=utf-8',
          'content-disposition': `${download ? 'attachment' : 'inline'}; filename="${file}"`,
        })
        .send(stringifyJson(exportState(ctx.store.read(), at), 1));
    },
  }),
  route({
    method: 'put',
    path: '/api/state',
    operationId: 'importState',
    tag,
    summary: 'Replace the simulated Databricks with an export (partners registered here stay; new signing keys)',
    description:
      'The file is checked whole first (format, version, collections, no secret in clear text): a refused import changes nothing.',
    what: 'import the state',
    parseBody: (raw) => raw,
    success: { status: 200, description: '{imported: true, counts}' },
    handle: async ({ ctx, body }) => {
      const read = readExport(body);
      if (!read.ok) {
        const n = read.problems.length;
        throw new ApiError(
          'validation_failed',
          `Failed to import the state: ${n} problem${n > 1 ? 's' : ''}, nothing was changed. ${read.problems.map((p) => `${p.field} ${p.message}`).join(' ')}`,
          { field: read.problems[0]!.field, problems: read.problems },
        );
      }
      const e = ctx.databricks.endpoint;
      await ctx.store.update((s) => applyCopy(s, read.copy.state, e, false));
      return { body: { imported: true, counts: countsOf(ctx.store.read()) } };
    },
  }),
  route({
    method: 'get',
    path: '/api/clock',
    operationId: 'getClock',
    tag,
    summary: 'The simulated clock: now, and how far it is ahead of real time',
    what: 'read the clock',
    success: { status: 200, description: '{now, offset_seconds}' },
    handle: ({ ctx }) => ({ body: clockView(ctx) }),
  }),
  route({
    method: 'post',
    path: '/api/clock',
    operationId: 'moveClock',
    tag,
    summary: 'Move the simulated clock forward (expire OAuth tokens and codes without waiting), or back to real time',
    what: 'move the clock',
    body: ClockBody,
    success: { status: 200, description: '{now, offset_seconds}' },
    handle: ({ ctx, body }) => {
      if (body.reset && body.advance_seconds !== undefined) {
        throw new ApiError(
          'validation_failed',
          'Failed to move the clock: both reset and advance_seconds are given. Expected one of them.',
          { field: 'reset' },
        );
      }
      if (!body.reset && body.advance_seconds === undefined) {
        throw new ApiError(
          'validation_failed',
          'Failed to move the clock: neither advance_seconds nor reset is given. Expected {"advance_seconds": N} or {"reset": true}.',
          { field: 'advance_seconds' },
        );
      }
      if (body.reset) ctx.clock.reset();
      else ctx.clock.advance(body.advance_seconds! * 1000);
      return { body: clockView(ctx) };
    },
  }),
];
