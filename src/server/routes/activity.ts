/** What partners did in a workspace with the credentials they were given, and P200/P201 judged live from it. */
import { z } from 'zod';
import { route } from '../route.js';
import { limitParam } from '../schemas.js';
import { pageNewestFirst, pageToken } from '../pagination.js';
import { connectionsOfWorkspace } from '../../databricks/indexes.js';
import { resourceById } from '../../databricks/indexes.js';
import { activityOf } from '../../workspace/activity.js';
import { p200Verdict, p201Verdict } from '../../workspace/verdicts.js';

const ActivityQuery = z.object({
  limit: limitParam('calls'),
  page_token: pageToken,
  partner: z.string().min(1).optional().describe('only calls with the credentials of this partner'),
});

export const activityRoutes = [
  route({
    method: 'get',
    path: '/api/workspaces/{ws}/activity',
    operationId: 'getWorkspaceActivity',
    tag: 'workspaces',
    summary: "The partners' calls into the workspace (no tokens), with live P200/P201 verdicts per connection",
    what: 'read the workspace activity',
    query: ActivityQuery,
    success: {
      status: 200,
      description:
        '{activity: [call], total, next_page_token?, connections: [{partner_id, connection_id, resources_id, destination_location, verdicts: {P200, P201}}]}',
    },
    handle: ({ ctx, params, query }) => {
      const ws = ctx.databricks.workspace(params.ws!);
      const s = ctx.store.read();
      const all = activityOf(s, { workspace_id: ws.id }).filter(
        (a) => query.partner === undefined || a.partner_id === query.partner,
      );
      const connections = connectionsOfWorkspace(s, ws.id)
        .filter((c) => query.partner === undefined || c.partner_id === query.partner)
        .flatMap((c) => {
          const resources = resourceById(s, c.resources_id);
          const partner = s.partners.find((p) => p.id === c.partner_id);
          if (!resources || !partner) return [];
          const activity = all.filter((a) => a.resources_id === resources.id);
          return [
            {
              partner_id: c.partner_id,
              connection_id: c.connection_id,
              resources_id: resources.id,
              destination_location: resources.destination_location ?? null,
              calls: activity.length,
              verdicts: {
                P200: p200Verdict({ config: partner.config, resources, activity }),
                P201: p201Verdict([{ resources, activity }]),
              },
            },
          ];
        });
      const p = pageNewestFirst(all, query);
      return { body: { activity: p.items, total: all.length, next_page_token: p.next_page_token, connections } };
    },
  }),
];
