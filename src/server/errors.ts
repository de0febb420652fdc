/**
 * Every error the admin API answers, from ONE table of kinds: an RFC 9457 problem
 * (`application/problem+json`: type, title, status, detail, instance, and `code`) that also carries
 * `error: {code, message, details}`, the shape earlier clients read, with the status of its kind. pcsim's own refusals (DatabricksError) keep their kinds, so the
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

  /** The answer's body; `instance`: the request's path. */
  toProblem(instance: string): Problem {
    return {
      type: `urn:pcsim:problem:${this.kind}`,
      title: titleOf(this.kind),
      status: this.status,
      detail: this.message,
      instance,
      code: this.kind,
      error: { code: this.kind, message: this.message, details: this.details },
    };
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: ApiErrorKind;
  error: { code: ApiErrorKind; message: string; details: Record<string, unknown> };
}

/** "validation_failed" → "Validation failed": the same for every occurrence of a kind, as RFC 9457 asks of a title. */
const titleOf = (kind: ApiErrorKind) => `${kind[0]!.toUpperCase()}${kind.slice(1).replace(/_/g, ' ')}`;

/** What body-parser (express.text) throws: a status and a type. */
interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  limit?: number;
  message?: string;
}

/**
 * Turns anything thrown by a handler or middleware into an ApiError. `fromBody`: the error came
 * from reading the request body, so any other 4xx it carries is the client's body at fault.
 */
export function toApiError(err: unknown, bodyLimit = '1mb', fromBody = false): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof DatabricksError) return new ApiError(err.kind, err.message, err.details);
  if (err instanceof StoreError)
    return new ApiError('storage_failed', err.message, { file: err.file, reason: err.code });
  const e = (err ?? {}) as HttpishError;
  switch (e.type) {
    case 'entity.too.large':
      return new ApiError(
        'body_too_large',
        `Failed to read the request body: it is larger than ${bodyLimit}. Expected a JSON body of at most ${bodyLimit}.`,
        { limit: bodyLimit },
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError(
        'unsupported_encoding',
        `Failed to read the request body: ${e.message ?? 'unsupported encoding'}. Expected UTF-8 JSON without content encoding.`,
        {},
      );
    case 'request.aborted':
    case 'request.size.invalid':
      return new ApiError(
        'malformed_json',
        `Failed to read the request body: ${e.message ?? 'the request was cut short'}. Expected a complete JSON body.`,
        {},
      );
  }
  const message = err instanceof Error ? err.message : String(err);
  // The router's own refusal of a path segment such as %zz or %E0%A4 (a URIError with status 400).
  if (err instanceof URIError && e.status === 400) {
    const segment = /'(.*)'/.exec(message)?.[1] ?? message;
    return new ApiError(
      'validation_failed',
      `Failed to read the request path: segment ${JSON.stringify(segment)} is not valid percent-encoding. Expected UTF-8 percent-encoding, e.g. %20 for a space.`,
      { field: '(path)', value: segment },
    );
  }
  // Any other client-side failure of the body reader (a gzip body that does not inflate…) is the client's, not ours.
  const status = e.status ?? e.statusCode;
  if (fromBody && typeof status === 'number' && status >= 400 && status < 500) {
    return new ApiError(
      'malformed_json',
      `Failed to read the request body: it cannot be decoded (${message}). Expected a complete JSON body, plain or with a valid gzip, deflate or br Content-Encoding.`,
      { reason: message },
    );
  }
  return new ApiError(
    'internal',
    `Failed to handle the request: internal error (${message}). Expected no internal error; please report it with the server log.`,
    {},
  );
}
