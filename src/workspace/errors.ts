/**
 * Errors as a Databricks workspace answers them: REST APIs speak `{error_code, message}` with the
 * status of the code; the OAuth endpoints speak RFC 6749 `{error, error_description}`.
 */
import type { Response } from 'express';
import type { Resources } from '../databricks/model.js';

/**
 * The error codes pcsim answers with: those of Databricks' error mapping (databricks-sdk-go
 * apierr/error_mapping.go), the ones its REST APIs are seen to send (MALFORMED_REQUEST,
 * ENDPOINT_NOT_FOUND), and "403", the code of the "Invalid access token." answer (the SDK's own
 * test in databricks-sdk-js apierr.test).
 */
export const ERROR_STATUS = {
  '403': 403,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  INVALID_PARAMETER_VALUE: 400,
  MALFORMED_REQUEST: 400,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  NOT_FOUND: 404,
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

  /** pcsim's own explanation, recorded in the activity log when the body must stay Databricks' text. */
  reason?: string;

  get status(): number {
    return ERROR_STATUS[this.error_code];
  }

  toBody(): Record<string, unknown> {
    return { error_code: this.error_code, message: this.message };
  }
}

/**
 * SCIM APIs answer errors in SCIM's own shape (RFC 7644 §3.12), which the SDKs recognise by
 * `detail` and `status`.
 */
export class ScimError extends WorkspaceApiError {
  override name = 'ScimError';
  constructor(
    readonly scimStatus: 400 | 404,
    detail: string,
    readonly scimType?: 'invalidFilter' | 'invalidValue',
  ) {
    super(scimStatus === 404 ? 'RESOURCE_DOES_NOT_EXIST' : 'INVALID_PARAMETER_VALUE', detail);
  }

  override toBody(): Record<string, unknown> {
    const body: Record<string, unknown> = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      detail: this.message,
      status: String(this.scimStatus),
    };
    if (this.scimType) body.scimType = this.scimType;
    return body;
  }
}

/**
 * What Databricks answers a bearer token it does not accept: 403 `{"error_code":"403","message":
 * "Invalid access token."}`. Why pcsim refused it goes to the activity log only (`reason`).
 */
export function invalidToken(reason: string, resources?: Resources): WorkspaceApiError {
  const err = new WorkspaceApiError('403', 'Invalid access token.', resources);
  err.reason = reason;
  return err;
}

/** A call without a usable credential: 401 with Databricks' message; pcsim's reason is logged. */
export function missingCredential(reason: string): WorkspaceApiError {
  const message = 'Credential was not sent or was of an unsupported type for this API.';
  const err = new WorkspaceApiError('UNAUTHENTICATED', message);
  err.reason = reason;
  return err;
}

export const unauthenticated = (message: string) => new WorkspaceApiError('UNAUTHENTICATED', message);
export const invalidParameter = (message: string) => new WorkspaceApiError('INVALID_PARAMETER_VALUE', message);
export const notFound = (message: string) => new WorkspaceApiError('RESOURCE_DOES_NOT_EXIST', message);

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'unsupported_response_type'
  | 'access_denied';

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
    res
      .status(this.status)
      .set('Cache-Control', 'no-store')
      .json({ error: this.error, error_description: this.description });
  }
}
