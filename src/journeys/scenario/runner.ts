/**
 * A scenario is a journey: each becomes a `Journey` of the catalogue's kind, run by the same
 * runner on the same `JourneyContext`, judged by the same expectation functions, and reported
 * by the same reporters. A step's `expect` only narrows the default judgement of its action
 * (a connect is judged as "validate new", a signin as "validate sign-in", a hook by its status).
 */
import { customAlphabet } from 'nanoid';
import { errorsOnly, show, violation, type Violation } from '../../contract/diagnostics.js';
import { ERROR_REASONS } from '../../contract/enums.js';
import type { PartnerConfig } from '../../contract/partner-config.js';
import type { User, Workspace } from '../../databricks/model.js';
import type { Resources } from '../../databricks/model.js';
import { HOW_TO_AUTOMATE, type CoreCheck } from '../core.js';
import type { Journey, RunSetting, Skip } from '../journey.js';
import { JourneyAbort, pause, RunStopped, WRONG_CREDENTIALS, type JourneyContext } from '../context.js';
import {
  expectDemo,
  expectError,
  expectExpiredTrial,
  expectNew,
  expectNewUserRow,
  expectOtherConnectionId,
  expectSignIn,
  expectTestResults,
  preferValues,
} from '../expectations.js';
import type { Exchange } from '../../partner-client/types.js';
import { fileOf, interpolate, resolveVariables, UnfilledVariable } from './load.js';
import {
  actionOf,
  OPTIONAL_ENDPOINTS,
  stepName,
  type ActionName,
  type Expect,
  type Scenario,
  type Step,
  type When,
} from './schema.js';

const label = customAlphabet('abcdefghijklmnopqrstuvwxyz0123456789', 10);

type Judge = (ex: Exchange) => Violation[];
type Body = Record<string, unknown>;
const bodyOf = (ex: Exchange): Body =>
  ex.response?.body && typeof ex.response.body === 'object' ? (ex.response.body as Body) : {};
const list = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

/** The partner endpoint each hook step needs: a scenario using one is skipped, like the catalogue's journeys, when it is absent. */
const NEEDS: Partial<Record<ActionName, (typeof OPTIONAL_ENDPOINTS)[number]>> = {
  partner_delete_connection: 'delete_connection_path',
  delete_account: 'delete_account_path',
  expire: 'expire_account_path',
  test_connection: 'test_connection_path',
  connectors: 'get_connectors_path',
};

/** What a partner without the endpoint "does not implement" (the skip reason). */
const API: Record<(typeof OPTIONAL_ENDPOINTS)[number], string> = {
  get_connectors_path: 'the connector list',
  test_connection_path: 'test-connection',
  delete_account_path: 'delete-account',
  expire_account_path: 'expire-account',
  delete_connection_path: 'delete-connection',
};

const WHAT: Record<ActionName, string> = {
  connect: 'create a connection',
  signin: 'sign in to the existing connection',
  delete_connection: 'delete the connection',
  partner_delete_connection: 'delete the connection',
  delete_account: 'delete the test account',
  expire: 'expire the trial',
  test_connection: 'test the connection',
  connectors: 'list the connectors',
  set_demo: 'set the demo flag',
  wait: 'wait',
  core_integration: 'judge the core integration',
};

/** Without `manual_unless`, `manual` turns unmet `requires` into a hand-over (the legacy form); with it, `requires` skip. */
const requiresSkip = (s: Scenario) => !s.manual || s.manual_unless !== undefined;

export function skipOf(s: Scenario, c: PartnerConfig): Skip | undefined {
  return (requiresSkip(s) ? unmetRequirement(s.requires, c) : undefined) ?? missingEndpoint(s, c);
}

/** With `manual`, an unmet condition hands the scenario to a human (like the catalogue's P301) instead of skipping it. */
function manualOf(s: Scenario, c: PartnerConfig, run: RunSetting = { core: false }): string | undefined {
  // A core-integration step needs the run to serve the workspace and judge the partner's calls.
  if (!run.core && s.steps.some((step) => step.core_integration !== undefined)) return HOW_TO_AUTOMATE;
  if (!s.manual) return undefined;
  const unmet = unmetRequirement(requiresSkip(s) ? s.manual_unless : s.requires, c);
  return unmet ? `${unmet.reason}. ${s.manual}` : undefined;
}

function unmetRequirement(requires: Scenario['requires'], c: PartnerConfig): Skip | undefined {
  for (const r of requires ?? []) {
    if (r === 'supports_demo' && !c.supports_demo)
      return { field: 'supports_demo', reason: 'supports_demo is not true' };
    if (r === 'category_ingest' && c.category !== 'INGEST')
      return { field: 'category', reason: `category is ${c.category}, not INGEST` };
    if (r === 'trial_type' && !c.trial_type)
      return {
        field: 'trial_type',
        reason: 'trial_type is not set: whether an expiry covers the whole account is unknown',
      };
    if (r === 'new_user_auto_add' && (c.new_user_action !== 'auto_add' || c.require_manual_signup)) {
      return {
        field: 'new_user_action',
        reason: `new_user_action is ${c.new_user_action}${c.require_manual_signup ? ' with require_manual_signup' : ''}: a second user becomes known to the partner only by hand`,
      };
    }
    if (r === 'dest_location' && !c.resources_to_provision.some((x) => x.resource_type === 'DestLocation')) {
      return { field: 'resources_to_provision', reason: 'resources_to_provision has no DestLocation' };
    }
    if (r === 'new_user_signs_in' && c.require_manual_signup) {
      return {
        field: 'require_manual_signup',
        reason: 'require_manual_signup is true: a new user gets 404 until signed up by hand',
      };
    }
    if (r === 'new_user_signs_in' && (c.new_user_action === 'not_found' || c.new_user_action === 'error')) {
      return {
        field: 'new_user_action',
        reason: `new_user_action is ${c.new_user_action}: a new user gets ${c.new_user_action === 'error' ? '500 general_error' : '404 account_not_found'} whatever the trial's state`,
      };
    }
  }
  return undefined;
}

function missingEndpoint(s: Scenario, c: PartnerConfig): Skip | undefined {
  for (const step of s.steps) {
    const { action, args } = actionOf(step);
    // An explicit notify_partner: true is a delete "on both sides": it needs the partner's hook.
    const endpoint =
      action === 'delete_connection' && args.notify_partner === true ? 'delete_connection_path' : NEEDS[action];
    // A step that runs only with the endpoint (`when.endpoints`) does not make the scenario need it.
    if (endpoint && !c.endpoints[endpoint] && !step.when?.endpoints?.includes(endpoint))
      return {
        field: `endpoints.${endpoint}`,
        reason: `endpoints.${endpoint} is not set: the partner does not implement ${API[endpoint]}`,
      };
  }
  return undefined;
}

/** Whether a step's `when` matches the partner's config (no `when`: always). */
export function stepApplies(when: When | undefined, c: PartnerConfig): boolean {
  if (!when) return true;
  const within = <T>(v: T, allowed: T | T[] | undefined) =>
    allowed === undefined || (Array.isArray(allowed) ? allowed : [allowed]).includes(v);
  return (
    within(c.new_user_action, when.new_user_action) &&
    within(c.trial_type ?? 'unset', when.trial_type) &&
    (when.require_manual_signup === undefined || when.require_manual_signup === Boolean(c.require_manual_signup)) &&
    (when.supports_demo === undefined || when.supports_demo === Boolean(c.supports_demo)) &&
    (when.endpoints ?? []).every((e) => Boolean(c.endpoints[e]))
  );
}

export function scenarioJourney(s: Scenario): Journey {
  return {
    file: fileOf(s),
    id: s.name,
    title: s.title ?? s.description?.split('\n')[0] ?? `scenario ${s.name}`,
    skip: (c) => skipOf(s, c),
    manualFor: (c, run) => manualOf(s, c, run),
    ...(s.checks ? { manual: s.checks } : s.manual ? { manual: [s.manual] } : {}),
    run: (t) => runScenario(s, t),
  };
}

function statusCheck(ex: Exchange, allowed: number[], what: string): Violation[] {
  if (!ex.response || allowed.includes(ex.response.status)) return [];
  const b = bodyOf(ex);
  return [
    violation(
      'journey.status',
      'status',
      `Failed to ${what}: the partner answered ${ex.response.status}${typeof b.error_reason === 'string' ? ` (${b.error_reason})` : ''}. Expected ${allowed.join(' or ')}.`,
    ),
  ];
}

function fieldCheck(ex: Exchange, field: string, allowed: readonly unknown[] | undefined, what: string): Violation[] {
  if (!allowed) return [];
  const v = bodyOf(ex)[field];
  return allowed.includes(v)
    ? []
    : [
        violation(
          `journey.${field}`,
          field,
          `Failed to ${what}: ${field} is ${show(v)}. Expected ${allowed.map((a) => show(a)).join(' or ')}.`,
        ),
      ];
}

/** The judgement of one step: the action's default, narrowed by `expect` (values already filled). */
export function judgeFor(action: ActionName, e: Expect, config: PartnerConfig): Judge {
  const what = WHAT[action];
  const redirect_values = list(e.redirect_value);
  const user_statuses = list(e.user_status);
  const account_statuses = list(e.account_status);
  return (ex) => {
    let base: Violation[];
    const errorExpected = e.status !== undefined && e.status >= 400;
    const prefer = e.prefer
      ? {
          redirect_value: list(e.prefer.redirect_value),
          user_status: list(e.prefer.user_status),
          account_status: list(e.prefer.account_status),
        }
      : undefined;
    const preferred = (out: Violation[]) =>
      prefer && errorsOnly(out).length === 0
        ? [
            ...out,
            ...preferValues(ex, prefer, what),
            ...expectOtherConnectionId(ex, e.prefer?.connection_id_not, what, 'warning'),
          ]
        : out;
    if (errorExpected) {
      base = expectError(ex, e.status!, e.error_reason ? [e.error_reason] : ERROR_REASONS, what);
    } else if (action === 'signin' && e.new_user) {
      // The row of new_user_action decides the whole judgement (a 404 or 500 may be the right answer).
      const narrowed = Object.fromEntries(
        Object.entries({ redirect_values, user_statuses, account_statuses }).filter(([, v]) => v !== undefined),
      );
      return preferred(expectNewUserRow(ex, config, narrowed));
    } else if (action === 'connect' && e.expired_trial) {
      return preferred(expectExpiredTrial(ex));
    } else if (action === 'test_connection' && (e.status === undefined || e.status === 200)) {
      base = expectTestResults(ex);
    } else if (action === 'connect') {
      base = expectNew(ex, { redirect_values });
      if (e.demo_flow) base.push(...expectDemo(ex));
    } else if (action === 'signin') {
      base = expectSignIn(ex, {
        manualSignup: config.require_manual_signup && e.status === undefined,
        redirect_values,
        user_statuses,
        account_statuses,
      });
    } else {
      const hookOk = action === 'delete_account' || action === 'expire' ? [200, 204] : [200];
      base = statusCheck(ex, e.status !== undefined ? [e.status] : hookOk, what);
    }
    if (errorsOnly(base).length || !ex.response) return base;
    const out = [...base];
    if (e.status !== undefined && !errorExpected) out.push(...statusCheck(ex, [e.status], what));
    if (action === 'connect') {
      out.push(
        ...fieldCheck(ex, 'user_status', user_statuses, what),
        ...fieldCheck(ex, 'account_status', account_statuses, what),
      );
    } else if (action !== 'signin') {
      out.push(
        ...fieldCheck(ex, 'redirect_value', redirect_values, what),
        ...fieldCheck(ex, 'user_status', user_statuses, what),
        ...fieldCheck(ex, 'account_status', account_statuses, what),
      );
    }
    if (errorExpected) return out;
    if (e.configured_resources !== undefined)
      out.push(...fieldCheck(ex, 'configured_resources', [e.configured_resources], what));
    const id = bodyOf(ex).connection_id;
    if (e.connection_id === 'present' && (typeof id !== 'string' || id === ''))
      out.push(
        violation(
          'journey.connection_id',
          'connection_id',
          `Failed to ${what}: connection_id is ${show(id)}. Expected a connection_id in the answer.`,
        ),
      );
    if (e.connection_id === 'absent' && id !== undefined)
      out.push(
        violation(
          'journey.connection_id',
          'connection_id',
          `Failed to ${what}: connection_id is ${show(id)}. Expected no connection_id in the answer.`,
        ),
      );
    if (errorsOnly(out).length === 0)
      out.push(...expectOtherConnectionId(ex, e.connection_id_not, 'configure a new, separate connection', 'error'));
    return preferred(out);
  };
}

/**
 * Fills `${…}` in every string of a value. What holds no variable is returned as it is, not
 * copied (a copy per step of every `pcsim load` copy was most of the scenario engine's cost):
 * the filled value is only read, and the state is given copies of its arrays (runScenario).
 */
function fill<T>(value: T, vars: ReadonlyMap<string, string>): T {
  if (typeof value === 'string') return (value.includes('${') ? interpolate(value, vars) : value) as T;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const f = fill(v, vars);
      if (f !== v) (out ??= value.slice())[i] = f;
    }
    return (out ?? value) as T;
  }
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    for (const k of Object.keys(o)) {
      const f = fill(o[k], vars);
      if (f !== o[k]) (out ??= { ...o })[k] = f;
    }
    return (out ?? value) as T;
  }
  return value;
}

function pick(body: unknown, path: string): unknown {
  let cur = body;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Body)[key];
  }
  return cur;
}

/** What the steps of one scenario share: its workspaces and users, and what they connected. */
interface Scope {
  workspaces: Map<string, Workspace>;
  users: Map<string, User>;
  domain: string;
  /** The resources of the latest connect in each workspace (judged by a core_integration step). */
  connects: Map<string, Resources>;
  /** Why core_integration steps passed (the journey's reason). */
  notes: string[];
}

export async function runScenario(s: Scenario, t: JourneyContext): Promise<void | { note: string }> {
  const domain = t.testDomain();
  const vars = resolveVariables(s.variables, {
    domain,
    customer_domain: t.customerDomain(),
    run: label(),
    new_user_action: t.config.new_user_action,
    trial_type: t.config.trial_type ?? 'unset',
  });
  const workspaces = new Map<string, Workspace>();
  for (const w of fill(s.workspaces, vars)) {
    workspaces.set(
      w.name,
      await t.workspace({
        name: `${s.name} ${w.name}`,
        demo: w.demo,
        cloud: w.cloud,
        region: w.region,
        is_free_trial: w.is_free_trial,
        catalogs: w.catalogs && [...w.catalogs], // the state's own array, not the scenario's
      }),
    );
  }
  const users = new Map<string, User>();
  for (const u of fill(s.users, vars)) {
    const [first, ...rest] = u.member_of.map((n) => workspaces.get(n)!);
    let user = await t.user(first!, u.email);
    for (const ws of rest) user = await t.join(ws, user);
    if (u.admin) user = await t.dbx.addUser(first!.id, { email: user.email, admin: true });
    users.set(u.name, user);
  }
  const scope: Scope = { workspaces, users, domain, connects: new Map(), notes: [] };

  // A variable saved by a step that `when` skipped has no value; a later step using it says which step skipped it.
  const skippedSaves = new Map<string, number>();
  for (const [i, raw] of s.steps.entries()) {
    if (!stepApplies(raw.when, t.config)) {
      for (const variable of Object.keys(raw.save ?? {})) if (!vars.has(variable)) skippedSaves.set(variable, i + 1);
      continue;
    }
    let step: Step;
    try {
      step = fill(raw, vars);
    } catch (err) {
      const skippedAt = err instanceof UnfilledVariable ? skippedSaves.get(err.variable) : undefined;
      if (skippedAt === undefined)
        throw new Error(`step ${i + 1}: ${err instanceof Error ? err.message : String(err)}`);
      throw new Error(
        `step ${i + 1}: Failed to fill \${${(err as UnfilledVariable).variable}}: step ${skippedAt}, which saves it, was skipped by its \`when\` for this partner config. Expected step ${i + 1} to carry the same \`when\`, or the variable to be saved by a step that always runs.`,
      );
    }
    const { action, args } = actionOf(step);
    const name = stepName(step);
    const where = `step ${i + 1} (${name})`;
    t.goOn(`#${i + 1} ${name}`);
    try {
      const saved = await runStep(t, action, args, name, judgeFor(action, step.expect ?? {}, t.config), scope);
      if (saved.silent && (step.expect || step.save)) {
        throw new Error(
          `Failed to judge the step: the partner has no endpoints.delete_connection_path, so Databricks deleted its side without calling it and there is no answer for ${step.expect ? 'expect' : 'save'}. Expected notify_partner: true on this step (the scenario is then skipped for such partners), or no ${step.expect ? 'expect' : 'save'}.`,
        );
      }
      for (const [variable, path] of Object.entries(step.save ?? {})) {
        const value =
          path === '$status' ? saved.status : path === '$connection_id' ? saved.connection_id : pick(saved.body, path);
        if (value === undefined || value === null || typeof value === 'object') {
          throw new Error(
            `Failed to save ${variable} from ${path}: the answer has ${show(value)} there. Expected a string or number to carry to later steps.`,
          );
        }
        vars.set(variable, String(value));
      }
    } catch (err) {
      if (err instanceof RunStopped) throw new RunStopped(`#${i + 1} ${name}`); // stopped inside the step (a wait, or before its call)
      if (err instanceof JourneyAbort) throw new JourneyAbort(`#${i + 1} ${err.step}`, err.violation);
      throw new Error(`${where}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return scope.notes.length ? { note: scope.notes.join(' ') } : undefined;
}

interface StepResult {
  body?: unknown;
  status?: number;
  /** The connection Databricks holds after the step (for $connection_id). */
  connection_id?: string;
  /** No call reached the partner (a delete with no delete-connection endpoint to notify). */
  silent?: boolean;
}

async function runStep(
  t: JourneyContext,
  action: ActionName,
  args: Record<string, unknown>,
  name: string,
  judge: Judge,
  scope: Scope,
): Promise<StepResult> {
  const { workspaces, users, domain } = scope;
  const ws = args.workspace !== undefined ? workspaces.get(args.workspace as string)! : undefined;
  const user = args.user !== undefined ? users.get(args.user as string)! : undefined;
  const pid = t.partner.id;
  const held = () => (ws ? t.dbx.connectionOf(ws.id, pid) : undefined);
  const result = (ex: Exchange): StepResult => ({
    body: ex.response?.body,
    status: ex.response?.status,
    connection_id: held()?.connection_id,
  });
  switch (action) {
    case 'connect':
    case 'signin': {
      const c = held();
      if (action === 'connect' && c)
        throw new Error(
          `Failed to connect ${user!.email} in ${args.workspace}: Databricks already holds connection ${c.connection_id} there, so the click would be a sign-in. Expected a signin step, or a delete_connection first.`,
        );
      if (action === 'signin' && !c)
        throw new Error(
          `Failed to sign in ${user!.email} in ${args.workspace}: Databricks holds no connection there, so the click would create one. Expected a connect step first (did an earlier step delete it?).`,
        );
      const outcome = await t.connect(name, ws!, user!, judge, {
        ...(args.wrong_credentials ? { credentials: WRONG_CREDENTIALS } : {}),
        ...(args.destination_location !== undefined
          ? { destination_location: destinationOf(ws!, args.destination_location as string | true) }
          : {}),
        ...(args.catalog_name !== undefined ? { catalog_name: args.catalog_name as string } : {}),
      });
      if (action === 'connect') scope.connects.set(args.workspace as string, outcome.resources);
      return result(outcome.exchange);
    }
    case 'delete_connection': {
      if (args.notify_partner === false) {
        if (!held())
          throw new Error(
            `Failed to delete the connection in ${args.workspace}: Databricks holds none. Expected a connect step first.`,
          );
        await t.forget(ws!);
        return {};
      }
      const del = await t.dbx.deleteConnection(ws!.id, pid, { notifyPartner: true });
      if (del.exchange) t.record(name, del.exchange, judge);
      return del.exchange ? result(del.exchange) : { silent: true };
    }
    case 'partner_delete_connection':
      return result(
        await t.hook(
          name,
          () => t.dbx.partnerDeleteConnection(ws!.id, pid, args.connection_id as string | undefined),
          judge,
        ),
      );
    case 'delete_account': {
      const c = held();
      const d =
        (args.domain as string | undefined) ?? (c ? t.dbx.user(c.created_by).email.split('@')[1] : undefined) ?? domain;
      return result(await t.hook(name, () => t.dbx.deleteAccount(ws!.id, pid, d), judge));
    }
    case 'expire':
      return result(await t.hook(name, () => t.dbx.expireAccount(ws!.id, pid, user!.id), judge));
    case 'test_connection':
      return result(
        await t.hook(name, () => t.dbx.testConnection(ws!.id, pid, args.connection_id as string | undefined), judge),
      );
    case 'connectors': {
      const { exchanges, connectors, stopped } = await t.dbx.connectors(pid);
      exchanges.forEach((ex, i) => {
        const last = i === exchanges.length - 1;
        t.record(`${name}, page ${i + 1}`, ex, (e) => {
          const out = judge(e);
          if (last && errorsOnly(out).length === 0 && stopped)
            out.push(
              violation(
                'journey.pagination',
                'pagination_token',
                `Failed to follow pagination_token: ${stopped}. Expected the last page to have no pagination_token.`,
              ),
            );
          if (last && errorsOnly(out).length === 0 && connectors.length === 0)
            out.push(
              violation(
                'journey.connectors',
                'connectors',
                'Failed to list the connectors: the list is empty. Expected at least one connector.',
              ),
            );
          return out;
        });
      });
      const last = exchanges.at(-1);
      return last ? result(last) : {};
    }
    case 'set_demo':
      await t.dbx.updateWorkspace(ws!.id, { demo: args.demo as boolean });
      return {};
    case 'wait':
      await pause(args.ms as number, t.signal, name);
      return {};
    case 'core_integration':
      scope.notes.push(await judgeCore(t, args.check as CoreCheck, args.workspaces as string[], scope));
      return {};
  }
}

/** `destination_location: true`: the workspace's first external location, or a made-up cloud path. */
const destinationOf = (ws: Workspace, value: string | true) =>
  value === true ? (ws.external_locations[0] ?? `s3://pcsim-${ws.id.slice(-6)}/landing`) : value;

/** Waits for the partner's calls into the simulated workspace until the verdict is final or the wait ends. */
async function judgeCore(t: JourneyContext, check: CoreCheck, names: string[], scope: Scope): Promise<string> {
  const core = t.core;
  if (!core)
    throw new Error(
      `Failed to judge the core integration: the run serves no simulated workspace. Expected pcsim run --wait-core SECONDS.`,
    );
  const connects = names.map((n) => {
    const r = scope.connects.get(n);
    if (!r)
      throw new Error(
        `Failed to judge the core integration of ${n}: no connect step ran there. Expected a connect in ${n} before this step.`,
      );
    return r;
  });
  const step =
    check === 'usage'
      ? `wait up to ${core.seconds} s for the partner to use its credentials`
      : `wait up to ${core.seconds} s for the partner's CREATE TABLE statements`;
  const deadline = Date.now() + core.seconds * 1000;
  for (;;) {
    const v = core.integration.judge(check, { config: t.config, store: t.dbx.store, connects });
    if (v.status === 'passed') return v.reason;
    if (v.status === 'failed' || Date.now() >= deadline) {
      const message = v.status === 'pending' ? `${v.reason} (waited ${core.seconds} s)` : v.reason;
      throw new JourneyAbort(step, violation('journey.core', check === 'usage' ? 'activity' : 'LOCATION', message));
    }
    await pause(Math.min(core.pollMs ?? 100, Math.max(1, deadline - Date.now())), t.signal, step);
  }
}
