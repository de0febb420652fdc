/** Workspaces: the Databricks workspaces a partner engineer clicks around in. */
import { CreateWorkspaceBody, PatchWorkspaceBody } from '../schemas.js';
import { route, type ApiContext } from '../route.js';
import { connectionsOfWorkspace, resourcesOfWorkspace, usersOfWorkspace } from '../../databricks/indexes.js';
import { connectionView, resourcesView, userView, workspaceView } from '../views.js';
import { page, PageQuery } from '../pagination.js';

const tag = 'workspaces';

/** One workspace with everything the UI shows of it. */
export function workspaceDetail(ctx: ApiContext, id: string) {
  const ws = ctx.databricks.workspace(id);
  const s = ctx.store.read();
  return {
    ...workspaceView(ws, s, ctx.databricks.endpoint.scheme),
    users: usersOfWorkspace(s, ws.id).map(userView),
    connections: connectionsOfWorkspace(s, ws.id).map((c) => connectionView(c, s)),
    resources: resourcesOfWorkspace(s, ws.id).map((r) => resourcesView(r)),
  };
}

export const workspaceRoutes = [
  route({
    method: 'get',
    path: '/api/workspaces',
    operationId: 'listWorkspaces',
    tag,
    summary: 'List the workspaces',
    what: 'list the workspaces',
    query: PageQuery('workspaces'),
    success: {
      status: 200,
      description: '{workspaces: [workspace], next_page_token?}, oldest first, a page at a time',
    },
    handle: ({ ctx, query }) => {
      const s = ctx.store.read();
      const p = page(s.workspaces, query);
      return {
        body: {
          workspaces: p.items.map((w) => workspaceView(w, s, ctx.databricks.endpoint.scheme)),
          next_page_token: p.next_page_token,
        },
      };
    },
  }),
  route({
    method: 'post',
    path: '/api/workspaces',
    operationId: 'createWorkspace',
    tag,
    summary: 'Create a workspace',
    description: 'Every field is optional; the id is a fresh int64 above 2^53 unless given.',
    what: 'create a workspace',
    body: CreateWorkspaceBody,
    success: { status: 201, description: 'the workspace' },
    handle: async ({ ctx, body }) => {
      const ws = await ctx.databricks.createWorkspace(body);
      return { status: 201, body: workspaceDetail(ctx, ws.id) };
    },
  }),
  route({
    method: 'get',
    path: '/api/workspaces/{ws}',
    operationId: 'getWorkspace',
    tag,
    summary: 'A workspace with its users, connections and provisioned resources (secrets redacted)',
    what: 'read the workspace',
    success: { status: 200, description: 'the workspace' },
    handle: ({ ctx, params }) => ({ body: workspaceDetail(ctx, params.ws!) }),
  }),
  route({
    method: 'patch',
    path: '/api/workspaces/{ws}',
    operationId: 'updateWorkspace',
    tag,
    summary: 'Change a workspace (name, demo flag, cloud…)',
    what: 'update the workspace',
    body: PatchWorkspaceBody,
    success: { status: 200, description: 'the workspace' },
    handle: async ({ ctx, params, body }) => {
      await ctx.databricks.updateWorkspace(params.ws!, body);
      return { body: workspaceDetail(ctx, params.ws!) };
    },
  }),
  route({
    method: 'delete',
    path: '/api/workspaces/{ws}',
    operationId: 'deleteWorkspace',
    tag,
    summary: 'Delete a workspace, its connections and their resources (the partner is not called)',
    what: 'delete the workspace',
    success: { status: 200, description: '{deleted: true, id}' },
    handle: async ({ ctx, params }) => {
      await ctx.databricks.deleteWorkspace(params.ws!);
      return { body: { deleted: true, id: params.ws } };
    },
  }),
];
