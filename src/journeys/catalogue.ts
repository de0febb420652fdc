/**
 * The journeys of JOURNEYS.md (the onboarding test cases), as data plus steps. Ids never change:
 * they appear as-is in every report, the UI and the CLI.
 */
import { violation, type Violation } from '../contract/diagnostics.js';
import type { PartnerConfig } from '../contract/partner-config.js';
import type { Exchange } from '../partner-client/types.js';
import { WRONG_CREDENTIALS, type JourneyContext } from './context.js';
import { CREATOR_SIGN_IN, expectDemo, expectError, expectExpiredTrial, expectNew, expectNewUserRow, expectOtherConnectionId, expectSignIn, expectTestResults, preferValues } from './expectations.js';

/** P200/P201: how to have them judged automatically (src/workspace/core-journeys.ts). */
const AUTOMATE = 'To judge this automatically, run pcsim run --wait-core SECONDS: the run serves the simulated workspace, the partner calls it back with the credentials it received, and the journey judges those calls.';

export interface Skip {
  /** The config field that made the journey inapplicable. */
  field: string;
  reason: string;
}

export interface Journey {
  id: string;
  title: string;
  /** undefined when it applies; else why not (never a failure). */
  skip(config: PartnerConfig): Skip | undefined;
  /** Manual journeys: what a reviewer checks by hand; `run` is absent, or decides it can't judge. */
  manual?: string[];
  /** Set when this config leaves the journey to a human: why, and what to do. Decided before anything is
   * sent, so a load run never counts such a journey as a passed copy with no steps. */
  manualFor?(config: PartnerConfig): string | undefined;
  /** `{note}`: passed, with the reason it passed (P200/P201 judged from the partner's activity). */
  run?(t: JourneyContext): Promise<void | { manual: string } | { note: string }>;
}

/** What a config makes of a journey before it runs: the one reading of skip / manualFor / run. */
export type Applicability = { status: 'skipped'; field: string; reason: string } | { status: 'manual'; reason: string } | { status: 'runs' };

export function applicability(j: Journey, config: PartnerConfig): Applicability {
  const skip = j.skip(config);
  if (skip) return { status: 'skipped', ...skip };
  if (!j.run) return { status: 'manual', reason: 'judged by hand: see manual_checks' };
  const manual = j.manualFor?.(config);
  return manual ? { status: 'manual', reason: manual } : { status: 'runs' };
}

const always = () => undefined;
const needs = (endpoint: keyof PartnerConfig['endpoints'], api: string) => (c: PartnerConfig): Skip | undefined =>
  c.endpoints[endpoint] ? undefined : { field: `endpoints.${endpoint}`, reason: `endpoints.${endpoint} is not set: the partner does not implement ${api}` };

const ok = (what: string, statuses = [200]) => (ex: Exchange): Violation[] => {
  if (!ex.response || statuses.includes(ex.response.status)) return [];
  const b = (ex.response.body ?? {}) as Record<string, unknown>;
  return [violation('journey.status', 'status', `Failed to ${what}: the partner answered ${ex.response.status}${typeof b.error_reason === 'string' ? ` (${b.error_reason})` : ''}. Expected ${statuses.join(' or ')}.`)];
};
const HOOK_OK = [200, 204];

/** Why a new user's sign-in says nothing about the trial's state (P502 is then judged by hand). */
const NEW_USER_REFUSED = (c: PartnerConfig) =>
  c.require_manual_signup ? 'require_manual_signup is true: a new user gets 404 until signed up by hand' : `new_user_action is ${c.new_user_action}: a new user gets ${c.new_user_action === 'error' ? '500 general_error' : '404 account_not_found'} whatever the trial's state`;
const P502_BY_HAND = "Expire u1's trial, let u2 (same domain) sign up, sign in as u2: the page shows the expired account (trial_type account) or an active trial (trial_type user), or a meaningful error.";

export const CATALOGUE: Journey[] = [
  {
    id: 'AUTH',
    title: 'wrong credentials are refused',
    skip: always,
    async run(t) {
      const ws = await t.workspace();
      const u = await t.user(ws, `u1@${t.testDomain()}`);
      await t.connect('connect with a wrong Basic password', ws, u, (ex) => expectError(ex, 401, ['unauthorized'], 'refuse wrong Basic credentials'), {
        credentials: WRONG_CREDENTIALS,
      });
    },
  },
  {
    id: 'P100',
    title: 'new user, new workspace connects',
    skip: always,
    manual: [
      'This flow must be seamless: it is the primary critical user journey.',
      'The user is never uncertain how to proceed to see the Databricks connection working.',
      'The Databricks connector in the partner product is pre-populated; the user does not select Databricks as a destination.',
    ],
    async run(t) {
      const ws = await t.workspace();
      const u1 = await t.user(ws, `u1@${t.testDomain()}`);
      await t.connect('connect u1 in a new workspace', ws, u1, (ex) => expectNew(ex, { redirect_values: ['create_trial'] }));
    },
  },
  {
    id: 'P101',
    title: 'existing user, new workspace',
    skip: always,
    manual: [
      "The partner already knows the user's email before Connect: the flow is still seamless.",
      'The user is never uncertain how to proceed; the Databricks connector is pre-populated and not chosen by hand.',
    ],
    async run(t) {
      const domain = t.testDomain();
      const wsA = await t.workspace();
      const u1 = await t.user(wsA, `u1@${domain}`);
      const a = await t.connect('connect u1 in workspace A', wsA, u1, (ex) => expectNew(ex));
      const wsB = await t.workspace();
      await t.join(wsB, u1);
      await t.connect('connect u1 (now known) in workspace B', wsB, u1, (ex) => {
        const out = expectNew(ex);
        // The partner saw this email in workspace A: "existing" is recommended, "new" only warned about.
        if (out.length) return out;
        return [...expectOtherConnectionId(ex, a.connection?.connection_id, 'create a connection', 'warning'), ...preferValues(ex, { user_status: ['existing'] }, 'recognise an existing user')];
      });
    },
  },
  {
    id: 'P200',
    title: 'core integration works',
    skip: always,
    manual: [
      'After Connect, the partner product uses the PAT or OAuth credentials it received to reach the workspace (query the SQL warehouse, write a table or publish a notebook).',
      'Test with a Unity Catalog catalog and with hive_metastore.',
      AUTOMATE,
    ],
  },
  {
    id: 'P201',
    title: 'destination / external location respected',
    skip: (c) => (c.resources_to_provision.some((r) => r.resource_type === 'DestLocation') ? undefined : { field: 'resources_to_provision', reason: 'resources_to_provision has no DestLocation' }),
    manual: [
      'Connect without choosing a destination: the tables the partner creates are managed tables.',
      'Connect with a destination / external location: the tables are external, with that cloud path as LOCATION.',
      AUTOMATE,
    ],
  },
  {
    id: 'P300',
    title: 'creator signs in again',
    skip: always,
    async run(t) {
      const { ws, u1 } = await t.connectedU1();
      await t.connect('sign in u1 again', ws, u1, (ex) => {
        const out = expectSignIn(ex, { manualSignup: t.config.require_manual_signup });
        return out.length ? out : preferValues(ex, CREATOR_SIGN_IN, 'sign in the creator of the connection');
      });
    },
  },
  {
    id: 'P301',
    title: 'another existing user signs in',
    skip: always,
    manual: [
      'A different existing user reuses the connection and easily finds the Databricks connector.',
    ],
    manualFor: (c) =>
      c.new_user_action !== 'auto_add' || c.require_manual_signup
        ? `new_user_action is ${c.new_user_action}${c.require_manual_signup ? ' with require_manual_signup' : ''}: a second user becomes known to the partner only by hand. Sign up u2, then sign in as u2.`
        : undefined,
    async run(t) {
      const domain = t.testDomain();
      const ws = await t.workspace();
      const u1 = await t.user(ws, `u1@${domain}`);
      const u2 = await t.user(ws, `u2@${domain}`);
      await t.connect('connect u1', ws, u1, (ex) => expectNew(ex));
      await t.connect('u2 joins the connection (first sign-in)', ws, u2, (ex) => expectNewUserRow(ex, t.config));
      await t.connect('u2 signs in again', ws, u2, (ex) => expectSignIn(ex, { user_statuses: ['existing'] }));
    },
  },
  {
    id: 'P302',
    title: 'a new user signs in to the existing connection',
    skip: always,
    async run(t) {
      const domain = t.testDomain();
      const ws = await t.workspace();
      const u1 = await t.user(ws, `u1@${domain}`);
      const u2 = await t.user(ws, `u2@${domain}`);
      await t.connect('connect u1', ws, u1, (ex) => expectNew(ex));
      await t.connect(`new user u2 signs in (new_user_action ${t.config.new_user_action})`, ws, u2, (ex) => expectNewUserRow(ex, t.config));
    },
  },
  {
    id: 'P400',
    title: 're-create after deleting in Databricks',
    skip: always,
    async run(t) {
      const { ws, u1, first } = await t.connectedU1();
      await t.forget(ws);
      await t.connect('re-create after Databricks deleted its side', ws, u1, (ex) => {
        // Seed P400: "Partner must create a new Databricks connection" (an error, though the suite does not compare ids).
        const out = expectNew(ex);
        return out.length ? out : expectOtherConnectionId(ex, first.connection?.connection_id, 'configure a new, separate connection', 'error');
      });
    },
  },
  {
    id: 'P401',
    title: 're-create after deleting on both sides',
    skip: needs('delete_connection_path', 'delete-connection'),
    async run(t) {
      const { ws, u1 } = await t.connectedU1();
      const del = await t.dbx.deleteConnection(ws.id, t.partner.id, { notifyPartner: true });
      if (del.exchange) t.record('delete the connection (Databricks, then partner)', del.exchange, ok('delete the connection'));
      await t.connect('re-create the connection', ws, u1, (ex) => expectNew(ex));
    },
  },
  {
    id: 'P402',
    title: 'sign-in after the partner deleted the connection',
    skip: needs('delete_connection_path', 'delete-connection'),
    async run(t) {
      const { ws, u1 } = await t.connectedU1();
      await t.hook('the partner deletes the connection', () => t.dbx.partnerDeleteConnection(ws.id, t.partner.id), ok('delete the connection'));
      await t.connect('sign in to the deleted connection', ws, u1, (ex) => expectError(ex, 404, ['connection_not_found'], 'report the deleted connection'));
    },
  },
  {
    id: 'P403',
    title: 're-create after the partner account was deleted',
    skip: needs('delete_account_path', 'delete-account'),
    async run(t) {
      const { ws, u1, domain } = await t.connectedU1();
      await t.forget(ws);
      await t.hook(`delete the account ${domain}`, () => t.dbx.deleteAccount(ws.id, t.partner.id, domain), ok('delete the test account', HOOK_OK));
      await t.connect('re-create the connection', ws, u1, (ex) => expectNew(ex));
    },
  },
  {
    id: 'P404',
    title: 'sign-in after the partner account was deleted',
    skip: needs('delete_account_path', 'delete-account'),
    async run(t) {
      // Databricks' suite: delete the account, then sign in.
      const { ws, u1, domain } = await t.connectedU1();
      await t.hook(`delete the account ${domain}`, () => t.dbx.deleteAccount(ws.id, t.partner.id, domain), ok('delete the test account', HOOK_OK));
      await t.connect('sign in after the account was deleted', ws, u1, (ex) => expectError(ex, 404, ['connection_not_found'], 'report the deleted connection'));
      // The seed: the connection is deleted in the partner product first, then the account.
      if (!t.config.endpoints.delete_connection_path) return;
      const ws2 = await t.workspace();
      const u1b = await t.join(ws2, u1);
      await t.connect('connect u1 in workspace 2', ws2, u1b, (ex) => expectNew(ex));
      await t.hook('the partner deletes the connection in workspace 2', () => t.dbx.partnerDeleteConnection(ws2.id, t.partner.id), ok('delete the connection'));
      await t.hook(`delete the account ${domain} again`, () => t.dbx.deleteAccount(ws2.id, t.partner.id, domain), ok('delete the test account', HOOK_OK));
      await t.connect('sign in after the connection and the account were deleted', ws2, u1b, (ex) => expectError(ex, 404, ['connection_not_found'], 'report the deleted connection'));
    },
  },
  {
    id: 'P405',
    title: 'delete-account refuses real domains',
    skip: needs('delete_account_path', 'delete-account'),
    async run(t) {
      const domain = t.customerDomain();
      const ws = await t.workspace();
      const u1 = await t.user(ws, `u1@${domain}`);
      await t.connect('connect a user of a non-test domain', ws, u1, (ex) => expectNew(ex));
      await t.hook(`delete-account for the real domain ${domain}`, () => t.dbx.deleteAccount(ws.id, t.partner.id, domain), (ex) => expectError(ex, 400, ['bad_request'], 'refuse to delete a non-test account'));
      await t.connect('the connection still works', ws, u1, (ex) => expectSignIn(ex, { manualSignup: t.config.require_manual_signup }));
    },
  },
  {
    id: 'P500',
    title: 'create after an expired trial',
    skip: needs('expire_account_path', 'expire-account'),
    manual: [
      'After an expired trial, creating a connection again shows a meaningful error or purchase page (optional: low priority).',
    ],
    async run(t) {
      const { ws, u1 } = await t.connectedU1();
      await t.hook('expire the trial of u1', () => t.dbx.expireAccount(ws.id, t.partner.id, u1.id), ok('expire the trial', HOOK_OK));
      await t.forget(ws);
      await t.connect('create again after the trial expired', ws, u1, expectExpiredTrial);
    },
  },
  {
    id: 'P501',
    title: 'sign-in after the trial expired',
    skip: needs('expire_account_path', 'expire-account'),
    async run(t) {
      const { ws, u1 } = await t.connectedU1();
      await t.hook('expire the trial of u1', () => t.dbx.expireAccount(ws.id, t.partner.id, u1.id), ok('expire the trial', HOOK_OK));
      await t.connect('sign in after the trial expired', ws, u1, (ex) => expectSignIn(ex, { manualSignup: t.config.require_manual_signup, redirect_values: ['purchase_product'], account_statuses: ['expired'] }));
    },
  },
  {
    id: 'P502',
    title: 'a new user signs in after the trial expired',
    skip: (c) => needs('expire_account_path', 'expire-account')(c) ?? (c.trial_type ? undefined : { field: 'trial_type', reason: 'trial_type is not set: whether an expiry covers the whole account is unknown' }),
    manual: ['After the trial expired, a new user of the account who signs in sees a meaningful error or the expired account (seed P502).'],
    manualFor: (c) => (c.require_manual_signup || c.new_user_action === 'not_found' || c.new_user_action === 'error' ? `${NEW_USER_REFUSED(c)}. ${P502_BY_HAND}` : undefined),
    async run(t) {
      const domain = t.testDomain();
      const ws = await t.workspace();
      const u1 = await t.user(ws, `u1@${domain}`);
      const u2 = await t.user(ws, `u2@${domain}`);
      await t.connect('connect u1', ws, u1, (ex) => expectNew(ex));
      await t.hook('expire the trial of u1', () => t.dbx.expireAccount(ws.id, t.partner.id, u1.id), ok('expire the trial', HOOK_OK));
      const expected = t.config.trial_type === 'user' ? 'active' : 'expired';
      await t.connect(`new user u2 signs in (trial_type ${t.config.trial_type})`, ws, u2, (ex) => expectNewUserRow(ex, t.config, { account_statuses: [expected] }));
    },
  },
  {
    id: 'P600',
    title: 'one user, two workspaces',
    skip: always,
    async run(t) {
      const ws1 = await t.workspace();
      const u1 = await t.user(ws1, `u1@${t.testDomain()}`);
      const ws2 = await t.workspace();
      await t.join(ws2, u1);
      const manualSignup = t.config.require_manual_signup;
      const first = await t.connect('connect u1 in workspace 1', ws1, u1, (ex) => expectNew(ex));
      await t.connect('sign in u1 in workspace 1', ws1, u1, (ex) => expectSignIn(ex, { manualSignup }));
      await t.connect('connect u1 in workspace 2', ws2, u1, (ex) => {
        const out = expectNew(ex);
        return out.length ? out : expectOtherConnectionId(ex, first.connection?.connection_id, 'configure a separate connection in workspace 2', 'warning');
      });
      await t.connect('sign in u1 in workspace 2', ws2, u1, (ex) => expectSignIn(ex, { manualSignup }));
    },
  },
  {
    id: 'P700',
    title: 'demo flag always gives the trial flow',
    skip: (c) => (c.supports_demo ? undefined : { field: 'supports_demo', reason: 'supports_demo is not true' }),
    async run(t) {
      const domain = t.testDomain();
      const ws = await t.workspace({ demo: true });
      const u1 = await t.user(ws, `u1@${domain}`);
      const u2 = await t.user(ws, `u2@${domain}`);
      for (const [name, u] of [['u1', u1], ['u2', u2]] as const) {
        await t.connect(`demo: connect ${name}`, ws, u, (ex) => [...expectNew(ex, { redirect_values: ['create_trial'] }), ...expectDemo(ex)]);
        // An ordinary sign-in: demo applies to new connections only (DemoFlowTests, the sample partner's ConnectHandler).
        await t.connect(`demo: sign in ${name}`, ws, u, (ex) => expectSignIn(ex, { manualSignup: t.config.require_manual_signup }));
        await t.forget(ws); // the sales field deletes and re-creates, from the same workspace
      }
    },
  },
  {
    id: 'P800',
    title: 'test-connection on a live connection',
    skip: needs('test_connection_path', 'test-connection'),
    async run(t) {
      const { ws } = await t.connectedU1();
      await t.hook('test the connection', () => t.dbx.testConnection(ws.id, t.partner.id), expectTestResults);
    },
  },
  {
    id: 'P801',
    title: 'test-connection after the partner deleted it',
    skip: (c) => needs('test_connection_path', 'test-connection')(c) ?? needs('delete_connection_path', 'delete-connection')(c),
    async run(t) {
      const { ws } = await t.connectedU1();
      await t.hook('the partner deletes the connection', () => t.dbx.partnerDeleteConnection(ws.id, t.partner.id), ok('delete the connection'));
      await t.hook('test the deleted connection', () => t.dbx.testConnection(ws.id, t.partner.id), (ex) => expectError(ex, 404, ['connection_not_found'], 'report the deleted connection'));
    },
  },
  {
    id: 'P900',
    title: 'connector list',
    skip: (c) => (c.category !== 'INGEST' ? { field: 'category', reason: `category is ${c.category}, not INGEST` } : needs('get_connectors_path', 'the connector list')(c)),
    async run(t) {
      await t.connectedU1();
      const { exchanges, connectors, stopped } = await t.dbx.connectors(t.partner.id);
      exchanges.forEach((ex, i) => {
        const last = i === exchanges.length - 1;
        t.record(`get connectors, page ${i + 1}`, ex, (e) => {
          const out = ok('list the connectors')(e);
          if (last && out.length === 0 && stopped) out.push(violation('journey.pagination', 'pagination_token', `Failed to follow pagination_token: ${stopped}. Expected the last page to have no pagination_token.`));
          if (last && out.length === 0 && connectors.length === 0) out.push(violation('journey.connectors', 'connectors', 'Failed to list the connectors: the list is empty. Expected at least one connector.'));
          return out;
        });
      });
    },
  },
];

export const JOURNEY_IDS = CATALOGUE.map((j) => j.id);

/** Resolves `--journeys P100,P300|all`; unknown ids are an error naming them. */
export function selectJourneys(spec: string | undefined): { journeys: Journey[] } | { error: string } {
  if (!spec || spec.trim() === 'all') return { journeys: CATALOGUE };
  const ids = spec.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  const unknown = ids.filter((id) => !JOURNEY_IDS.includes(id));
  if (unknown.length) return { error: `Failed to read --journeys: unknown journey ${unknown.join(', ')}. Expected "all" or a comma-separated list of ${JOURNEY_IDS.join(', ')}.` };
  return { journeys: CATALOGUE.filter((j) => ids.includes(j.id)) };
}
