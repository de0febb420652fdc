/**
 * createApp(deps): the Express app of `pcsim serve`, built without listening (tests call it in
 * process with a memory store). A request flows one way: guards (security headers, Host,
 * cross-site) → body read losslessly (int64 ids stay exact) → the route table (validate →
 * src/databricks → view) → one error handler that answers RFC 9457 problems (errors.ts).
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import { existsSync } from 'node:fs';
import { pathToField } from '../contract/diagnostics.js';
import { parseJsonNoting } from '../contract/json.js';
import type { Databricks } from '../databricks/databricks.js';
import type { Credentials } from '../partner-client/client.js';
import { DEFAULT_BASIC_PASSWORD, DEFAULT_BASIC_USER } from '../reference-partner/types.js';
import { ApiError, toApiError } from './errors.js';
import type { ObservableStore } from './observable-store.js';
import { openApiDocument } from './openapi.js';
import type { ApiContext, Route } from './route.js';
import { connectionRoutes } from './routes/connections.js';
import { journalRoutes } from './routes/journal.js';
import { partnerRoutes } from './routes/partners.js';
import { systemRoutes } from './routes/system.js';
import { userRoutes } from './routes/users.js';
import { workspaceRoutes } from './routes/workspaces.js';
import { activityRoutes } from './routes/activity.js';
import { runRoutes } from './routes/runs.js';
import { stateRoutes } from './routes/state.js';
import { Clock } from '../databricks/clock.js';
import { parsePathParams, validate } from './validation.js';
import { answerJson } from './views.js';

export const ROUTES: readonly Route[] = [
  ...systemRoutes,
  ...workspaceRoutes,
  ...userRoutes,
  ...partnerRoutes,
  ...connectionRoutes,
  ...journalRoutes,
  ...activityRoutes,
  ...runRoutes,
  ...stateRoutes,
];

export interface AppDeps {
  databricks: Databricks;
  store: ObservableStore;
  version: string;
  credentials?: Map<string, Credentials>;
  /** Credentials for partners registered without their own (default: the reference partner's). */
  defaultCredentials?: Credentials;
  timeoutMs?: number;
  retryBackoffMs?: readonly number[];
  seed?: () => Promise<void>;
  /** The web UI's static files (index.html…); absent: no UI. */
  publicDir?: string;
  /** More routers mounted before the UI (the simulated workspace's own APIs). */
  routers?: RequestHandler[];
  /** Request body limit (default 1mb). */
  bodyLimit?: string;
  /** Body limit of PUT /api/state, an import (default 64mb). */
  stateLimit?: string;
  /**
   * Host header names accepted (DNS-rebinding guard) when bound to loopback; undefined: any
   * (bound to 0.0.0.0 inside a container, the name is not known in advance).
   */
  allowedHosts?: string[];
  /** The simulated clock shared with Databricks and the workspace (default: real time, movable). */
  clock?: Clock;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The simulated workspace's REST APIs (/api/2.0, /api/2.1: src/workspace), mounted with their own errors. */
const WORKSPACE_API = /^\/api\/2\.\d+\//;

/** Sends JSON: every bigint becomes its exact decimal string, so the native writer is exact. */
function sendJson(res: Response, status: number, body: unknown): void {
  sendJsonText(res, status, status === 204 || status === 304 ? '' : answerJson(body));
}

function sendJsonText(res: Response, status: number, text: string | Buffer, type = 'application/json'): void {
  // Written on the response itself: Express's res.type, res.set and res.send run the Content-Type through
  // mime-types, whose tables the first answer would otherwise build (the bundle loads it on first use).
  // As res.send does: no body for 204 and 304, none for HEAD (Node drops it), no ETag (disabled below).
  res.statusCode = status;
  if (status === 204 || status === 304) return void res.end();
  res.setHeader('Content-Type', `${type}; charset=utf-8`);
  res.setHeader('Content-Length', typeof text === 'string' ? Buffer.byteLength(text) : text.length);
  res.end(text);
}

function hostOf(header: string | undefined): string {
  if (!header) return '';
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.replace(/:\d+$/, '');
}

/** Refuses state-changing requests from another site (CSRF): the UI is same-origin, curl sends no Origin. */
function crossSiteGuard(req: Request, _res: Response, next: NextFunction): void {
  if (!MUTATING.has(req.method)) return next();
  const site = req.get('sec-fetch-site');
  if (site === 'cross-site' || site === 'same-site') {
    return next(
      new ApiError(
        'cross_site_request',
        `Failed to ${req.method} ${req.originalUrl}: the request came from another site (Sec-Fetch-Site: ${site}). Expected requests from pcsim's own page, curl or scripts.`,
        { sec_fetch_site: site },
      ),
    );
  }
  const origin = req.get('origin');
  if (origin && origin !== 'null') {
    let originHost = '';
    try {
      originHost = new URL(origin).host.toLowerCase();
    } catch {
      /* an unparsable Origin is refused below */
    }
    if (originHost !== (req.get('host') ?? '').toLowerCase()) {
      return next(
        new ApiError(
          'cross_site_request',
          `Failed to ${req.method} ${req.originalUrl}: Origin ${origin} is not this server (${req.get('host')}). Expected requests from pcsim's own page, curl or scripts.`,
          { origin },
        ),
      );
    }
  } else if (origin === 'null') {
    return next(
      new ApiError(
        'cross_site_request',
        `Failed to ${req.method} ${req.originalUrl}: Origin null (a sandboxed or file: page). Expected requests from pcsim's own page, curl or scripts.`,
        { origin },
      ),
    );
  }
  next();
}

function hostGuard(allowed: string[] | undefined) {
  const names = allowed ? new Set(allowed.map((h) => h.toLowerCase())) : undefined;
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!names) return next();
    const host = hostOf(req.get('host'));
    if (names.has(host)) return next();
    next(
      new ApiError(
        'host_not_allowed',
        `Failed to serve ${req.path}: Host ${JSON.stringify(req.get('host') ?? '')} is not a name of this server. Expected one of ${[...names].join(', ')} (start with --host to listen on another address).`,
        { host: req.get('host') ?? '' },
      ),
    );
  };
}

/** Reads the body as text and parses it losslessly; JSON only. */
function jsonBody(limit: string) {
  const text = express.text({ type: () => true, limit, defaultCharset: 'utf-8' });
  return (req: Request, res: Response, next: NextFunction) => {
    text(req, res, (err?: unknown) => {
      if (err) return next(toApiError(err, limit, true));
      const raw = typeof req.body === 'string' ? req.body : '';
      if (raw.trim() === '') {
        req.body = undefined;
        return next();
      }
      const type = req.get('content-type') ?? '';
      if (!/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
        return next(
          new ApiError(
            'unsupported_encoding',
            `Failed to read the request body: Content-Type is ${JSON.stringify(type)}. Expected application/json.`,
            { content_type: type },
          ),
        );
      }
      let parsed: ReturnType<typeof parseJsonNoting>;
      try {
        parsed = parseJsonNoting(raw);
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e);
        return next(
          new ApiError(
            'malformed_json',
            `Failed to read the request body: it is not valid JSON (${reason}). Expected a JSON object.`,
            { reason },
          ),
        );
      }
      // No field of the admin API takes a number a double would round: quote what was sent, not the rounded value.
      const first = parsed.inexact[0];
      if (first) {
        const field = pathToField(first.path) || '(body)';
        return next(
          new ApiError(
            'validation_failed',
            `Failed to read ${field}: ${first.source} cannot be held exactly (a fractional number beyond double precision). Expected an int64 id as a decimal string or an exact JSON integer, or a number with fewer digits.`,
            { field, value: first.source },
          ),
        );
      }
      req.body = parsed.value;
      next();
    });
  };
}

const expressPath = (p: string) => p.replace(/\{(\w+)\}/g, ':$1');

export function createApp(deps: AppDeps): express.Express {
  const ctx: ApiContext = {
    databricks: deps.databricks,
    store: deps.store,
    version: deps.version,
    credentials: deps.credentials ?? new Map(),
    defaultCredentials: deps.defaultCredentials ?? { user: DEFAULT_BASIC_USER, password: DEFAULT_BASIC_PASSWORD },
    timeoutMs: deps.timeoutMs,
    retryBackoffMs: deps.retryBackoffMs,
    seed: deps.seed ?? (async () => undefined),
    startedAt: new Date(),
    clock: deps.clock ?? new Clock(),
  };
  const limit = deps.bodyLimit ?? '1mb';
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const security = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    // The UI opens partner redirect_uris in new tabs; they must not reach back (noopener on links too).
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    hsts: false, // plain http on localhost
  });
  // The browser headers guard the UI and the admin API; the simulated workspace's REST APIs answer
  // programs (SDKs, drivers) and set their own (src/workspace/router.ts).
  app.use((req, res, next) => (WORKSPACE_API.test(req.path) ? next() : security(req, res, next)));
  app.use(hostGuard(deps.allowedHosts));

  const api = express.Router();
  // Only /api: the mounted reference partner and the workspace APIs read their own bodies.
  api.use('/api', crossSiteGuard);
  // An import (PUT /api/state) carries the whole state: it gets a larger limit than the other bodies.
  const bodies = { small: jsonBody(limit), state: jsonBody(deps.stateLimit ?? '64mb') };
  api.use('/api', (req, res, next) =>
    (req.method === 'PUT' && req.path === '/state' ? bodies.state : bodies.small)(req, res, next),
  );
  api.use('/api', (_req, res, next) => {
    res.set('cache-control', 'no-store');
    next();
  });
  api.get('/api/openapi.json', (_req, res) => sendJson(res, 200, openApiDocument(ROUTES, deps.version)));
  for (const r of ROUTES) {
    api[r.method](expressPath(r.path), async (req: Request, res: Response, next: NextFunction) => {
      try {
        const params = parsePathParams(req.params as Record<string, string>, r.what);
        const raw = req.body === undefined && (r.body || r.parseBody) && r.method !== 'get' ? {} : req.body;
        const body = r.parseBody ? r.parseBody(raw, r.what) : r.body ? validate(r.body, raw, r.what) : undefined;
        const query = r.query ? validate(r.query, req.query, r.what, 'query') : req.query;
        const reply = await r.handle({ ctx, params, body, query, req, res });
        if (r.stream) return;
        const status = reply?.status ?? r.success.status;
        if (reply && 'json' in reply) sendJsonText(res, status, reply.json);
        else sendJson(res, status, reply?.body ?? {});
      } catch (err) {
        next(err);
      }
    });
  }
  // A known path with another method: 405 naming the allowed ones, not a misleading 404.
  api.all('/api/{*rest}', (req, _res, next) => {
    const allowed = ROUTES.filter((r) =>
      new RegExp(`^${expressPath(r.path).replace(/:\w+/g, '[^/]+')}$`).test(req.path),
    ).map((r) => r.method.toUpperCase());
    if (req.path === '/api/openapi.json') allowed.push('GET');
    if (allowed.length)
      return next(
        new ApiError(
          'method_not_allowed',
          `Failed to ${req.method} ${req.path}: this path does not take ${req.method}. Expected one of ${allowed.join(', ')}.`,
          { allowed },
        ),
      );
    next(
      new ApiError(
        'unknown_route',
        `Failed to find ${req.method} ${req.path}: no such route. Expected a path from /api/openapi.json.`,
        { path: req.path },
      ),
    );
  });
  // Only /api/… paths walk the admin routes: a Thrift call to /sql/… or a UI file goes straight on, and so do
  // the simulated workspace's REST APIs (/api/2.0, /api/2.1: src/workspace), mounted below with their own
  // errors. (Leaving a Router with next('router') costs a turn of the event loop: Express 5 defers it.)
  app.use((req: Request, res: Response, next: NextFunction) =>
    req.path.startsWith('/api/') && !WORKSPACE_API.test(req.path) ? api(req, res, next) : next(),
  );

  for (const router of deps.routers ?? []) app.use(router);
  if (deps.publicDir && existsSync(deps.publicDir))
    app.use(express.static(deps.publicDir, { index: 'index.html', fallthrough: true }));

  app.use((req: Request, _res: Response, next: NextFunction) =>
    next(
      new ApiError(
        'unknown_route',
        `Failed to find ${req.method} ${req.path}: no such page. Expected / (the UI) or /api/….`,
        { path: req.path },
      ),
    ),
  );
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = toApiError(err, limit);
    if (e.kind === 'internal')
      process.stderr.write(
        `pcsim: internal error on ${req.method} ${req.path}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
    if (res.headersSent) return res.end();
    if (e.kind === 'method_not_allowed') res.set('allow', (e.details.allowed as string[]).join(', '));
    sendJsonText(res, e.status, answerJson(e.toProblem(req.originalUrl.split('?')[0]!)), 'application/problem+json');
  });
  return app;
}
