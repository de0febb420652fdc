/**
 * createWorkspaceRouter: the simulated workspace a partner's product calls back with the
 * credentials from the Connect payload — OAuth (/oidc), REST and SQL (/api/2.0, /api/2.1). Every
 * authenticated call (and every refused credential that names a connection) is recorded as
 * activity; P200/P201 are judged from it (verdicts.ts).
 *
 * Mounted by `pcsim serve` next to the admin API (which sends /api/2.x past its own routes), and
 * by `pcsim run --wait-core` on its own loopback port.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { stringifyExactJson, tryParseJson } from '../contract/json.js';
import type { Databricks, WorkspaceEndpoint } from '../databricks/databricks.js';
import { lookup } from '../databricks/lookup.js';
import type { Store } from '../store/types.js';
import { callerOf, recordActivity } from './activity.js';
import { textBody } from './body.js';
import { WorkspaceApiError } from './errors.js';
import { createOAuthRouter } from './oauth.js';
import { getCatalog, getSchema, getTable, listCatalogs, listSchemas, listTables } from './rest/catalog.js';
import { getCluster, getWarehouse, listClusters20, listClusters21, listWarehouses } from './rest/compute.js';
import type { RestHandler } from './rest/context.js';
import { getStatus, importObject } from './rest/files.js';
import {
  getGroup,
  getServicePrincipal,
  getUser,
  listGroups,
  listServicePrincipals,
  listUsers,
  me,
} from './rest/identity.js';
import { createToken, deleteToken, listTokens } from './rest/tokens.js';
import { cancelStatement, executeStatement, getStatement, getStatementChunk, StatementCache } from './statements.js';
import { SqlEngine } from './sql.js';
import { resolveBearer, type Principal } from './tokens.js';
import { createThriftEndpoint, isThriftPath } from './thrift/endpoint.js';

export interface WorkspaceRouterDeps {
  store: Store;
  databricks?: Databricks;
  endpoint?: WorkspaceEndpoint;
  now?: () => Date;
  /** The SQL engine (default: a new one, recreating tables recorded in State.sql_tables). */
  engine?: SqlEngine;
  /** Request body limit of the REST APIs (default 10mb: notebooks are imported inline). */
  bodyLimit?: string;
}

/** Paths the OAuth router (oauth.ts) serves: /oidc/… and the /.well-known/… discovery documents. */
const OAUTH_PATH = /^\/(oidc\/|\.well-known\/)/i; // express matches routes case-insensitively

const STATEMENTS = '/api/2.0/sql/statements';

/** Paths of the workspace REST APIs (the admin API lets them through). */
export const WORKSPACE_API_PATH = /^\/api\/2\.\d+\//;

/**
 * Writes a JSON answer straight to the socket: the workspace's answers are for programs, so they need
 * none of Express's send (ETag, freshness, charset sniffing). Headers set before (WWW-Authenticate) stay.
 */
function send(res: Response, status: number, body: unknown): void {
  const text = stringifyExactJson(body);
  res.writeHead(status, {
    'cache-control': 'no-store',
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

/** Why a request's body could not be read (body-parser's error types), as a workspace error. */
function unreadableBody(err: unknown, limit: string): WorkspaceApiError {
  const e = err as { type?: string; message?: string };
  const why =
    e.type === 'entity.too.large'
      ? `it is larger than ${limit}. Expected at most ${limit}`
      : e.type === 'encoding.unsupported' || e.type === 'charset.unsupported'
        ? `${e.message ?? 'unsupported encoding'}. Expected UTF-8 JSON`
        : `${e.message ?? 'unreadable'}. Expected a complete JSON body`;
  return new WorkspaceApiError('MALFORMED_REQUEST', `Failed to read the request body: ${why}.`);
}

export function createWorkspaceRouter(deps: WorkspaceRouterDeps): Router {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  const engine =
    deps.engine ??
    new SqlEngine((ws) => [...lookup(store.read().sql_tables ?? [], 'workspace', (t) => t.workspace_id, ws)]);
  const statements = new StatementCache();
  const router = express.Router();
  const limit = deps.bodyLimit ?? '10mb';
  const read = textBody(limit);
  // A body that cannot be read is answered here, as the workspace answers (`{error_code, message}`), not
  // by the admin API's error handler.
  const text = (req: Request, res: Response, next: NextFunction) =>
    read(req, res, (err?: unknown) => (err ? send(res, 400, unreadableBody(err, limit).toBody()) : next()));

  /** A REST handler as a route's last function: credentials, the call, its activity, the answer. */
  const served = (path: string, handler: RestHandler) => async (req: Request, res: Response) => {
    const at = now();
    let principal: Principal | undefined;
    try {
      const raw = typeof req.body === 'string' ? req.body : '';
      let body: unknown;
      if (raw.trim() !== '') {
        const parsed = tryParseJson(raw);
        if (!parsed.ok)
          throw new WorkspaceApiError(
            'MALFORMED_REQUEST',
            `Failed to read the request body: it is not valid JSON (${parsed.message}). Expected a JSON object.`,
          );
        body = parsed.value;
      }
      const state = store.read();
      principal = resolveBearer(state, req.get('authorization'), at);
      const result = await handler({
        state,
        principal,
        req,
        body,
        now: at,
        store,
        engine,
        statements,
        host: req.get('host') ?? 'localhost',
      });
      await recordActivity(
        store,
        {
          ...callerOf(principal.resources),
          method: req.method,
          path: req.path,
          status: result.status,
          kind: result.kind,
          auth: principal.auth,
          ok: result.ok ?? (result.status >= 200 && result.status < 300),
          detail: result.detail,
          table: result.table,
          catalogs: result.catalogs,
          error: result.error,
        },
        at,
      );
      send(res, result.status, result.body);
    } catch (err) {
      if (!(err instanceof WorkspaceApiError)) throw err;
      const r = principal?.resources ?? err.resources;
      if (r)
        await recordActivity(
          store,
          {
            ...callerOf(r),
            method: req.method,
            path: req.path,
            status: err.status,
            kind: principal ? kindOf(path) : 'auth',
            auth: principal?.auth,
            ok: false,
            error: err.reason ?? err.message,
          },
          at,
        );
      // RFC 6750 §3: a 401 names the scheme to use.
      if (err.status === 401) res.set('WWW-Authenticate', 'Bearer realm="pcsim workspace"');
      send(res, err.status, err.toBody());
    }
  };
  const api = (method: 'get' | 'post', path: string, handler: RestHandler) =>
    router[method](path, text, served(path, handler));

  // Only OAuth paths enter the OAuth router: every other request would walk its routes for nothing.
  const oauth = createOAuthRouter({ store, now });
  // POST /api/2.0/sql/statements, the most frequent call by far, goes straight to its handler: the
  // Thrift endpoint and the route below would take it the same way (an exact path, no params), after
  // two more layers and a route dispatch per statement.
  const execute = served(STATEMENTS, executeStatement);
  router.use((req, res, next) => {
    if (OAUTH_PATH.test(req.path)) return oauth(req, res, next);
    if (req.method !== 'POST' || req.path !== STATEMENTS || isThriftPath(store.read(), req.path)) return next();
    text(req, res, () => void execute(req, res).catch(next)); // an unreadable body is answered by `text` itself
  });
  // POST {http_path}: the SQL warehouse's Thrift endpoint (the JDBC/ODBC drivers, @databricks/sql).
  router.use(createThriftEndpoint({ store, engine, now }));

  // The Statement Execution API first: the most frequent calls match the first routes they meet.
  api('post', STATEMENTS, executeStatement);
  api('post', `${STATEMENTS}/`, executeStatement);
  api('get', '/api/2.0/sql/statements/:id', getStatement);
  api('get', '/api/2.0/sql/statements/:id/result/chunks/:index', getStatementChunk);
  api('post', '/api/2.0/sql/statements/:id/cancel', cancelStatement);
  const scim = '/api/2.0/preview/scim/v2';
  api('get', `${scim}/Me`, me);
  api('get', `${scim}/Users`, listUsers);
  api('get', `${scim}/Users/:id`, getUser);
  api('get', `${scim}/ServicePrincipals`, listServicePrincipals);
  api('get', `${scim}/ServicePrincipals/:id`, getServicePrincipal);
  api('get', `${scim}/Groups`, listGroups);
  api('get', `${scim}/Groups/:id`, getGroup);
  api('post', '/api/2.0/token/create', createToken);
  api('get', '/api/2.0/token/list', listTokens);
  api('post', '/api/2.0/token/delete', deleteToken);
  api('get', '/api/2.0/sql/warehouses', listWarehouses);
  api('get', '/api/2.0/sql/warehouses/:id', getWarehouse);
  api('get', '/api/2.0/clusters/get', getCluster);
  api('get', '/api/2.1/clusters/get', getCluster);
  api('get', '/api/2.0/clusters/list', listClusters20);
  api('get', '/api/2.1/clusters/list', listClusters21);
  const uc = '/api/2.1/unity-catalog';
  api('get', `${uc}/catalogs`, listCatalogs);
  api('get', `${uc}/catalogs/:name`, getCatalog);
  api('get', `${uc}/schemas`, listSchemas);
  api('get', `${uc}/schemas/:full_name`, getSchema);
  api('get', `${uc}/tables`, listTables);
  api('get', `${uc}/tables/:full_name`, getTable);
  api('get', '/api/2.0/workspace/get-status', getStatus);
  api('post', '/api/2.0/workspace/import', importObject);

  router.use((req, res, next) => {
    if (!WORKSPACE_API_PATH.test(req.path)) return next();
    send(res, 404, { error_code: 'ENDPOINT_NOT_FOUND', message: `No API found for '${req.method} ${req.path}'` });
  });
  return router;
}

function kindOf(path: string): 'query' | 'notebook' | 'read' {
  if (path.includes('/sql/statements')) return 'query';
  if (path.includes('/workspace/import')) return 'notebook';
  return 'read';
}
