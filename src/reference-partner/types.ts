/**
 * Options of the reference partner: the switches that pick a compliant behaviour (a row of
 * CONTRACT §1/§5) and the faults that break one thing on purpose, so that pcsim's journeys
 * can be shown to pass against a good partner and to fail, naming the rule, against a bad one.
 */
import type { WorkspaceTls } from './workspace-client.js';
import {
  CATEGORIES,
  NEW_USER_ACTIONS,
  TRIAL_TYPES,
  type Category,
  type NewUserAction,
  type TrialType,
} from '../contract/enums.js';

/** Each fault breaks only what its comment says; several may be combined. */
export const FAULTS = [
  'slow', // every API answer is delayed by slowMs
  'hang', // connect never answers
  'reset', // connect destroys the socket mid-response
  'error-500', // connect always answers 500 general_error
  'flaky-500', // the first 2 attempts of each distinct connect body answer 500, the 3rd succeeds
  'malformed-json', // connect answers 200 application/json with a truncated body
  'html-body', // connect answers 200 text/html
  'huge-body', // connect answers a valid Connection padded to ~2 MB
  'wrong-content-type', // connect answers valid JSON as text/plain
  'wrong-enum', // redirect_value in upper case
  'missing-fields', // account_status left out of the Connection
  'redirect-outside-allowlist', // redirect_uri on evil.example.net
  'redirect-broken', // the redirect_uri page answers 404
  'id-on-sign-in', // sign-in answers carry connection_id (breaks rule 1)
  'no-connection-id', // create answers configured_resources true without connection_id (breaks rule 2)
  'ignore-demo', // the demo flag is ignored
  'accept-bad-credentials', // Basic auth is not checked
  'keep-deleted-connections', // delete-connection answers 200 but the connection keeps working
  'delete-any-domain', // delete-account deletes non-test domains too
  'ignore-expiry', // expire-account answers 200 but changes nothing
  'same-connection-id', // a create in a workspace with a connection returns the existing id
  'bad-test-results', // test-connection results have status OK and no message
  'empty-connectors', // connectors answers an empty list
  'no-core-integration', // never uses the credentials of a new connection (P200 fails: no call to the workspace)
] as const;
export type Fault = (typeof FAULTS)[number];

export const HOOKS = [
  'get_connectors',
  'test_connection',
  'delete_account',
  'expire_account',
  'delete_connection',
] as const;
export type Hook = (typeof HOOKS)[number];

export interface ReferencePartnerOptions {
  basicUser?: string;
  basicPassword?: string;
  newUserAction?: NewUserAction;
  trialType?: TrialType;
  requireManualSignup?: boolean;
  supportsDemo?: boolean;
  category?: Category;
  /** Which optional hooks exist; default all. A disabled hook has no route and no endpoint in the config. */
  hooks?: Partial<Record<Hook, boolean>>;
  faults?: Fault[];
  /** Delay used by the 'slow' fault, in ms. */
  slowMs?: number;
  name?: string;
  /**
   * Core integration (P200): after a new connection, call the workspace_url of the payload with
   * the credentials received (PAT or OAuth M2M): SCIM Me, then create a table, insert a row and
   * read it back on the warehouse. Default true; false is the same as fault no-core-integration.
   */
  coreIntegration?: boolean;
  /** Ask for a DestLocation (resources_to_provision), which makes P201 apply. Default false. */
  destLocation?: boolean;
  /** How the core integration reaches the workspace over https (pcsim's own CA, or a dispatcher). */
  workspaceTls?: WorkspaceTls;
}

/** The options with every default filled in. */
export interface ResolvedOptions {
  basicUser: string;
  basicPassword: string;
  newUserAction: NewUserAction;
  trialType: TrialType;
  requireManualSignup: boolean;
  supportsDemo: boolean;
  category: Category;
  hooks: Record<Hook, boolean>;
  faults: ReadonlySet<Fault>;
  slowMs: number;
  name: string;
  coreIntegration: boolean;
  destLocation: boolean;
  workspaceTls: WorkspaceTls;
}

export const DEFAULT_BASIC_USER = 'databricks';
export const DEFAULT_BASIC_PASSWORD = 'pcsim-reference-secret';

const isFault = (f: unknown): f is Fault => (FAULTS as readonly unknown[]).includes(f);

/** Fills defaults and refuses values outside the enums (options may come from a CLI or a scenario file). */
export function resolveOptions(opts: ReferencePartnerOptions = {}): ResolvedOptions {
  const fail = (what: string, value: unknown, expected: string) => {
    throw new Error(
      `Failed to configure the reference partner: ${what} is ${JSON.stringify(value)}. Expected ${expected}.`,
    );
  };
  const newUserAction = opts.newUserAction ?? 'auto_add';
  if (!NEW_USER_ACTIONS.includes(newUserAction))
    fail('newUserAction', newUserAction, `one of ${NEW_USER_ACTIONS.join(', ')}`);
  const trialType = opts.trialType ?? 'account';
  if (!TRIAL_TYPES.includes(trialType)) fail('trialType', trialType, `one of ${TRIAL_TYPES.join(', ')}`);
  const category = opts.category ?? 'INGEST';
  if (!CATEGORIES.includes(category)) fail('category', category, `one of ${CATEGORIES.join(', ')}`);
  for (const f of opts.faults ?? []) if (!isFault(f)) fail('a fault', f, `one of ${FAULTS.join(', ')}`);
  const slowMs = opts.slowMs ?? 2000;
  if (!Number.isFinite(slowMs) || slowMs < 0) fail('slowMs', slowMs, 'a number of milliseconds >= 0');
  for (const key of Object.keys(opts.hooks ?? {}))
    if (!(HOOKS as readonly string[]).includes(key)) fail('a hook', key, `one of ${HOOKS.join(', ')}`);
  const hooks = Object.fromEntries(HOOKS.map((h) => [h, opts.hooks?.[h] ?? true])) as Record<Hook, boolean>;
  return {
    basicUser: opts.basicUser ?? DEFAULT_BASIC_USER,
    basicPassword: opts.basicPassword ?? DEFAULT_BASIC_PASSWORD,
    newUserAction,
    trialType,
    requireManualSignup: opts.requireManualSignup ?? false,
    supportsDemo: opts.supportsDemo ?? true,
    category,
    hooks,
    faults: new Set(opts.faults ?? []),
    slowMs,
    name: opts.name ?? 'pcsim reference partner',
    coreIntegration: (opts.coreIntegration ?? true) && !(opts.faults ?? []).includes('no-core-integration'),
    destLocation: opts.destLocation ?? false,
    workspaceTls: opts.workspaceTls ?? {},
  };
}
