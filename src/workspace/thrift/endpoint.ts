/**
 * POST {http_path}: the Thrift endpoint of the simulated SQL warehouse (TCLIService, binary
 * protocol over HTTP, as the JDBC/ODBC drivers and @databricks/sql send it). Credentials are
 * checked before any Thrift is read, as Databricks does: no or a malformed Authorization header
 * is 401, a token the workspace does not accept is 403. Every call is recorded as activity (so
 * it counts for P200/P201 like REST calls). The Thrift runtime loads on the first request.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { resourcesByHttpPath } from '../../databricks/indexes.js';
import type { State } from '../../databricks/model.js';
import type { Store } from '../../store/types.js';
import { callerOf, recordActivity } from '../activity.js';
import { WorkspaceApiError } from '../errors.js';
import type { SqlEngine } from '../sql.js';
import { resolveBearer, type Principal } from '../tokens.js';

type Service = typeof import('./service.js');
type CallRecord = import('./service.js').CallRecord;

/** Warehouse paths the drivers call: Databricks' own forms, and any http_path a payload named. */
const SQL_PATH = /^\/sql\/(1\.0\/(warehouses|endpoints)|protocolv1\/o\/\d+)\/[^/]+$/;
export const isThriftPath = (state: Readonly<State>, path: string) =>
  SQL_PATH.test(path) || resourcesByHttpPath(state, path).length > 0;

/** The JDBC/ODBC drivers send a PAT as Basic `token:<PAT>` (AuthMech=3); the rest send Bearer. */
function bearerOf(header: string | undefined): string | undefined {
  const basic = header && /^Basic\s+(\S+)\s*$/i.exec(header);
  if (!basic) return header;
  const [user, ...rest] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
  return user === 'token' ? `Bearer ${rest.join(':')}` : header;
}

export function createThriftEndpoint(deps: { store: Store; engine: SqlEngine; now: () => Date }) {
  let service: Promise<{ mod: Service; sessions: InstanceType<Service['ThriftSessions']> }> | undefined;
  const load = () => (service ??= import('./service.js').then((mod) => ({ mod, sessions: new mod.ThriftSessions() })));
  const raw = express.raw({ type: () => true, limit: '64mb' });

  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST' || !isThriftPath(deps.store.read(), req.path)) return next();
    raw(req, res, async (err?: unknown) => {
      if (err) return next(err);
      const at = deps.now();
      const path = req.path;
      let principal: Principal;
      try {
        principal = resolveBearer(deps.store.read(), bearerOf(req.get('authorization')), at);
      } catch (e) {
        if (!(e instanceof WorkspaceApiError)) return next(e);
        const missing = !req.get('authorization') || /no Authorization header|scheme/.test(e.message);
        const status = missing ? 401 : 403;
        const r = e.resources;
        if (r)
          await recordActivity(
            deps.store,
            {
              ...callerOf(r),
              method: 'POST',
              path,
              status,
              kind: 'auth',
              ok: false,
              error: e.message,
            },
            at,
          );
        if (missing) res.set('WWW-Authenticate', 'Bearer realm="pcsim workspace"');
        res
          .status(status)
          .type('application/json')
          .send(
            JSON.stringify({
              error_code: missing ? 'UNAUTHENTICATED' : 'PERMISSION_DENIED',
              message: missing ? e.message : `Invalid access token. ${e.message}`,
            }),
          );
        return;
      }
      const warehouse = resourcesByHttpPath(deps.store.read(), path).find(
        (r) => r.workspace_id === principal.workspace_id && r.status === 'active',
      );
      if (!warehouse && !SQL_PATH.test(path)) return next();
      if (!warehouse) {
        await recordActivity(
          deps.store,
          {
            ...callerOf(principal.resources),
            method: 'POST',
            path,
            status: 404,
            kind: 'query',
            auth: principal.auth,
            ok: false,
            error: 'no such SQL warehouse',
          },
          at,
        );
        res
          .status(404)
          .type('application/json')
          .send(
            JSON.stringify({
              error_code: 'RESOURCE_DOES_NOT_EXIST',
              message: `Failed to open ${path}: no SQL warehouse has this http_path in workspace ${principal.workspace_id}. Expected the http_path of the Connect request.`,
            }),
          );
        return;
      }
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (body.length === 0) {
        res
          .status(400)
          .type('text/plain')
          .send(
            'Failed to read the Thrift request: the body is empty. Expected a TCLIService call in the binary protocol (Content-Type: application/x-thrift).',
          );
        return;
      }
      try {
        const { mod, sessions } = await load();
        const record = (entry: CallRecord) =>
          recordActivity(
            deps.store,
            {
              ...callerOf(principal.resources),
              method: 'POST',
              path,
              status: 200,
              auth: principal.auth,
              ...entry,
            },
            deps.now(),
          ).then(() => undefined);
        const handler = mod.createHandler(sessions, {
          principal,
          store: deps.store,
          engine: deps.engine,
          now: deps.now,
          record,
        });
        const reply = await mod.processMessage(handler, body);
        res.status(200).type('application/x-thrift').send(reply);
      } catch (e) {
        res
          .status(400)
          .type('text/plain')
          .send(
            `Failed to read the Thrift request: ${(e as Error).message}. Expected a TCLIService call in the binary protocol (Content-Type: application/x-thrift).`,
          );
      }
    });
  };
}
