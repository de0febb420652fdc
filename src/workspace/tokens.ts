/**
 * Credentials the workspace accepts: the PATs provisioned for a connection, and the OAuth access
 * tokens it issued itself (RS256 JWTs signed with a per-workspace key kept in State). A token
 * whose resources were deleted (the connection was deleted in Databricks) is revoked.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Int64 } from '../contract/int64.js';
import type { Resources, State } from '../databricks/model.js';
import type { Store } from '../store/types.js';
import { invalidToken, missingCredential } from './errors.js';
import { digestSecret } from '../databricks/secrets.js';
import { resourceById, resourcesByClientId, resourcesByPatDigest, userById } from '../databricks/indexes.js';
import { lookup, lookupOne } from '../databricks/lookup.js';
import type { AuthMethod, WorkspaceKey } from './types.js';

export const ACCESS_TOKEN_TTL_SECONDS = 3600;
export const SCOPE_ALL_APIS = 'all-apis';

/** Who is calling: the connection's resources and how it authenticated. */
export interface Principal {
  workspace_id: Int64;
  resources: Resources;
  auth: AuthMethod;
  /** U2M: the workspace user who consented (and a token that user made with the Token API). */
  user_id?: Int64;
}

/**
 * The principal's name, as SCIM Me's userName and SQL's current_user() give it: the consenting
 * user's e-mail (U2M), else the service principal's application id.
 */
export function principalName(state: State, p: Principal): string {
  const user = p.user_id === undefined ? undefined : userById(state, p.user_id);
  return user?.email ?? p.resources.service_principal_id;
}

export interface AccessClaims {
  iss: string;
  sub: string;
  aud: string;
  client_id: string;
  scope: string;
  /** The workspace id, a decimal string. */
  ws: string;
  grant: 'client_credentials' | 'authorization_code' | 'refresh_token';
  iat: number;
  exp: number;
  jti: string;
}

export function keyOf(state: Readonly<State>, workspaceId: Int64): WorkspaceKey | undefined {
  return state.workspace_keys?.find((k) => k.workspace_id === workspaceId);
}

/** The workspace's signing key, generated (and persisted) on first use. */
export async function ensureKey(store: Store, workspaceId: Int64, now: Date): Promise<WorkspaceKey> {
  const existing = lookupOne(store.read().workspace_keys ?? [], 'workspace', (k) => k.workspace_id, workspaceId);
  if (existing) return existing;
  return store.update((s) => {
    const again = keyOf(s, workspaceId);
    if (again) return again;
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = `ws${workspaceId.slice(-6)}-${randomBytes(6).toString('hex')}`;
    const jwk = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    const key: WorkspaceKey = {
      workspace_id: workspaceId,
      kid,
      private_pem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      public_jwk: { ...jwk, kid, alg: 'RS256', use: 'sig' },
      created_at: now.toISOString(),
    };
    (s.workspace_keys ??= []).push(key);
    return key;
  });
}

/** JWKS of every workspace: all workspaces share this simulator's host, tokens name their kid. */
export function jwks(state: Readonly<State>): { keys: Record<string, unknown>[] } {
  return { keys: (state.workspace_keys ?? []).map((k) => k.public_jwk) };
}

export function signAccessToken(
  key: WorkspaceKey,
  input: {
    issuer: string;
    subject: string;
    clientId: string;
    scope: string;
    grant: AccessClaims['grant'];
    now: Date;
    ttlSeconds?: number;
  },
): { token: string; expires_in: number } {
  const ttl = input.ttlSeconds ?? ACCESS_TOKEN_TTL_SECONDS;
  const iat = Math.floor(input.now.getTime() / 1000);
  const claims: AccessClaims = {
    iss: input.issuer,
    sub: input.subject,
    aud: input.clientId,
    client_id: input.clientId,
    scope: input.scope,
    ws: key.workspace_id,
    grant: input.grant,
    iat,
    exp: iat + ttl,
    jti: randomUUID(),
  };
  const token = jwt.sign(claims, createPrivateKey(key.private_pem), {
    algorithm: 'RS256',
    keyid: key.kid,
    header: { alg: 'RS256', kid: key.kid, typ: 'at+jwt' },
  });
  return { token, expires_in: ttl };
}

/**
 * An OpenID Connect ID token (scope openid): who signed in, for which client, with the nonce of
 * the authorization request. Signed with the same workspace key as the access tokens.
 */
export function signIdToken(
  key: WorkspaceKey,
  input: {
    issuer: string;
    subject: string;
    clientId: string;
    email: string;
    name?: string;
    nonce?: string;
    now: Date;
    ttlSeconds?: number;
  },
): string {
  const ttl = input.ttlSeconds ?? ACCESS_TOKEN_TTL_SECONDS;
  const iat = Math.floor(input.now.getTime() / 1000);
  const claims: Record<string, unknown> = {
    iss: input.issuer,
    sub: input.subject,
    aud: input.clientId,
    iat,
    exp: iat + ttl,
    auth_time: iat,
    email: input.email,
    preferred_username: input.email,
  };
  if (input.name) claims.name = input.name;
  if (input.nonce !== undefined) claims.nonce = input.nonce;
  return jwt.sign(claims, createPrivateKey(key.private_pem), {
    algorithm: 'RS256',
    keyid: key.kid,
    header: { alg: 'RS256', kid: key.kid, typ: 'JWT' },
  });
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Resolves `Authorization: Bearer …` to a principal. As Databricks: no usable credential → 401
 * UNAUTHENTICATED; a token it does not accept → 403 "Invalid access token." (pcsim's reason goes
 * to the activity log, never to the caller).
 */
export function resolveBearer(state: Readonly<State>, header: string | undefined, now: Date): Principal {
  if (!header)
    throw missingCredential(
      'Failed to authenticate: no Authorization header was sent. Expected Authorization: Bearer <PAT or OAuth access token>.',
    );
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m)
    throw missingCredential(
      `Failed to authenticate: the Authorization header uses the ${JSON.stringify(header.split(/\s/)[0] ?? '')} scheme. Expected Authorization: Bearer <PAT or OAuth access token>.`,
    );
  const token = m[1]!;
  return JWT_SHAPE.test(token) ? resolveJwt(state, token, now) : resolvePat(state, token, now);
}

function resolvePat(state: Readonly<State>, token: string, now: Date): Principal {
  // One digest of the presented token, looked up in indexes of the stored digests (no hash per record).
  const digest = digestSecret(token);
  const records = lookup(state.api_tokens ?? [], 'token_sha256', (t) => t.token_sha256, digest);
  const made = records.find((t) => !t.revoked);
  if (made) {
    const r = resourceById(state, made.resources_id);
    if (!r || r.status !== 'active') {
      throw invalidToken(
        'Failed to authenticate: the token was revoked with its connection (deleted in Databricks). ' +
          'Expected the token of a live connection.',
        r,
      );
    }
    if (made.expiry_time !== -1 && made.expiry_time <= now.getTime()) {
      const at = new Date(made.expiry_time).toISOString();
      throw invalidToken(
        `Failed to authenticate: the token ${made.token_id} expired at ${at}. Expected a token within its lifetime_seconds.`,
        r,
      );
    }
    const user = made.user_id ? { user_id: made.user_id } : {};
    return { workspace_id: r.workspace_id, resources: r, auth: 'pat', ...user };
  }
  // PAT_TOKEN makes every connection share one PAT: the newest active resources win.
  // The index holds exactly the resources whose digest equals the presented token's.
  const matching = resourcesByPatDigest(state, digest);
  const revoked = new Set(records.filter((t) => t.revoked).map((t) => t.resources_id));
  // From the newest back: with PAT_TOKEN at 100k connections, the first looked at is the one.
  let active: Resources | undefined;
  for (let i = matching.length - 1; i >= 0 && !active; i--) {
    const r = matching[i]!;
    if (r.status === 'active' && !revoked.has(r.id)) active = r;
  }
  if (active) return { workspace_id: active.workspace_id, resources: active, auth: 'pat' };
  if (matching.some((r) => revoked.has(r.id))) {
    throw invalidToken(
      'Failed to authenticate: the personal access token was deleted with POST /api/2.0/token/delete. ' +
        'Expected a token that was not deleted.',
      matching.at(-1),
    );
  }
  if (matching.length > 0) {
    throw invalidToken(
      'Failed to authenticate: the personal access token was revoked (its connection was deleted in Databricks). ' +
        'Expected the token of a live connection.',
      matching.at(-1),
    );
  }
  throw invalidToken(
    'Failed to authenticate: the personal access token is not valid in this workspace. ' +
      'Expected the PAT sent in the Connect request (user_info.auth.personal_access_token).',
  );
}

function resolveJwt(state: Readonly<State>, token: string, now: Date): Principal {
  const decoded = jwt.decode(token, { complete: true });
  const kid = decoded && typeof decoded === 'object' ? decoded.header.kid : undefined;
  const key = kid ? lookupOne(state.workspace_keys ?? [], 'kid', (k) => k.kid, kid) : undefined;
  if (!key)
    throw invalidToken(
      `Failed to authenticate: the access token was not issued by this workspace (kid ${JSON.stringify(kid ?? null)}). Expected a token from POST /oidc/v1/token.`,
    );
  let claims: AccessClaims;
  try {
    claims = jwt.verify(token, createPublicKey(key.private_pem), {
      algorithms: ['RS256'],
      clockTimestamp: Math.floor(now.getTime() / 1000),
    }) as AccessClaims;
  } catch (err) {
    const e = err as Error;
    if (e.name === 'TokenExpiredError')
      throw invalidToken(
        'Failed to authenticate: the access token has expired. Expected a fresh token from POST /oidc/v1/token.',
      );
    throw invalidToken(
      `Failed to authenticate: the access token is not valid (${e.message}). Expected a token from POST /oidc/v1/token, unmodified.`,
    );
  }
  // Access tokens are typed at+jwt (RFC 9068); an ID token says who signed in and grants nothing.
  if (decoded && typeof decoded === 'object' && decoded.header.typ !== 'at+jwt' && claims.ws === undefined) {
    throw invalidToken(
      'Failed to authenticate: the Bearer token is an ID token (it says who signed in, it grants no access). Expected the access_token of the token response.',
    );
  }
  if (claims.ws !== key.workspace_id)
    throw invalidToken(
      'Failed to authenticate: the access token names another workspace. Expected a token of this workspace.',
    );
  const m2m = claims.grant === 'client_credentials';
  const resources = resourcesByClientId(state, m2m ? 'm2m' : 'u2m', claims.client_id)
    .filter((r) => r.workspace_id === key.workspace_id)
    .at(-1);
  if (!resources)
    throw invalidToken(
      `Failed to authenticate: client ${claims.client_id} is unknown in workspace ${key.workspace_id}. Expected a token for a provisioned service principal or OAuth app.`,
    );
  if (resources.status !== 'active')
    throw invalidToken(
      'Failed to authenticate: the access token was revoked (its connection was deleted in Databricks). Expected the credentials of a live connection.',
      resources,
    );
  return {
    workspace_id: key.workspace_id,
    resources,
    auth: m2m ? 'oauth_m2m' : 'oauth_u2m',
    user_id: m2m ? undefined : claims.sub,
  };
}
