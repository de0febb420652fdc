/**
 * Errors as a Databricks workspace answers them: REST APIs speak `{error_code, message}` with the
 * status of the code; the OAuth endpoints speak RFC 6749 `{error, error_description}`.
 */
import type { Response } from 'express';
import type { Resources } from '../databricks/model.js';

export const ERROR_STATUS = {
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  INVALID_PARAMETER_VALUE: 400,
  MALFORMED_REQUEST: 400,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  NOT_IMPLEMENTED: 501,
  INTERNAL_ERROR: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export class WorkspaceApiError extends Error {
  override name = 'WorkspaceApiError';
  constructor(
    readonly error_code: ErrorCode,
    message: string,
    /** The resources a refused credential belongs to (a revoked PAT), so the refusal is recorded for them. */
    readonly resources?: Resources,
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.error_code];
  }

  toBody(): { error_code: ErrorCode; message: string } {
    return { error_code: this.error_code, message: this.message };
  }
}

export const unauthenticated = (message: string) => new WorkspaceApiError('UNAUTHENTICATED', message);
export const invalidParameter = (message: string) => new WorkspaceApiError('INVALID_PARAMETER_VALUE', message);
export const notFound = (message: string) => new WorkspaceApiError('RESOURCE_DOES_NOT_EXIST', message);

export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope' | 'unsupported_response_type' | 'access_denied';

export class OAuthError extends Error {
  override name = 'OAuthError';
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
  ) {
    super(description);
  }

  /** invalid_client is 401, the rest 400 (RFC 6749 §5.2). */
  get status(): number {
    return this.error === 'invalid_client' ? 401 : 400;
  }

  /** `basic`: the client authenticated with the Authorization header, so a 401 carries a Basic challenge. */
  send(res: Response, basic = false): void {
    if (this.error === 'invalid_client' && basic) res.set('WWW-Authenticate', 'Basic realm="pcsim workspace"');
    res.status(this.status).set('Cache-Control', 'no-store').json({ error: this.error, error_description: this.description });
  }
}
