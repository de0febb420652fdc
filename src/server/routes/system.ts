/** Health, reset, the manual-journey checklist, and the OpenAPI document. */
import { ApiError } from '../errors.js';
import { route } from '../route.js';
import { ChecklistBody, ResetBody } from '../schemas.js';

/** The catalogue's parsed files, loaded by the first checklist call, not at start-up. */
const catalogue = async () => (await import('../../journeys/catalogue.js')).CATALOGUE;

const tag = 'system';

export const systemRoutes = [
  route({
    method: 'get',
    path: '/api/health',
    operationId: 'health',
    tag,
    summary: 'Liveness: the version, and counts of what the state holds',
    what: 'check health',
    success: { status: 200, description: '{status: "ok", version, uptime_s, counts, workspace_endpoint}' },
    handle: ({ ctx }) => {
      const s = ctx.store.read();
      const e = ctx.databricks.endpoint;
      return {
        body: {
          status: 'ok',
          version: ctx.version,
          uptime_s: Math.round((Date.now() - ctx.startedAt.getTime()) / 1000),
          counts: {
            workspaces: s.workspaces.length,
            users: s.users.length,
            partners: s.partners.length,
            connections: s.connections.length,
            journal: s.journal.length,
            journal_dropped: s.journal_dropped,
          },
          workspace_endpoint: `${e.scheme}://${e.hostname}:${e.port}`,
        },
      };
    },
  }),
  route({
    method: 'post',
    path: '/api/reset',
    operationId: 'reset',
    tag,
    summary:
      'Empty the state (workspaces, users, connections, resources, journal, checklist); partners stay registered',
    what: 'reset the state',
    body: ResetBody,
    success: { status: 200, description: '{reset: true, seeded}' },
    handle: async ({ ctx, body }) => {
      await ctx.store.update((s) => {
        s.workspaces = [];
        s.users = [];
        s.connections = [];
        s.resources = [];
        s.journal = [];
        s.journal_dropped = 0;
        s.checklist = [];
      });
      if (body?.seed) await ctx.seed();
      return { body: { reset: true, seeded: body?.seed === true } };
    },
  }),
  route({
    method: 'get',
    path: '/api/partners/{partner}/checklist',
    operationId: 'getChecklist',
    tag: 'journeys',
    summary: 'The manual checks of the onboarding journeys for a partner, with the ticks saved so far',
    what: 'read the checklist',
    success: { status: 200, description: '{items: [{journey_id, title, checks, done, note, at}]}' },
    handle: async ({ ctx, params }) => {
      const CATALOGUE = await catalogue();
      const p = ctx.databricks.partner(params.partner!);
      const ticks = ctx.store.read().checklist.filter((t) => t.partner_id === p.id);
      return {
        body: {
          items: CATALOGUE.filter((j) => j.manual && j.manual.length > 0).map((j) => {
            const t = ticks.find((x) => x.journey_id === j.id);
            return {
              journey_id: j.id,
              title: j.title,
              checks: j.manual,
              done: t?.done ?? false,
              note: t?.note,
              at: t?.at,
            };
          }),
        },
      };
    },
  }),
  route({
    method: 'put',
    path: '/api/partners/{partner}/checklist/{journey}',
    operationId: 'tickChecklist',
    tag: 'journeys',
    summary: 'Tick (or untick) a manual journey, with an optional note',
    what: 'tick the checklist',
    body: ChecklistBody,
    success: { status: 200, description: 'the tick' },
    handle: async ({ ctx, params, body }) => {
      const p = ctx.databricks.partner(params.partner!);
      const CATALOGUE = await catalogue();
      const j = CATALOGUE.find((x) => x.id === params.journey);
      if (!j)
        throw new ApiError(
          'not_found',
          `Failed to tick journey ${params.journey}: no such journey. Expected one of ${CATALOGUE.map((x) => x.id).join(', ')}.`,
          { journey: params.journey },
        );
      const tick = {
        partner_id: p.id,
        journey_id: j.id,
        done: body.done,
        note: body.note,
        at: new Date().toISOString(),
      };
      await ctx.store.update((s) => {
        s.checklist = s.checklist.filter((t) => !(t.partner_id === p.id && t.journey_id === j.id));
        s.checklist.push(tick);
      });
      return { body: tick };
    },
  }),
];
