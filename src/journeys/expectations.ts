/**
 * What a journey expects of one answer, beyond the contract rules every answer is judged by
 * (JOURNEYS.md "validate new" / "validate sign-in"). Pure: an exchange in, violations out.
 * Rule ids start with `journey.` so a report tells contract breaches from journey expectations.
 */
import { show, violation, type Violation } from '../contract/diagnostics.js';
import type { AccountStatus, RedirectValue, UserStatus } from '../contract/enums.js';
import type { PartnerConfig } from '../contract/partner-config.js';
import type { Exchange } from '../partner-client/types.js';

type Body = Record<string, unknown>;
const bodyOf = (ex: Exchange): Body =>
  ex.response?.body && typeof ex.response.body === 'object' ? (ex.response.body as Body) : {};

function statusIs(ex: Exchange, allowed: number[], what: string): Violation[] {
  if (!ex.response) return []; // the network failure is already a violation (http.network)
  if (allowed.includes(ex.response.status)) return [];
  const b = bodyOf(ex);
  const why =
    typeof b.error_reason === 'string'
      ? ` (${b.error_reason}${typeof b.display_message === 'string' ? `: ${b.display_message}` : ''})`
      : '';
  return [
    violation(
      'journey.status',
      'status',
      `Failed to ${what}: the partner answered ${ex.response.status}${why}. Expected ${allowed.join(' or ')}.`,
      'error',
      { expected: allowed.join(' or '), received: String(ex.response.status) },
    ),
  ];
}

function fieldIn<T extends string>(
  ex: Exchange,
  field: string,
  allowed: readonly T[],
  what: string,
  rule = `journey.${field}`,
): Violation[] {
  const v = bodyOf(ex)[field];
  if (allowed.includes(v as T)) return [];
  const expected = allowed.map((a) => show(a)).join(' or ');
  return [
    violation(rule, field, `Failed to ${what}: ${field} is ${show(v)}. Expected ${expected}.`, 'error', {
      expected,
      received: show(v),
    }),
  ];
}

/** The redirect values Databricks' suite accepts when a journey names none (PartnerTestBase.validateRedirectValue). */
export const DEFAULT_REDIRECTS: readonly RedirectValue[] = ['create_trial', 'sign_in', 'purchase_product'];

export interface NewExpectation {
  redirect_values?: readonly RedirectValue[];
}

/** "Validate new": a connection was configured. */
export function expectNew(ex: Exchange, exp: NewExpectation = {}): Violation[] {
  const what = 'create a connection';
  const status = statusIs(ex, [200, 201], what);
  if (status.length || !ex.response) return status;
  const out: Violation[] = [];
  if (bodyOf(ex).configured_resources !== true)
    out.push(
      violation(
        'journey.configured_resources',
        'configured_resources',
        `Failed to ${what}: configured_resources is ${show(bodyOf(ex).configured_resources)}. Expected true for a new connection.`,
        'error',
        { expected: 'true', received: show(bodyOf(ex).configured_resources) },
      ),
    );
  out.push(...fieldIn(ex, 'redirect_value', exp.redirect_values ?? DEFAULT_REDIRECTS, what));
  return out;
}

export interface SignInExpectation {
  manualSignup?: boolean;
  redirect_values?: readonly RedirectValue[];
  user_statuses?: readonly UserStatus[];
  account_statuses?: readonly AccountStatus[];
}

/** "Validate sign-in": the established connection is reused and nothing is configured. */
export function expectSignIn(ex: Exchange, exp: SignInExpectation = {}): Violation[] {
  const what = 'sign in to the existing connection';
  if (exp.manualSignup && ex.response?.status === 404) {
    return fieldIn(ex, 'error_reason', ['account_not_found', 'connection_not_found'] as const, what);
  }
  const status = statusIs(ex, [200], what);
  if (status.length || !ex.response) return status;
  const out: Violation[] = [];
  if (bodyOf(ex).configured_resources !== false)
    out.push(
      violation(
        'journey.configured_resources',
        'configured_resources',
        `Failed to ${what}: configured_resources is ${show(bodyOf(ex).configured_resources)}. Expected false on a sign-in.`,
        'error',
        { expected: 'false', received: show(bodyOf(ex).configured_resources) },
      ),
    );
  // Databricks' suite (PartnerTestBase.signInAndValidate) holds a sign-in to the same default redirect values as a create.
  out.push(...fieldIn(ex, 'redirect_value', exp.redirect_values ?? DEFAULT_REDIRECTS, what));
  if (exp.user_statuses) out.push(...fieldIn(ex, 'user_status', exp.user_statuses, what));
  if (exp.account_statuses) out.push(...fieldIn(ex, 'account_status', exp.account_statuses, what));
  return out;
}

/** An error answer: this status, one of these error_reasons. */
export function expectError(
  ex: Exchange,
  status: number,
  reasons: readonly string[],
  what: string,
  opts: { display_message?: boolean } = {},
): Violation[] {
  const s = statusIs(ex, [status], what);
  if (s.length || !ex.response) return s;
  const out = fieldIn(ex, 'error_reason', reasons, what);
  if (opts.display_message && typeof bodyOf(ex).display_message !== 'string') {
    out.push(
      violation(
        'journey.display_message',
        'display_message',
        `Failed to ${what}: display_message is missing. Expected a message Databricks can show the user.`,
      ),
    );
  }
  return out;
}

/** The row of new_user_action (CONTRACT §5) for an unseen user signing in to a known account. */
export function expectNewUserRow(ex: Exchange, config: PartnerConfig, extra: SignInExpectation = {}): Violation[] {
  const what = `sign in a new user (new_user_action ${config.new_user_action})`;
  if (config.require_manual_signup && ex.response?.status === 404) {
    return fieldIn(ex, 'error_reason', ['account_not_found', 'connection_not_found'] as const, what);
  }
  switch (config.new_user_action) {
    case 'auto_add':
      return expectSignIn(ex, { redirect_values: ['sign_in', 'create_trial'], user_statuses: ['new'], ...extra });
    case 'invite':
      return expectSignIn(ex, { redirect_values: ['contact_admin'], user_statuses: ['not_applicable'], ...extra });
    case 'not_found':
      return expectError(ex, 404, ['account_not_found'], what);
    case 'error':
      return expectError(ex, 500, ['general_error'], what);
  }
}

/**
 * The demo flow (CONTRACT §7) of a *new* connection: the new-trial answer every time. A sign-in
 * to a demo connection is an ordinary sign-in (Databricks' DemoFlowTests validates it as one, and
 * its sample partner applies demo to new connections only), so there is no demo rule for it.
 */
export function expectDemo(ex: Exchange): Violation[] {
  const what = 'follow the demo flow (demo: true)';
  const status = statusIs(ex, [200, 201], what);
  if (status.length || !ex.response) return status;
  return [
    ...fieldIn(ex, 'redirect_value', ['create_trial'] as const, what),
    ...fieldIn(ex, 'user_status', ['new'] as const, what),
    ...fieldIn(ex, 'account_status', ['new'] as const, what),
  ];
}

/**
 * P101/P600: a connection in another workspace is a separate connection; handing back the id of
 * the first one is a warning (CONTRACT §3 "configure a new, separate one"; the suite does not compare).
 */
export function expectOtherConnectionId(
  ex: Exchange,
  earlier: string | undefined,
  what: string,
  severity: 'error' | 'warning',
): Violation[] {
  const id = bodyOf(ex).connection_id;
  if (!ex.response || ex.response.status >= 300 || earlier === undefined || id !== earlier) return [];
  // P400 (seed: must create a new connection) is an error; another workspace's (P101, P600) a warning.
  const rule = severity === 'error' ? 'journey.connection_id.reused' : 'journey.connection_id.shared';
  return [
    violation(
      rule,
      'connection_id',
      `Failed to ${what}: connection_id ${show(id)} is the one returned before. Expected a new, separate connection (CONTRACT §3, "partner has one").`,
      severity,
      { expected: `not ${show(earlier)}`, received: show(id) },
    ),
  ];
}

/** P300: what the creator's sign-in means (API specification, "existing user, existing account"); warnings. */
export const CREATOR_SIGN_IN = {
  user_status: ['existing'],
  account_status: ['active'],
  redirect_value: ['sign_in'],
} as const;

/** P500: creating again after the trial expired shows a meaningful error or the purchase page. */
export function expectExpiredTrial(ex: Exchange): Violation[] {
  if (ex.response && ex.response.status >= 400) {
    return expectError(
      ex,
      ex.response.status,
      ['bad_request', 'account_not_found', 'connection_not_found', 'general_error', 'unauthorized'],
      'explain the expired trial',
      { display_message: true },
    );
  }
  if (!ex.response) return [];
  const b = bodyOf(ex);
  const out: Violation[] = [];
  if (b.account_status !== 'expired')
    out.push(
      violation(
        'journey.account_status',
        'account_status',
        `Failed to report the expired trial: account_status is ${show(b.account_status)}. Expected "expired".`,
      ),
    );
  if (!['purchase_product', 'create_trial'].includes(b.redirect_value as string))
    out.push(
      violation(
        'journey.redirect_value',
        'redirect_value',
        `Failed to route the expired trial: redirect_value is ${show(b.redirect_value)}. Expected "purchase_product" (or "create_trial" when another trial is allowed).`,
      ),
    );
  return out;
}

/** P800: a live connection's test answers 200 with at least one named PASS/FAIL result and a message. */
export function expectTestResults(ex: Exchange): Violation[] {
  const what = 'test the connection';
  const status = statusIs(ex, [200], what);
  if (status.length || !ex.response) return status;
  const results = bodyOf(ex).test_results;
  if (!Array.isArray(results) || results.length === 0)
    return [
      violation(
        'journey.test_results',
        'test_results',
        `Failed to ${what}: test_results is ${show(results)}. Expected at least one result.`,
      ),
    ];
  const out: Violation[] = [];
  results.forEach((r: Record<string, unknown>, i) => {
    if (typeof r?.test_name !== 'string' || r.test_name === '')
      out.push(
        violation(
          'journey.test_results',
          `test_results[${i}].test_name`,
          `Failed to read test result ${i}: test_name is ${show(r?.test_name)}. Expected a name.`,
        ),
      );
    if (r?.status !== 'PASS' && r?.status !== 'FAIL')
      out.push(
        violation(
          'journey.test_results',
          `test_results[${i}].status`,
          `Failed to read test result ${i}: status is ${show(r?.status)}. Expected "PASS" or "FAIL" on a live connection.`,
        ),
      );
    if (typeof r?.message !== 'string')
      out.push(
        violation(
          'journey.test_results',
          `test_results[${i}].message`,
          `Failed to read test result ${i}: message is ${show(r?.message)}. Expected a message explaining the result.`,
        ),
      );
  });
  return out;
}

/** Recommended values: each field whose value is not among them is a warning. */
export function preferValues(
  ex: Exchange,
  prefer: Partial<Record<'redirect_value' | 'user_status' | 'account_status', readonly string[]>>,
  what: string,
): Violation[] {
  if (!ex.response || ex.response.status >= 300) return [];
  const out: Violation[] = [];
  for (const [field, allowed] of Object.entries(prefer)) {
    if (!allowed) continue;
    const v = bodyOf(ex)[field];
    const expected = allowed.map((a) => show(a)).join(' or ');
    if (!allowed.includes(v as string))
      out.push(
        violation(
          `journey.recommended.${field}`,
          field,
          `Failed to ${what}: ${field} is ${show(v)}. Expected ${expected} (a recommendation).`,
          'warning',
          { expected, received: show(v) },
        ),
      );
  }
  return out;
}
