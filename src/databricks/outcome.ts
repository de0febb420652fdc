/**
 * What Databricks does with a Connect answer (CONTRACT §3 failures table, issue rules): pure.
 * Given the exchange, decide whether a connection now exists, whether provisioned resources
 * are kept, and what the user is shown.
 */
import { errorsOnly } from '../contract/diagnostics.js';
import type { PartnerConfig } from '../contract/partner-config.js';
import type { Exchange } from '../partner-client/types.js';

export type OutcomeKind = 'connected' | 'signed_in' | 'not_configured' | 'error';
export type ErrorScreen =
  | 'unauthorized'
  | 'connection_not_found'
  | 'account_not_found'
  | 'general_error'
  | 'bad_request'
  | 'invalid_response'
  | 'unreachable';

export interface UserFacingError {
  kind: ErrorScreen;
  /** What Databricks' error screen says. */
  title: string;
  /** What the user should do next. */
  action: string;
  /** Partner-controlled text, shown (escaped) for 404 and 500 only. */
  display_message?: string;
  /** The partner's sign-in page, offered for 401 and 500. */
  sign_in_page?: string;
  /** The first contract violation, for the developer. */
  detail?: string;
}

export interface Decision {
  outcome: OutcomeKind;
  /** Store a connection with this id (new connection only). */
  connection_id?: string;
  /** Keep the resources provisioned for this attempt (else they are deleted). */
  keep_resources: boolean;
  redirect_uri?: string;
  error?: UserFacingError;
}

export function decideConnect(exchange: Exchange, established: boolean, config: PartnerConfig): Decision {
  const res = exchange.response;
  const body = (res?.body && typeof res.body === 'object' ? res.body : {}) as Record<string, unknown>;
  const signIn = config.sign_up_page;
  const errors = errorsOnly(exchange.violations).filter((v) => v.rule !== 'connect.redirect_uri.open');
  const display = typeof body.display_message === 'string' ? body.display_message : undefined;

  if (!res) {
    // No answer after the retries: Databricks treats it like a 500 and keeps the resources.
    return {
      outcome: 'error',
      keep_resources: !established,
      error: {
        kind: 'unreachable',
        title: 'The partner could not be reached',
        action: 'Try again later, or sign in on the partner site.',
        sign_in_page: signIn,
        detail: exchange.error,
      },
    };
  }
  if (res.status >= 500) {
    return {
      outcome: 'error',
      keep_resources: !established,
      error: {
        kind: 'general_error',
        title: 'The partner failed to set up the connection',
        action: 'The resources Databricks created are kept; sign in on the partner site to finish.',
        display_message: display,
        sign_in_page: signIn,
        detail: errors[0]?.message,
      },
    };
  }
  if (res.status === 401) {
    return {
      outcome: 'error',
      keep_resources: false,
      error: {
        kind: 'unauthorized',
        title: "The partner refused Databricks' credentials",
        action: 'Sign in on the partner site.',
        sign_in_page: signIn,
        detail: errors[0]?.message,
      },
    };
  }
  if (res.status === 404) {
    if (body.error_reason === 'account_not_found') {
      return {
        outcome: 'error',
        keep_resources: false,
        error: {
          kind: 'account_not_found',
          title: 'You have no account with this partner yet',
          action: 'Contact your admin, or delete the connection and create it again.',
          display_message: display,
          detail: errors[0]?.message,
        },
      };
    }
    return {
      outcome: 'error',
      keep_resources: false,
      error: {
        kind: 'connection_not_found',
        title: 'The partner no longer has this connection',
        action: 'Delete the connection in Databricks, then create it again.',
        display_message: display,
        detail: errors[0]?.message,
      },
    };
  }
  if (res.status >= 400) {
    return {
      outcome: 'error',
      keep_resources: false,
      error: {
        kind: 'bad_request',
        title: 'The partner rejected the request',
        action: 'Contact the partner.',
        detail: errors[0]?.message,
      },
    };
  }
  if (errors.length > 0) {
    return {
      outcome: 'error',
      keep_resources: false,
      error: {
        kind: 'invalid_response',
        title: 'The partner answered outside the Partner Connect contract',
        action: "Fix the partner's Connect API; see the violations in the inspector.",
        detail: errors[0]!.message,
      },
    };
  }
  const redirect_uri = typeof body.redirect_uri === 'string' ? body.redirect_uri : undefined;
  if (established) return { outcome: 'signed_in', keep_resources: true, redirect_uri };
  if (body.configured_resources === true && typeof body.connection_id === 'string') {
    return { outcome: 'connected', connection_id: body.connection_id, keep_resources: true, redirect_uri };
  }
  return { outcome: 'not_configured', keep_resources: false, redirect_uri };
}
