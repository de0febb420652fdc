/**
 * The reference partner's HTTP routes: Basic auth, exact int64 JSON in and out, the contract
 * schemas for validation, the model for decisions, and the faults that distort the answers.
 * Built on the first request that reaches the partner (app.ts): registering the routes compiles
 * their paths, which `pcsim serve` need not pay for before its first answer.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import he from 'he';
import type { z } from 'zod';
import { issuesToViolations } from '../contract/diagnostics.js';
import { tryParseJson, stringifyJson } from '../contract/json.js';
import {
  ConnectRequest,
  DeleteAccountRequest,
  DeleteConnectionRequest,
  ExpireAccountRequest,
  TestConnectionRequest,
} from '../contract/messages.js';
import type { PartnerModel, ConnectAnswer, ErrorBody, Refusal } from './model.js';
import { useCredentials } from './core.js';
import type { Fault, Hook, ResolvedOptions } from './types.js';
const JSON_TYPE = 'application/json; charset=utf-8';
const HUGE_PADDING_BYTES = 2 * 1024 * 1024;
const BODY_LIMIT = '1mb';

/** The paths of the APIs; the config's endpoints point at them. */
export const PATHS = {
  connect: '/connect',
  get_connectors: '/connectors',
  test_connection: '/test-connection',
  delete_account: '/delete-account',
  expire_account: '/expire-account',
  delete_connection: '/delete-connection',
} as const satisfies Record<Hook | 'connect', string>;

function sendJson(res: Response, status: number, body: unknown, contentType = JSON_TYPE): void {
  res.status(status).set('Content-Type', contentType).send(stringifyJson(body));
}

const sendError = (res: Response, status: number, error: ErrorBody, contentType?: string) =>
  sendJson(res, status, error, contentType);

const badRequest = (display_message: string, debugging_message?: string): ErrorBody => ({
  error_reason: 'bad_request',
  display_message,
  ...(debugging_message ? { debugging_message } : {}),
});

/** Reads the raw body exactly (int64 ids stay exact) and validates it; the failure names the field. */
function readBody<S extends z.ZodType>(
  req: Request,
  schema: S,
  what: string,
): { ok: true; data: z.output<S>; text: string } | { ok: false; error: ErrorBody } {
  const text = typeof req.body === 'string' ? req.body : '';
  if (text.trim() === '')
    return { ok: false, error: badRequest(`Failed to ${what}: the body is empty. Expected a JSON object.`) };
  const parsed = tryParseJson(text);
  if (!parsed.ok)
    return {
      ok: false,
      error: badRequest(`Failed to ${what}: the body is not valid JSON. Expected a JSON object.`, parsed.message),
    };
  const result = schema.safeParse(parsed.value);
  if (!result.success) {
    const violations = issuesToViolations(result.error.issues, parsed.value, 'request', what);
    return { ok: false, error: badRequest(violations[0]!.message, violations.map((v) => v.message).join(' ')) };
  }
  return { ok: true, data: result.data, text };
}

function sameSecret(a: string, b: string): boolean {
  // Digests first: timingSafeEqual needs equal lengths, and the length must not leak either.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

const HOST_HEADER = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** Where the caller reached us: redirect_uri must point back to a host the caller can open. */
function baseUrlOf(req: Request): string {
  const host = req.get('host');
  // req.baseUrl: the mount path when the partner lives inside pcsim serve (/reference-partner).
  if (host && HOST_HEADER.test(host)) return `${req.protocol}://${host}${req.baseUrl}`;
  const addr = req.socket.localAddress ?? '127.0.0.1';
  return `${req.protocol}://${addr.includes(':') ? `[${addr}]` : addr}:${req.socket.localPort ?? 80}${req.baseUrl}`;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${he.escape(title)}</title></head><body><h1>${he.escape(title)}</h1>${body}</body></html>`;
}

function sendHtml(res: Response, status: number, html: string): void {
  res
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': "default-src 'none'",
      'X-Content-Type-Options': 'nosniff',
    })
    .send(html);
}

/** The partner's routes for resolved options, deciding through `model` (an app wraps them: app.ts). */
export function buildPartnerRouter(o: ResolvedOptions, model: PartnerModel): express.Router {
  const has = (f: Fault) => o.faults.has(f);
  /** flaky-500: attempts seen per distinct connect body (a digest, so no secret is kept). */
  const attempts = new Map<string, number>();

  const router = express.Router();

  const delay: RequestHandler = (_req, res, next) => {
    if (!has('slow')) return next();
    const timer = setTimeout(next, o.slowMs);
    // A client that gives up (or close()) must not leave the timer behind.
    res.on('close', () => clearTimeout(timer));
  };

  const auth: RequestHandler = (req, res, next) => {
    if (has('accept-bad-credentials')) return next();
    const cred = basicCredentials(req.get('authorization'));
    const userOk = cred !== undefined && sameSecret(cred.user, o.basicUser);
    const passOk = cred !== undefined && sameSecret(cred.password, o.basicPassword);
    if (userOk && passOk) return next();
    res.set('WWW-Authenticate', 'Basic realm="pcsim reference partner", charset="UTF-8"');
    sendError(res, 401, {
      error_reason: 'unauthorized',
      display_message: `Failed to authenticate: ${cred ? 'the Basic user or password is wrong' : 'no Basic credentials were sent'}. Expected the Basic credentials the partner issued to Databricks.`,
    });
  };

  // Reads every body as text whatever its Content-Type, so parseJson sees the exact digits.
  const body = express.text({ type: () => true, limit: BODY_LIMIT });

  const api = (path: string, methods: string[], handler: RequestHandler) => {
    router.all(
      path,
      delay,
      auth,
      (req, res, next) => {
        if (methods.includes(req.method)) return next();
        res.set('Allow', methods.join(', '));
        sendError(
          res,
          405,
          badRequest(`Failed to call ${path}: method ${req.method} is not allowed. Expected ${methods.join(' or ')}.`),
        );
      },
      body,
      handler,
    );
  };

  // ---- Connect -------------------------------------------------------------------------

  const connectContentType = () => (has('wrong-content-type') ? 'text/plain; charset=utf-8' : JSON_TYPE);

  api(PATHS.connect, ['POST'], (req, res) => {
    if (has('hang')) return; // never answer; close() destroys the socket
    if (has('reset')) {
      res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Content-Length': '512' });
      res.write('{"redirect_uri":"http://');
      setImmediate(() => req.socket.destroy());
      return;
    }
    if (has('error-500'))
      return sendError(
        res,
        500,
        {
          error_reason: 'general_error',
          display_message:
            'Failed to connect: the partner had an internal error (fault error-500). Expected nothing; retry later.',
        },
        connectContentType(),
      );

    const read = readBody(req, ConnectRequest, 'read the Connect request');
    if (!read.ok) return sendError(res, 400, read.error, connectContentType());

    if (has('flaky-500')) {
      const key = createHash('sha256').update(read.text).digest('base64');
      if (attempts.size >= 10_000) attempts.clear(); // bounded: a long-running partner must not grow forever
      const n = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, n);
      if (n <= 2)
        return sendError(
          res,
          500,
          {
            error_reason: 'general_error',
            display_message: `Failed to connect: a transient partner error (fault flaky-500, attempt ${n}). Expected the retry to succeed.`,
          },
          connectContentType(),
        );
    }

    const r = read.data;
    const outcome = model.connect({
      email: r.user_info.email,
      databricksUserId: r.user_info.databricks_user_id,
      workspaceId: r.workspace_id,
      established: r.user_info.is_connection_established,
      connectionId: r.connection_id,
      demo: r.demo,
      cloud: r.cloud_provider,
    });
    if (!outcome.ok) return sendError(res, outcome.status, outcome.error, connectContentType());

    const answer: ConnectAnswer & { connection_id?: string } = { ...outcome.answer };
    if (outcome.kind === 'sign_in' && has('id-on-sign-in') && outcome.connectionId)
      answer.connection_id = outcome.connectionId;
    if (outcome.kind === 'created' && has('no-connection-id')) delete answer.connection_id;

    const redirect = new URL(
      has('redirect-outside-allowlist') ? 'https://evil.example.net/launch' : `${baseUrlOf(req)}/launch`,
    );
    redirect.searchParams.set('o', r.workspace_id);
    redirect.searchParams.set('redirect_value', outcome.answer.redirect_value);
    if (outcome.connectionId) redirect.searchParams.set('connection_id', outcome.connectionId);

    const connection: Record<string, unknown> = {
      redirect_uri: redirect.toString(),
      redirect_value: has('wrong-enum') ? answer.redirect_value.toUpperCase() : answer.redirect_value,
      user_status: answer.user_status,
      account_status: answer.account_status,
      configured_resources: answer.configured_resources,
      ...(answer.connection_id !== undefined ? { connection_id: answer.connection_id } : {}),
    };
    if (has('missing-fields')) delete connection.account_status;

    if (has('html-body')) {
      return void res
        .status(200)
        .set('Content-Type', 'text/html; charset=utf-8')
        .send(
          page(
            'Welcome',
            `<p>Your ${he.escape(String(connection.redirect_value))} page is <a href="${he.escape(redirect.toString())}">here</a>.</p>`,
          ),
        );
    }
    if (has('huge-body')) connection.padding = 'x'.repeat(HUGE_PADDING_BYTES);
    let text = stringifyJson(connection);
    if (has('malformed-json')) text = text.slice(0, Math.floor(text.length / 2));
    // Core integration: once the answer is out, use the credentials (asynchronously, never awaited).
    if (o.coreIntegration && outcome.kind === 'created')
      res.on('finish', () => void useCredentials(r, outcome.connectionId, o.workspaceTls).catch(() => undefined));
    res.status(200).set('Content-Type', connectContentType()).send(text);
  });

  // ---- Optional hooks --------------------------------------------------------------------

  /**
   * A hook with a JSON body: `schema` reads it, the model decides, `answer` shapes the 200. A refusal
   * is the model's status and ErrorResponse; a disabled hook has no route.
   */
  const bodyHook = <S extends z.ZodType, R extends object>(
    hook: Exclude<Hook, 'get_connectors'>,
    methods: string[],
    schema: S,
    decide: (body: z.output<S>) => ({ ok: true } & R) | Refusal,
    answer: (decided: R) => unknown,
  ) => {
    if (!o.hooks[hook]) return;
    api(PATHS[hook], methods, (req, res) => {
      const read = readBody(req, schema, `read the ${hook.replace('_', '-')} request`);
      if (!read.ok) return sendError(res, 400, read.error);
      const r = decide(read.data);
      if (!r.ok) return sendError(res, r.status, r.error);
      sendJson(res, 200, answer(r));
    });
  };
  bodyHook(
    'delete_connection',
    ['POST', 'DELETE'],
    DeleteConnectionRequest,
    (b) => model.deleteConnection(b.connection_id),
    (r) => ({ resource_status: r.resource_status }),
  );
  bodyHook(
    'delete_account',
    ['DELETE', 'POST'],
    DeleteAccountRequest,
    (b) => model.deleteAccount(b.domain),
    () => ({}),
  );
  bodyHook(
    'expire_account',
    ['PUT', 'POST'],
    ExpireAccountRequest,
    (b) => model.expireAccount(b.email),
    () => ({}),
  );
  bodyHook(
    'test_connection',
    ['POST'],
    TestConnectionRequest,
    (b) => model.testConnection(b.connection_id),
    (r) => ({ test_results: r.test_results }),
  );

  if (o.hooks.get_connectors) {
    api(PATHS.get_connectors, ['GET'], (req, res) => {
      const raw = req.query.pagination_token;
      if (raw !== undefined && typeof raw !== 'string') {
        return sendError(
          res,
          400,
          badRequest(
            'Failed to list connectors: pagination_token is given more than once. Expected at most one token.',
          ),
        );
      }
      const r = model.connectorsPage(raw);
      if (!r.ok) return sendError(res, r.status, r.error);
      sendJson(res, 200, r.page);
    });
  }

  // ---- Pages a person opens (no auth: the browser of a Databricks user lands here) ---------

  router.get('/', (_req, res) =>
    sendHtml(
      res,
      200,
      page(
        o.name,
        '<p>A Partner Connect partner for pcsim.</p><ul><li><a href="/signup">Sign up</a></li><li><a href="/privacy">Privacy policy</a></li><li><a href="/tos">Terms of service</a></li></ul>',
      ),
    ),
  );
  router.get('/signup', (_req, res) =>
    sendHtml(
      res,
      200,
      page(
        `Sign up for ${o.name}`,
        '<p>Create your account here. (This is a simulated partner: nothing is created.)</p>',
      ),
    ),
  );
  router.get('/privacy', (_req, res) =>
    sendHtml(
      res,
      200,
      page('Privacy policy', '<p>The reference partner keeps test data in memory only, and never keeps tokens.</p>'),
    ),
  );
  router.get('/tos', (_req, res) =>
    sendHtml(res, 200, page('Terms of service', '<p>For testing Partner Connect integrations only.</p>')),
  );
  router.get('/launch', (req, res) => {
    if (has('redirect-broken'))
      return sendHtml(res, 404, page('Not found', '<p>This page does not exist (fault redirect-broken).</p>'));
    const items = Object.entries(req.query)
      .map(([k, v]) => `<li><b>${he.escape(k)}</b>: ${he.escape(Array.isArray(v) ? v.join(', ') : String(v))}</li>`)
      .join('');
    sendHtml(
      res,
      200,
      page(`Welcome to ${o.name}`, `<p>Databricks sent you here after Partner Connect.</p><ul>${items}</ul>`),
    );
  });

  router.use((req, res) => {
    res
      .status(404)
      .set('Content-Type', 'text/plain; charset=utf-8')
      .send(`Failed to find ${req.method} ${req.path}: no such page or API at this partner.`);
  });

  const onError: ErrorRequestHandler = (
    err: { status?: number; type?: string; message?: string },
    _req,
    res,
    _next,
  ) => {
    if (res.headersSent) return void res.end();
    const status = typeof err.status === 'number' ? err.status : 500;
    if (status >= 400 && status < 500) {
      // body-parser errors (too large, bad charset, aborted): the request is malformed.
      const why =
        err.type === 'entity.too.large' ? `the body is larger than ${BODY_LIMIT}` : (err.message ?? 'unreadable body');
      return sendError(res, 400, badRequest(`Failed to read the request: ${why}. Expected a small JSON object.`));
    }
    sendError(res, 500, {
      error_reason: 'general_error',
      display_message: 'Failed to answer: the partner had an internal error. Expected nothing; retry later.',
      debugging_message: err.message ?? String(err),
    });
  };
  router.use(onError);
  return router;
}
