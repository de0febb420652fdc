/**
 * What every workspace REST handler gets and gives back, and the small readers they share: the
 * caller's live resources, JSON object bodies, query parameters.
 */
import type { Request } from 'express';
import type { Int64 } from '../../contract/int64.js';
import { liveResourcesOf } from '../../databricks/indexes.js';
import type { Resources, State } from '../../databricks/model.js';
import type { Store } from '../../store/types.js';
import { invalidParameter, WorkspaceApiError } from '../errors.js';
import type { SqlEngine } from '../sql.js';
import type { Principal } from '../tokens.js';
import type { ActivityKind } from '../types.js';
import type { StatementCache } from '../statements.js';

export interface CallContext {
  state: Readonly<State>;
  principal: Principal;
  req: Request;
  body: unknown;
  now: Date;
  store: Store;
  engine: SqlEngine;
  statements: StatementCache;
  /** hostname/port the workspace is reached at (for odbc_params, jdbc urls). */
  host: string;
}

export interface CallResult {
  status: number;
  body: unknown;
  kind: ActivityKind;
  ok?: boolean;
  detail?: string;
  table?: { name: string; location?: string; managed: boolean };
  /** SQL: the catalogs the statement used. */
  catalogs?: string[];
  error?: string;
}

export type RestHandler = (c: CallContext) => CallResult | Promise<CallResult>;

export const liveResources = (state: Readonly<State>, ws: Int64): Resources[] => liveResourcesOf(state, ws);

export const epoch = (iso: string) => new Date(iso).getTime();

export const asObject = (body: unknown, what: string): Record<string, unknown> => {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new WorkspaceApiError(
      'MALFORMED_REQUEST',
      `Failed to ${what}: the body is not a JSON object. Expected a JSON object.`,
    );
  }
  return body as Record<string, unknown>;
};

export const str = (o: Record<string, unknown>, key: string, what: string, required = true): string | undefined => {
  const v = o[key];
  if (v === undefined || v === null || v === '') {
    if (required) throw invalidParameter(`Failed to ${what}: ${key} is missing. Expected a non-empty string.`);
    return undefined;
  }
  if (typeof v !== 'string')
    throw invalidParameter(`Failed to ${what}: ${key} is ${JSON.stringify(v)}. Expected a string.`);
  return v;
};

/** A query parameter given once, as text (Express parses `a=1&a=2` into an array). */
export function queryParam(c: CallContext, key: string): string | undefined {
  const v = c.req.query[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string')
    throw invalidParameter(`Failed to read the query: ${key} is given more than once. Expected one value.`);
  return v;
}

/** A non-negative integer query parameter, or undefined. */
export function intParam(c: CallContext, key: string, min = 0): number | undefined {
  const v = queryParam(c, key);
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min)
    throw invalidParameter(
      `Failed to read the query: ${key} is ${JSON.stringify(v)}. Expected an integer of at least ${min}.`,
    );
  return Number(v);
}
