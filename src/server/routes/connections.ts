/**
 * The clicks: Connect / sign-in, the Databricks-side delete, and the partner-side test hooks.
 * A partner's misbehaviour is an outcome inside a 200 answer, never an API error: the admin
 * API only refuses what pcsim itself cannot do (unknown ids, bad bodies).
 */
import { DatabricksError } from '../../databricks/errors.js';
import type { ConnectOutcome } from '../../databricks/databricks.js';
import { route, type ApiContext } from '../route.js';
import {
  ConnectBody,
  DeleteAccountHookBody,
  DeleteConnectionHookBody,
  DeleteConnectionQuery,
  ExpireAccountHookBody,
  TestConnectionHookBody,
} from '../schemas.js';
import { connectionView, jsonSafe, resourcesView, verdictOf, verdictOfAll } from '../views.js';

const tag = 'connections';
const hooksTag = 'partner-side hooks';

export function connectView(ctx: ApiContext, o: ConnectOutcome) {
  const s = ctx.store.read();
  return {
    outcome: o.outcome,
    established: o.established,
    redirect_uri: o.redirect_uri,
    connection: o.connection ? connectionView(o.connection, s) : undefined,
    error: o.error,
    resources: resourcesView(o.resources, o.resources_kept ? 'active' : 'deleted'),
    resources_kept: o.resources_kept,
    exchange_ids: [o.exchange.id],
    verdict: verdictOf(o.exchange),
  };
}

/** The domain whose account delete-account removes: the connection creator's, by default. */
function defaultDomain(ctx: ApiContext, ws: string, partner: string): string {
  const c = ctx.databricks.connectionOf(ctx.databricks.workspace(ws).id, ctx.databricks.partner(partner).id);
  if (!c) {
    throw new DatabricksError(
      'invalid_input',
      `Failed to call delete-account for partner ${partner} in workspace ${ws}: domain is missing and Databricks holds no connection to take it from. Expected a body {"domain": "…"}.`,
      { field: 'domain' },
    );
  }
  return ctx.databricks.user(c.created_by).email.split('@')[1] ?? '';
}

const hookAnswer = (exchange: Parameters<typeof verdictOf>[0]) => ({
  status: exchange.response?.status ?? null,
  response: jsonSafe(exchange.response?.body ?? exchange.response?.body_text),
  exchange_ids: [exchange.id],
  verdict: verdictOf(exchange),
});

export const connectionRoutes = [
  route({
    method: 'post',
    path: '/api/workspaces/{ws}/partners/{partner}/connect',
    operationId: 'connect',
    tag,
    summary: "Click the partner's tile: Connect (new connection) or sign-in (Launch on an existing one)",
    description:
      'Databricks provisions resources, calls the partner (with its retry policy), opens the redirect_uri, and applies the outcome. The answer is 200 whatever the partner did: outcome connected | signed_in | not_configured | error, with the error screen the user would see and the contract verdict.',
    what: 'connect',
    body: ConnectBody,
    success: {
      status: 200,
      description: '{outcome, redirect_uri?, connection?, error?, resources, exchange_ids, verdict}',
    },
    handle: async ({ ctx, params, body }) => {
      const o = await ctx.databricks.connect(params.ws!, body.user_id, params.partner!, {
        catalog_name: body.catalog_name,
        destination_location: body.destination_location,
      });
      return { body: connectView(ctx, o) };
    },
  }),
  route({
    method: 'get',
    path: '/api/workspaces/{ws}/partners/{partner}/connection',
    operationId: 'getConnection',
    tag,
    summary: 'The connection Databricks holds for this partner in this workspace (404 when none)',
    what: 'read the connection',
    success: { status: 200, description: 'the connection with its resources (secrets redacted)' },
    handle: ({ ctx, params }) => {
      const ws = ctx.databricks.workspace(params.ws!);
      const p = ctx.databricks.partner(params.partner!);
      const c = ctx.databricks.connectionOf(ws.id, p.id);
      if (!c)
        throw new DatabricksError(
          'not_found',
          `Failed to find the connection of partner ${p.id} in workspace ${ws.id}: there is none. Expected a connection made with POST …/connect.`,
          { workspace: ws.id, partner: p.id },
        );
      return { body: connectionView(c, ctx.store.read()) };
    },
  }),
  route({
    method: 'delete',
    path: '/api/workspaces/{ws}/partners/{partner}/connection',
    operationId: 'deleteConnection',
    tag,
    summary: 'Delete the connection on the Databricks side',
    description:
      "Databricks deletes the connection's resources (tokens revoked) and calls the partner's delete-connection endpoint when it has one, recording resource_status. ?notify_partner=false forgets the connection without calling the partner (the P400 set-up).",
    what: 'delete the connection',
    query: DeleteConnectionQuery,
    success: { status: 200, description: '{deleted, resource_status?, exchange_ids, verdict?}' },
    handle: async ({ ctx, params, query }) => {
      const o = await ctx.databricks.deleteConnection(params.ws!, params.partner!, {
        notifyPartner: query.notify_partner,
      });
      return {
        body: {
          deleted: o.deleted,
          resource_status: o.resource_status,
          partner_notified: o.exchange !== undefined,
          exchange_ids: o.exchange ? [o.exchange.id] : [],
          verdict: o.exchange ? verdictOf(o.exchange) : undefined,
        },
      };
    },
  }),
  route({
    method: 'post',
    path: '/api/workspaces/{ws}/partners/{partner}/hooks/delete-connection',
    operationId: 'hookDeleteConnection',
    tag: hooksTag,
    summary: "Call the partner's delete-connection API as its own product would (Databricks keeps its connection)",
    what: 'call delete-connection',
    body: DeleteConnectionHookBody,
    success: { status: 200, description: '{status, response, exchange_ids, verdict}' },
    handle: async ({ ctx, params, body }) => ({
      body: hookAnswer(await ctx.databricks.partnerDeleteConnection(params.ws!, params.partner!, body?.connection_id)),
    }),
  }),
  route({
    method: 'post',
    path: '/api/workspaces/{ws}/partners/{partner}/hooks/delete-account',
    operationId: 'hookDeleteAccount',
    tag: hooksTag,
    summary: "Call the partner's delete-account API (test clean-up of an account by domain)",
    what: 'call delete-account',
    body: DeleteAccountHookBody,
    success: { status: 200, description: '{status, response, exchange_ids, verdict}' },
    handle: async ({ ctx, params, body }) => {
      const domain = body?.domain ?? defaultDomain(ctx, params.ws!, params.partner!);
      return { body: hookAnswer(await ctx.databricks.deleteAccount(params.ws!, params.partner!, domain)) };
    },
  }),
  route({
    method: 'post',
    path: '/api/workspaces/{ws}/partners/{partner}/hooks/expire-account',
    operationId: 'hookExpireAccount',
    tag: hooksTag,
    summary: "Call the partner's expire-account API: the user's trial ends (P700)",
    what: 'call expire-account',
    body: ExpireAccountHookBody,
    success: { status: 200, description: '{status, response, exchange_ids, verdict}' },
    handle: async ({ ctx, params, body }) => ({
      body: hookAnswer(await ctx.databricks.expireAccount(params.ws!, params.partner!, body.user_id)),
    }),
  }),
  route({
    method: 'post',
    path: '/api/workspaces/{ws}/partners/{partner}/hooks/test-connection',
    operationId: 'hookTestConnection',
    tag: hooksTag,
    summary: "Call the partner's test-connection API",
    what: 'call test-connection',
    body: TestConnectionHookBody,
    success: { status: 200, description: '{status, response, exchange_ids, verdict}' },
    handle: async ({ ctx, params, body }) => ({
      body: hookAnswer(await ctx.databricks.testConnection(params.ws!, params.partner!, body?.connection_id)),
    }),
  }),
  route({
    method: 'get',
    path: '/api/partners/{partner}/connectors',
    operationId: 'listConnectors',
    tag: hooksTag,
    summary: "Read the partner's connector list, following pagination_token",
    what: 'list the connectors',
    success: { status: 200, description: '{connectors, pages, exchange_ids, verdict}' },
    handle: async ({ ctx, params }) => {
      const r = await ctx.databricks.connectors(params.partner!);
      return {
        body: {
          connectors: jsonSafe(r.connectors),
          pages: r.exchanges.length,
          exchange_ids: r.exchanges.map((e) => e.id),
          verdict: verdictOfAll(r.exchanges, r.stopped ? { stopped: r.stopped } : {}),
        },
      };
    },
  }),
];
