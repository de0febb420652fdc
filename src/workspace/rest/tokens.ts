/**
 * The Token API (/api/2.0/token/create|list|delete) for the caller's service principal. A created
 * token authenticates like the Connect PAT; a deleted one (the Connect PAT included) is refused.
 * Only SHA-256 digests are stored; the value exists once, in the create answer.
 */
import { createHash, randomBytes } from 'node:crypto';
import { digestSecret } from '../../databricks/secrets.js';
import { lookup } from '../../databricks/lookup.js';
import type { Resources } from '../../databricks/model.js';
import { invalidParameter, notFound } from '../errors.js';
import type { ApiTokenRecord } from '../types.js';
import { asObject, epoch, str, type CallContext, type RestHandler } from './context.js';

/** The Connect PAT's token_id: stable, and not derived from the secret. */
const connectTokenId = (r: Resources) => createHash('sha256').update(`connect-pat:${r.id}`).digest('hex');

function tokenInfo(t: {
  token_id: string;
  creation_time: number;
  expiry_time: number;
  comment?: string;
}): Record<string, unknown> {
  return {
    token_id: t.token_id,
    creation_time: t.creation_time,
    expiry_time: t.expiry_time,
    ...(t.comment !== undefined ? { comment: t.comment } : {}),
  };
}

const recordsOf = (c: CallContext) =>
  lookup(c.state.api_tokens ?? [], 'resources_id', (t) => t.resources_id, c.principal.resources.id);

function connectPat(c: CallContext): ApiTokenRecord | undefined {
  const r = c.principal.resources;
  // The Connect PAT is the service principal's; a signed-in user does not see it.
  if (!r.pat_sha256 || c.principal.user_id || recordsOf(c).some((t) => t.revoked)) return undefined;
  return {
    token_id: connectTokenId(r),
    workspace_id: r.workspace_id,
    resources_id: r.id,
    token_sha256: r.pat_sha256,
    comment: 'Partner Connect',
    creation_time: epoch(r.created_at),
    expiry_time: -1,
  };
}

export const createToken: RestHandler = async (c) => {
  const what = 'create the token';
  const b = asObject(c.body, what);
  const comment = str(b, 'comment', what, false);
  const life = b.lifetime_seconds;
  if (life !== undefined && life !== null && (typeof life !== 'number' || !Number.isInteger(life))) {
    throw invalidParameter(
      `Failed to ${what}: lifetime_seconds is ${JSON.stringify(life)}. Expected a whole number of seconds (none or 0 or less: no expiry).`,
    );
  }
  const value = `dapi${randomBytes(16).toString('hex')}`;
  const created = c.now.getTime();
  const record: ApiTokenRecord = {
    token_id: randomBytes(32).toString('hex'),
    workspace_id: c.principal.workspace_id,
    resources_id: c.principal.resources.id,
    ...(c.principal.user_id ? { user_id: c.principal.user_id } : {}),
    token_sha256: digestSecret(value),
    ...(comment !== undefined ? { comment } : {}),
    creation_time: created,
    expiry_time: typeof life === 'number' && life > 0 ? created + life * 1000 : -1,
  };
  await c.store.update((s) => void (s.api_tokens ??= []).push(record));
  return {
    status: 200,
    kind: 'auth',
    detail: `token ${record.token_id}`,
    body: { token_value: value, token_info: tokenInfo(record) },
  };
};

export const listTokens: RestHandler = (c) => {
  const made = recordsOf(c).filter((t) => !t.revoked);
  const pat = connectPat(c);
  return { status: 200, kind: 'auth', body: { token_infos: [...(pat ? [pat] : []), ...made].map(tokenInfo) } };
};

export const deleteToken: RestHandler = async (c) => {
  const what = 'delete the token';
  const id = str(asObject(c.body, what), 'token_id', what)!;
  const pat = connectPat(c);
  const made = recordsOf(c).find((t) => t.token_id === id && !t.revoked);
  if (!made && pat?.token_id !== id)
    throw notFound(
      `Failed to ${what}: token ${id} does not exist for this service principal. Expected a token_id from GET /api/2.0/token/list.`,
    );
  await c.store.update((s) => {
    const list = (s.api_tokens ??= []);
    if (made) s.api_tokens = list.filter((t) => t.token_id !== id);
    else list.push({ ...pat!, revoked: true });
  });
  return { status: 200, kind: 'auth', detail: `token ${id}`, body: {} };
};
