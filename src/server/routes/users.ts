/** The users of a workspace: who clicks the tile. */
import { CreateUserBody, PatchUserBody } from '../schemas.js';
import { route } from '../route.js';
import { usersOfWorkspace } from '../../databricks/indexes.js';
import { userView } from '../views.js';
import { page, PageQuery } from '../pagination.js';

const tag = 'users';

export const userRoutes = [
  route({
    method: 'get',
    path: '/api/workspaces/{ws}/users',
    operationId: 'listUsers',
    tag,
    summary: 'List the users of a workspace',
    what: 'list the users of the workspace',
    query: PageQuery('users'),
    success: { status: 200, description: '{users: [user], next_page_token?}, a page at a time' },
    handle: ({ ctx, params, query }) => {
      const ws = ctx.databricks.workspace(params.ws!);
      const p = page(usersOfWorkspace(ctx.store.read(), ws.id), query);
      return { body: { users: p.items.map(userView), next_page_token: p.next_page_token } };
    },
  }),
  route({
    method: 'post',
    path: '/api/workspaces/{ws}/users',
    operationId: 'addUser',
    tag,
    summary: 'Add a user to a workspace',
    description:
      'An email already known to this Databricks joins with its existing user id (one user, several workspaces).',
    what: 'add the user',
    body: CreateUserBody,
    success: { status: 201, description: 'the user' },
    handle: async ({ ctx, params, body }) => ({
      status: 201,
      body: userView(await ctx.databricks.addUser(params.ws!, body)),
    }),
  }),
  route({
    method: 'patch',
    path: '/api/workspaces/{ws}/users/{user}',
    operationId: 'updateUser',
    tag,
    summary: "Change a member's names or admin flag",
    what: 'update the user',
    body: PatchUserBody,
    success: { status: 200, description: 'the user' },
    handle: async ({ ctx, params, body }) => ({
      body: userView(await ctx.databricks.updateUser(params.ws!, params.user!, body)),
    }),
  }),
  route({
    method: 'delete',
    path: '/api/workspaces/{ws}/users/{user}',
    operationId: 'removeUser',
    tag,
    summary: 'Remove a user from a workspace',
    what: 'remove the user',
    success: { status: 200, description: '{deleted: true, workspace_id, user_id}' },
    handle: async ({ ctx, params }) => {
      await ctx.databricks.removeUser(params.ws!, params.user!);
      return { body: { deleted: true, workspace_id: params.ws, user_id: params.user } };
    },
  }),
];
