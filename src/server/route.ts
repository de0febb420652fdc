/**
 * A route of the admin API as data: method, path, schemas, and the handler. app.ts registers
 * the table with Express and openapi.ts documents the same table, so the routes and the docs
 * cannot drift apart.
 */
import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { Clock } from '../databricks/clock.js';
import type { Databricks } from '../databricks/databricks.js';
import type { ObservableStore } from './observable-store.js';
import type { Credentials } from '../partner-client/client.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ApiContext {
  databricks: Databricks;
  store: ObservableStore;
  version: string;
  /** Basic credentials per partner id, given at registration; memory only, never persisted. */
  credentials: Map<string, Credentials>;
  /** What the server sends to partners registered without credentials (BASIC_USER/BASIC_PASSWORD of serve). */
  defaultCredentials: Credentials;
  /** The server's timeout and back-off, reused by runs started from the UI. */
  timeoutMs?: number;
  retryBackoffMs?: readonly number[];
  /** Re-creates the first-start workspaces and users (POST /api/reset {seed: true}). */
  seed(): Promise<void>;
  startedAt: Date;
  /** The simulated clock (GET/POST /api/clock); Databricks and the workspace read the same one. */
  clock: Clock;
}

export interface HandlerInput<B, Q> {
  ctx: ApiContext;
  /** Path parameters, int64 ids normalised to decimal strings. */
  params: Record<string, string>;
  body: B;
  query: Q;
  req: Request;
  res: Response;
}

export type Reply =
  | { status?: number; body: unknown }
  /** The answer already written as JSON (views.ts answerJson and its kin). */
  | { status?: number; json: string | Buffer };

export interface RouteDef<B extends z.ZodType, Q extends z.ZodType, P = z.output<B>> {
  method: Method;
  /** OpenAPI path template, e.g. /api/workspaces/{ws}. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** Completes "Failed to …" in validation messages, e.g. "create a workspace". */
  what: string;
  body?: B;
  /** Replaces `body.safeParse` when validation says more than a schema (partner.json warnings). */
  parseBody?: (raw: unknown, what: string) => P;
  query?: Q;
  /** Success status and what the answer holds (for the docs). */
  success: { status: number; description: string; contentType?: string };
  /** The handler writes the response itself (server-sent events). */
  stream?: boolean;
  handle(input: HandlerInput<P, z.output<Q>>): Promise<Reply | void> | Reply | void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Route = RouteDef<any, any, any>;

/** Declares a route; its types flow from the schemas into the handler. */
export function route<B extends z.ZodType = z.ZodUnknown, Q extends z.ZodType = z.ZodUnknown, P = z.output<B>>(
  def: RouteDef<B, Q, P>,
): Route {
  return def as Route;
}
