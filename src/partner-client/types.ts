/** What pcsim records of one call to a partner: an exchange. Secrets are redacted before it is built. */
import type { Violation } from '../contract/diagnostics.js';

// The APIs a partner serves are the contract's (contract/rules.ts); re-exported for the callers of the client.
import type { CallKind } from '../contract/rules.js';
export type { CallKind };

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The JSON body as sent (int64 ids as bigint above 2^53), redacted. */
  body?: unknown;
}

export interface RecordedResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the body was JSON, else the text (cut to a preview). */
  body?: unknown;
  /** Set when the body was not JSON or could not be read whole. */
  body_text?: string;
  body_bytes: number;
  truncated?: boolean;
}

export interface Attempt {
  /** 1-based attempt number. */
  n: number;
  status?: number;
  error?: string;
  /** How long pcsim waited before this attempt (Databricks' back-off). */
  waited_ms: number;
  duration_ms: number;
}

/**
 * One attempt of a call that is still in flight, announced as it ends (the exchange itself is
 * recorded only after the last one): what the partner answered and whether Databricks retries.
 */
export interface AttemptProgress {
  exchange_id: string;
  kind: CallKind;
  partner?: string;
  workspace_id?: string;
  user_id?: string;
  n: number;
  /** How many attempts Databricks makes at most (1 + retries). */
  of: number;
  status?: number;
  error?: string;
  duration_ms: number;
  /** Set when Databricks retries: the wait before attempt n + 1. */
  retry_in_ms?: number;
}

/** The check that Databricks opens the redirect_uri in a new tab, and what came back. */
export interface RedirectCheck {
  url: string;
  status?: number;
  error?: string;
  duration_ms: number;
}

export interface Exchange {
  id: string;
  at: string;
  kind: CallKind;
  partner?: string;
  workspace_id?: string;
  user_id?: string;
  request: RecordedRequest;
  /** The last attempt's response; absent when no attempt got one. */
  response?: RecordedResponse;
  /** The last attempt's network error (refused, reset, timeout…), when there was no response. */
  error?: string;
  attempts: Attempt[];
  duration_ms: number;
  redirect?: RedirectCheck;
  violations: Violation[];
}
