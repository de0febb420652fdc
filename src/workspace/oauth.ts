/**
 * The workspace's OAuth server (CONTRACT §8): discovery, JWKS, the token endpoint (client
 * credentials for M2M; authorization code + PKCE and refresh tokens for U2M) and the consent
 * page of /oidc/v1/authorize. Errors speak RFC 6749 ({error, error_description}).
 *
 * U2M redirect rule (docs/decisions/0004-workspace-api.md): a redirect_uri is accepted when it
 * equals the oauth_redirect_uri the partner returned from Connect for this app id, or one
 * registered earlier for it; with neither, the first authorize registers it if its host is in
 * the partner's `hostnames`. Anything else gets an error page, never a redirect.
 */
import { createHash, randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import he from 'he';
import type { Int64 } from '../contract/int64.js';
import {
  connectionByResources,
  resourceById,
  resourcesByClientId,
  userById,
  usersOfWorkspace,
  workspaceById,
} from '../databricks/indexes.js';
import type { Resources, State } from '../databricks/model.js';
import type { Store } from '../store/types.js';
import { callerOf, recordActivity } from './activity.js';
import { OAuthError } from './errors.js';
import { secretMatches } from '../databricks/secrets.js';
import { ensureKey, jwks, SCOPE_ALL_APIS, signAccessToken, signIdToken } from './tokens.js';

const CODE_TTL_MS = 5 * 60_000;
const REQUEST_TTL_MS = 10 * 60_000;
const MAX_PENDING = 1000;
const KNOWN_SCOPES = new Set([SCOPE_ALL_APIS, 'offline_access', 'sql', 'openid', 'profile', 'email']);

export interface OAuthDeps {
  store: Store;
  now: () => Date;
}

interface PendingAuthorization {
  client_id: string;
  redirect_uri: string;
  state?: string;
  scope: string;
  nonce?: string;
  code_challenge: string;
  resources_id: string;
  workspace_id: Int64;
  expires: number;
}

interface IssuedCode {
  client_id: string;
  redirect_uri: string;
  code_challenge: string;
  scope: string;
  /** OIDC: echoed in the id_token. */
  nonce?: string;
  user_id: Int64;
  resources_id: string;
  workspace_id: Int64;
  expires: number;
}

interface RefreshGrant {
  client_id: string;
  user_id: Int64;
  scope: string;
  resources_id: string;
}

export const issuerOf = (req: Request) => `${req.protocol}://${req.get('host') ?? 'localhost'}/oidc`;

const token = () => randomBytes(32).toString('base64url');

/** Bounded map: the oldest entries go first, expired ones on access. */
class Bounded<V extends { expires?: number }> {
  private readonly map = new Map<string, V>();
  set(k: string, v: V): void {
    if (this.map.size >= MAX_PENDING) this.map.delete(this.map.keys().next().value!);
    this.map.set(k, v);
  }
  take(k: string, now: number): V | undefined {
    const v = this.map.get(k);
    this.map.delete(k);
    return v && (v.expires === undefined || v.expires > now) ? v : undefined;
  }
  peek(k: string, now: number): V | undefined {
    const v = this.map.get(k);
    return v && (v.expires === undefined || v.expires > now) ? v : undefined;
  }
}

export function metadata(issuer: string): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}/v1/authorize`,
    token_endpoint: `${issuer}/v1/token`,
    jwks_uri: `${issuer}/v1/keys`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['client_credentials', 'authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    scopes_supported: [...KNOWN_SCOPES],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'email', 'preferred_username', 'name'],
    request_uri_parameter_supported: false,
  };
}

function basicClient(req: Request): { id: string; secret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(req.get('authorization') ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  // RFC 6749 §2.3.1: both halves are form-urlencoded.
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { id: dec(decoded.slice(0, colon)), secret: dec(decoded.slice(colon + 1)) };
}

const field = (body: unknown, key: string): string | undefined => {
  const v = (body as Record<string, unknown> | undefined)?.[key];
  return typeof v === 'string' ? v : undefined;
};

function scopeOf(requested: string | undefined, fallback: string): string {
  const scopes = (requested ?? fallback).split(/\s+/).filter(Boolean);
  const unknown = scopes.filter((s) => !KNOWN_SCOPES.has(s));
  if (unknown.length)
    throw new OAuthError(
      'invalid_scope',
      `Failed to grant scope ${JSON.stringify(unknown.join(' '))}: unknown scope. Expected ${SCOPE_ALL_APIS} (with offline_access for a refresh token).`,
    );
  if (scopes.length === 0) return fallback;
  return scopes.join(' ');
}

/** The oauth_redirect_uri values the partner returned from Connect for this U2M app id. */
function connectRedirects(state: Readonly<State>, appId: string): string[] {
  const out: string[] = [];
  for (const ex of state.journal) {
    if (ex.kind !== 'connect') continue;
    const sent = (ex.request.body as Record<string, unknown> | undefined)?.oauth_u2m_app_id;
    const got = (ex.response?.body as Record<string, unknown> | undefined)?.oauth_redirect_uri;
    if (sent === appId && typeof got === 'string') out.push(got);
  }
  return out;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${he.escape(title)}</title></head><body><main><h1>${he.escape(title)}</h1>${body}</main></body></html>`;
}

function sendPage(res: Response, status: number, html: string, formTarget?: string): void {
  // No script at all; the consent form posts here, and its 302 goes to the partner's origin.
  const formAction = `'self'${formTarget ? ` ${formTarget}` : ''}`;
  res
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': `default-src 'none'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    })
    .send(html);
}

const errorPage = (res: Response, status: number, message: string) =>
  sendPage(res, status, page('Authorization failed', `<p>${he.escape(message)}</p>`));

function redirectWith(res: Response, redirectUri: string, params: Record<string, string | undefined>): void {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  res.set('Cache-Control', 'no-store').redirect(302, url.toString());
}

export function createOAuthRouter(deps: OAuthDeps): Router {
  const { store, now } = deps;
  const pending = new Bounded<PendingAuthorization>();
  const codes = new Bounded<IssuedCode>();
  const refresh = new Bounded<RefreshGrant & { expires?: number }>();
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '64kb' });

  const resourcesByClient = (clientId: string, kind: 'm2m' | 'u2m'): Resources | undefined =>
    [...resourcesByClientId(store.read(), kind, clientId)]
      .sort((a, b) => Number(a.status === 'active') - Number(b.status === 'active'))
      .at(-1);

  const audit = (
    req: Request,
    r: Resources,
    status: number,
    ok: boolean,
    error?: string,
    auth?: 'oauth_m2m' | 'oauth_u2m',
  ) =>
    recordActivity(
      store,
      {
        ...callerOf(r),
        method: req.method,
        path: req.path,
        status,
        kind: 'auth',
        auth,
        ok,
        error,
      },
      now(),
    );

  // ---- discovery and keys ----
  const discovery = (req: Request, res: Response) =>
    void res.set('Cache-Control', 'no-store').json(metadata(issuerOf(req)));
  router.get('/oidc/.well-known/oauth-authorization-server', discovery);
  router.get('/oidc/.well-known/openid-configuration', discovery);
  router.get('/.well-known/oauth-authorization-server/oidc', discovery);
  router.get('/.well-known/openid-configuration/oidc', discovery);
  router.get('/oidc/v1/keys', (_req, res) => void res.set('Cache-Control', 'no-store').json(jwks(store.read())));

  // ---- token endpoint ----
  router.post('/oidc/v1/token', form, async (req, res) => {
    try {
      const body = req.body as Record<string, unknown> | undefined;
      if (!req.is('application/x-www-form-urlencoded'))
        throw new OAuthError(
          'invalid_request',
          `Failed to read the token request: Content-Type is ${JSON.stringify(req.get('content-type') ?? '')}. Expected application/x-www-form-urlencoded.`,
        );
      const grant = field(body, 'grant_type');
      if (!grant)
        throw new OAuthError(
          'invalid_request',
          'Failed to read the token request: grant_type is missing. Expected client_credentials, authorization_code or refresh_token.',
        );
      const basic = basicClient(req);
      const clientId = basic?.id ?? field(body, 'client_id');
      const secret = basic?.secret ?? field(body, 'client_secret');
      if (basic && field(body, 'client_id') && field(body, 'client_id') !== basic.id)
        throw new OAuthError(
          'invalid_request',
          'Failed to read the token request: client_id in the form differs from the Basic credentials. Expected one client.',
        );
      const issuer = issuerOf(req);
      if (grant === 'client_credentials') {
        if (!clientId || secret === undefined)
          throw new OAuthError(
            'invalid_client',
            'Failed to authenticate the client: no client_id/client_secret (Basic or form fields). Expected the service principal UUID and service_principal_oauth_secret.',
          );
        const r = resourcesByClient(clientId, 'm2m');
        if (!r || !r.oauth_secret_sha256)
          throw new OAuthError(
            'invalid_client',
            `Failed to authenticate client ${clientId}: no service principal with OAuth credentials has this id. Expected service_principal_id from a Connect request with AUTH_OAUTH_M2M.`,
          );
        if (!secretMatches(r.oauth_secret_sha256, secret)) {
          await audit(req, r, 401, false, 'wrong client secret', 'oauth_m2m');
          throw new OAuthError(
            'invalid_client',
            `Failed to authenticate client ${clientId}: the client secret is wrong. Expected service_principal_oauth_secret from the Connect request.`,
          );
        }
        if (r.status !== 'active') {
          await audit(req, r, 401, false, 'revoked service principal secret', 'oauth_m2m');
          throw new OAuthError(
            'invalid_client',
            `Failed to authenticate client ${clientId}: its secret was revoked (the connection was deleted in Databricks). Expected the credentials of a live connection.`,
          );
        }
        const scope = scopeOf(field(body, 'scope'), SCOPE_ALL_APIS);
        if (!scope.split(' ').includes(SCOPE_ALL_APIS))
          throw new OAuthError(
            'invalid_scope',
            `Failed to grant scope ${JSON.stringify(scope)} to a service principal. Expected ${SCOPE_ALL_APIS}.`,
          );
        const key = await ensureKey(store, r.workspace_id, now());
        const t = signAccessToken(key, {
          issuer,
          subject: clientId,
          clientId,
          scope,
          grant: 'client_credentials',
          now: now(),
        });
        await audit(req, r, 200, true, undefined, 'oauth_m2m');
        return void res
          .set('Cache-Control', 'no-store')
          .json({ access_token: t.token, token_type: 'Bearer', expires_in: t.expires_in, scope });
      }
      if (grant === 'authorization_code') {
        const code = field(body, 'code');
        const verifier = field(body, 'code_verifier');
        const redirectUri = field(body, 'redirect_uri');
        if (!code)
          throw new OAuthError(
            'invalid_request',
            'Failed to read the token request: code is missing. Expected the code from the authorization redirect.',
          );
        if (!clientId)
          throw new OAuthError(
            'invalid_client',
            'Failed to identify the client: client_id is missing. Expected oauth_u2m_app_id.',
          );
        const issued = codes.take(code, now().getTime());
        if (!issued)
          throw new OAuthError(
            'invalid_grant',
            'Failed to redeem the authorization code: it is unknown, expired or already used. Expected a fresh code (codes live 5 minutes, once).',
          );
        if (issued.client_id !== clientId)
          throw new OAuthError(
            'invalid_grant',
            `Failed to redeem the authorization code: it was issued to another client, not ${clientId}. Expected the client that asked for it.`,
          );
        if (redirectUri !== issued.redirect_uri)
          throw new OAuthError(
            'invalid_grant',
            `Failed to redeem the authorization code: redirect_uri ${JSON.stringify(redirectUri ?? null)} differs from the authorization request. Expected ${JSON.stringify(issued.redirect_uri)}.`,
          );
        if (!verifier)
          throw new OAuthError(
            'invalid_grant',
            'Failed to verify PKCE: code_verifier is missing. Expected the verifier whose S256 digest was sent as code_challenge.',
          );
        if (createHash('sha256').update(verifier).digest('base64url') !== issued.code_challenge)
          throw new OAuthError(
            'invalid_grant',
            'Failed to verify PKCE: the S256 digest of code_verifier does not match code_challenge. Expected the verifier of this authorization request.',
          );
        const r = resourceById(store.read(), issued.resources_id);
        if (!r || r.status !== 'active')
          throw new OAuthError(
            'invalid_grant',
            'Failed to redeem the authorization code: the connection was deleted in Databricks. Expected a live connection.',
          );
        return void res
          .set('Cache-Control', 'no-store')
          .json(await this_issue(issuer, r, issued.user_id, issued.scope, 'authorization_code', req, issued.nonce));
      }
      if (grant === 'refresh_token') {
        const rt = field(body, 'refresh_token');
        if (!rt)
          throw new OAuthError(
            'invalid_request',
            'Failed to read the token request: refresh_token is missing. Expected the refresh token of an earlier grant.',
          );
        const g = refresh.take(rt, now().getTime());
        if (!g || (clientId !== undefined && g.client_id !== clientId))
          throw new OAuthError(
            'invalid_grant',
            'Failed to refresh: the refresh token is unknown, already used or issued to another client. Expected the latest refresh token of this client.',
          );
        const r = resourceById(store.read(), g.resources_id);
        if (!r || r.status !== 'active')
          throw new OAuthError(
            'invalid_grant',
            'Failed to refresh: the connection was deleted in Databricks (tokens revoked). Expected a live connection.',
          );
        return void res
          .set('Cache-Control', 'no-store')
          .json(await this_issue(issuer, r, g.user_id, g.scope, 'refresh_token', req));
      }
      throw new OAuthError(
        'unsupported_grant_type',
        `Failed to grant ${JSON.stringify(grant)}: unsupported grant_type. Expected client_credentials, authorization_code or refresh_token.`,
      );
    } catch (err) {
      if (err instanceof OAuthError) return err.send(res, /^Basic\s/i.test(req.get('authorization') ?? ''));
      throw err;
    }
  });

  /** Issues a U2M access token (+ a rotated refresh token with offline_access). */
  async function this_issue(
    issuer: string,
    r: Resources,
    userId: Int64,
    scope: string,
    grant: 'authorization_code' | 'refresh_token',
    req: Request,
    nonce?: string,
  ): Promise<Record<string, unknown>> {
    const key = await ensureKey(store, r.workspace_id, now());
    const t = signAccessToken(key, { issuer, subject: userId, clientId: r.u2m_app_id!, scope, grant, now: now() });
    const out: Record<string, unknown> = {
      access_token: t.token,
      token_type: 'Bearer',
      expires_in: t.expires_in,
      scope,
    };
    if (scope.split(' ').includes('openid')) {
      const user = userById(store.read(), userId);
      const name = user ? `${user.first_name} ${user.last_name}`.trim() : undefined;
      out.id_token = signIdToken(key, {
        issuer,
        subject: userId,
        clientId: r.u2m_app_id!,
        email: user?.email ?? '',
        name: name || undefined,
        nonce: grant === 'authorization_code' ? nonce : undefined,
        now: now(),
      });
    }
    if (scope.split(' ').includes('offline_access')) {
      const rt = token();
      refresh.set(rt, { client_id: r.u2m_app_id!, user_id: userId, scope, resources_id: r.id });
      out.refresh_token = rt;
    }
    await audit(req, r, 200, true, undefined, 'oauth_u2m');
    return out;
  }

  // ---- authorize: the consent page ----
  router.get('/oidc/v1/authorize', async (req, res) => {
    const q = req.query as Record<string, unknown>;
    const clientId = field(q, 'client_id');
    const redirectUri = field(q, 'redirect_uri');
    if (!clientId)
      return errorPage(
        res,
        400,
        'Failed to authorize: client_id is missing. Expected the oauth_u2m_app_id sent in the Connect request.',
      );
    const r = resourcesByClient(clientId, 'u2m');
    if (!r)
      return errorPage(
        res,
        400,
        `Failed to authorize: client ${clientId} is not an OAuth app of any workspace here. Expected the oauth_u2m_app_id sent in the Connect request.`,
      );
    if (r.status !== 'active')
      return errorPage(
        res,
        400,
        `Failed to authorize client ${clientId}: its connection was deleted in Databricks. Expected a live connection.`,
      );
    if (!redirectUri)
      return errorPage(
        res,
        400,
        'Failed to authorize: redirect_uri is missing. Expected the oauth_redirect_uri the partner returned from Connect.',
      );
    const allowed = await checkRedirect(r, clientId, redirectUri);
    if (allowed !== true) return errorPage(res, 400, allowed);
    // From here on, errors go back to the (trusted) redirect_uri, as RFC 6749 §4.1.2.1 says.
    const state = field(q, 'state');
    const fail = (error: string, description: string) =>
      redirectWith(res, redirectUri, { error, error_description: description, state });
    if (field(q, 'response_type') !== 'code')
      return fail(
        'unsupported_response_type',
        `Failed to authorize: response_type is ${JSON.stringify(field(q, 'response_type') ?? null)}. Expected "code".`,
      );
    const challenge = field(q, 'code_challenge');
    if (!challenge || !/^[A-Za-z0-9_-]{43}$/.test(challenge))
      return fail(
        'invalid_request',
        'Failed to authorize: code_challenge is missing or not a base64url SHA-256 digest. Expected PKCE with S256.',
      );
    if (field(q, 'code_challenge_method') !== 'S256')
      return fail(
        'invalid_request',
        `Failed to authorize: code_challenge_method is ${JSON.stringify(field(q, 'code_challenge_method') ?? null)}. Expected "S256".`,
      );
    let scope: string;
    try {
      scope = scopeOf(field(q, 'scope'), `${SCOPE_ALL_APIS} offline_access`);
    } catch (err) {
      return fail('invalid_scope', (err as Error).message);
    }
    const s = store.read();
    const ws = workspaceById(s, r.workspace_id);
    const partner = s.partners.find((p) => p.id === r.partner_id);
    const users = usersOfWorkspace(s, r.workspace_id);
    if (!ws || users.length === 0)
      return errorPage(
        res,
        400,
        `Failed to authorize: workspace ${r.workspace_id} has no users to sign in as. Expected a workspace with members.`,
      );
    const creator = connectionByResources(s, r.id)?.created_by;
    const requestId = token();
    pending.set(requestId, {
      client_id: clientId,
      redirect_uri: redirectUri,
      state,
      scope,
      nonce: field(q, 'nonce'),
      code_challenge: challenge,
      resources_id: r.id,
      workspace_id: r.workspace_id,
      expires: now().getTime() + REQUEST_TTL_MS,
    });
    const options = users
      .map(
        (u) =>
          `<option value="${he.escape(u.id)}"${u.id === creator ? ' selected' : ''}>${he.escape(`${u.first_name} ${u.last_name}`.trim() || u.email)} (${he.escape(u.email)})</option>`,
      )
      .join('');
    const target = new URL(redirectUri).origin;
    sendPage(
      res,
      200,
      page(
        `Sign in to ${ws.name}`,
        `<p><b>${he.escape(partner?.config.name ?? r.partner_id)}</b> asks to access workspace <b>${he.escape(ws.name)}</b> (${he.escape(ws.id)}) on your behalf, with scope <code>${he.escape(scope)}</code>.</p>` +
          `<p>After you allow it, you return to <code>${he.escape(redirectUri)}</code>.</p>` +
          `<form method="post" action="/oidc/v1/authorize"><input type="hidden" name="request_id" value="${he.escape(requestId)}">` +
          `<label>Sign in as <select name="user_id">${options}</select></label> ` +
          `<button type="submit" name="decision" value="allow">Allow</button> <button type="submit" name="decision" value="deny">Deny</button></form>`,
      ),
      target,
    );
  });

  router.post('/oidc/v1/authorize', form, async (req, res) => {
    const body = req.body as Record<string, unknown> | undefined;
    const p = pending.take(field(body, 'request_id') ?? '', now().getTime());
    if (!p)
      return errorPage(
        res,
        400,
        'Failed to complete the sign-in: the authorization request is unknown or expired. Expected to start again from the partner.',
      );
    if (field(body, 'decision') === 'deny')
      return redirectWith(res, p.redirect_uri, {
        error: 'access_denied',
        error_description: 'The user denied the request.',
        state: p.state,
      });
    const userId = field(body, 'user_id');
    const user = usersOfWorkspace(store.read(), p.workspace_id).find((u) => u.id === userId);
    if (!user)
      return errorPage(
        res,
        400,
        `Failed to sign in: user ${JSON.stringify(userId ?? null)} is not a member of workspace ${p.workspace_id}. Expected a user from the list.`,
      );
    const code = token();
    codes.set(code, {
      client_id: p.client_id,
      redirect_uri: p.redirect_uri,
      code_challenge: p.code_challenge,
      scope: p.scope,
      nonce: p.nonce,
      user_id: user.id,
      resources_id: p.resources_id,
      workspace_id: p.workspace_id,
      expires: now().getTime() + CODE_TTL_MS,
    });
    redirectWith(res, p.redirect_uri, { code, state: p.state });
  });

  async function checkRedirect(r: Resources, clientId: string, redirectUri: string): Promise<true | string> {
    let url: URL;
    try {
      url = new URL(redirectUri);
    } catch {
      return `Failed to authorize: redirect_uri ${JSON.stringify(redirectUri)} is not a URL. Expected an absolute http(s) URL.`;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      return `Failed to authorize: redirect_uri ${JSON.stringify(redirectUri)} is not http(s). Expected an http(s) URL.`;
    const s = store.read();
    const known = [
      ...connectRedirects(s, clientId),
      ...(s.u2m_redirects ?? []).filter((x) => x.u2m_app_id === clientId).map((x) => x.redirect_uri),
    ];
    if (known.includes(redirectUri)) return true;
    if (known.length > 0)
      return `Failed to authorize: redirect_uri ${JSON.stringify(redirectUri)} is not the one registered for app ${clientId}. Expected ${known.map((k) => JSON.stringify(k)).join(' or ')}.`;
    const hostnames = s.partners.find((p) => p.id === r.partner_id)?.config.hostnames ?? [];
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (!hostnames.map((h) => h.toLowerCase()).includes(host))
      return `Failed to authorize: redirect_uri host ${JSON.stringify(host)} is not in the partner's hostnames and no oauth_redirect_uri was returned from Connect. Expected a host in ${JSON.stringify(hostnames)}.`;
    await store.update(
      (st) =>
        void (st.u2m_redirects ??= []).push({
          u2m_app_id: clientId,
          redirect_uri: redirectUri,
          registered_at: now().toISOString(),
        }),
    );
    return true;
  }

  return router;
}
