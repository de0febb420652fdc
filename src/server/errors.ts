/**
 * Every error the admin API answers, from ONE table of kinds: `{error: {code, message, details}}`
 * with the status of its kind. pcsim's own refusals (DatabricksError) keep their kinds, so the
 * two tables cannot disagree. A partner's misbehaviour is never one of these: it is an outcome
 * or a verdict inside a 200 answer.
 */
import { ERROR_KINDS, DatabricksError } from '../databricks/errors.js';
import { StoreError } from '../store/errors.js';

export const API_ERROR_KINDS = {
  ...ERROR_KINDS,
  /** A body, query or path parameter does not match its schema; details.field names it. */
  validation_failed: 400,
  malformed_json: 400,
  body_too_large: 413,
  unsupported_encoding: 415,
  unknown_route: 404,
  method_not_allowed: 405,
  /** A state-changing request from another origin (CSRF guard). */
  cross_site_request: 403,
  /** A Host header that is not a name of this server (DNS-rebinding guard). */
  host_not_allowed: 403,
  /** The state file could not be written; the change was rolled back. */
  storage_failed: 500,
  internal: 500,
} as const satisfies Record<string, number>;
export type ApiErrorKind = keyof typeof API_ERROR_KINDS;
export const API_ERROR_CODES = Object.keys(API_ERROR_KINDS) as [ApiErrorKind, ...ApiErrorKind[]];

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  get status(): number {
    return API_ERROR_KINDS[this.kind];
  }

  toBody(): { error: { code: ApiErrorKind; message: string; details: Record<string, unknown> } } {
    return { error: { code: this.kind, message: this.message, details: this.details } };
  }
}

/** What body-parser (express.text) throws: a status and a type. */
interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  limit?: number;
  message?: string;
}

/** Turns anything thrown by a handler or middleware into an ApiError. */
export function toApiError(err: unknown, bodyLimit = '1mb'): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof DatabricksError) return new ApiError(err.kind, err.message, err.details);
  if (err instanceof StoreError) return new ApiError('storage_failed', err.message, { file: err.file, reason: err.code });
  const e = (err ?? {}) as HttpishError;
  switch (e.type) {
    case 'entity.too.large':
      return new ApiError('body_too_large', `Failed to read the request body: it is larger than ${bodyLimit}. Expected a JSON body of at most ${bodyLimit}.`, { limit: bodyLimit });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError('unsupported_encoding', `Failed to read the request body: ${e.message ?? 'unsupported encoding'}. Expected UTF-8 JSON without content encoding.`, {});
    case 'request.aborted':
    case 'request.size.invalid':
      return new ApiError('malformed_json', `Failed to read the request body: ${e.message ?? 'the request was cut short'}. Expected a complete JSON body.`, {});
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError('internal', `Failed to handle the request: internal error (${message}). Expected no internal error; please report it with the server log.`, {});
}
