/**
 * The scenario file format: one zod schema is the single source of truth for the TypeScript
 * types, the validation of a file (load.ts adds line:col) and the JSON Schema for editors.
 *
 * A scenario names its workspaces and users, then lists steps. Each step is an object with
 * exactly one action key (`connect`, `signin`, …) plus optional `name`, `expect` and `save`.
 * Any string may use `${variable}`: built-ins (`domain`, `customer_domain`, `run`), the
 * scenario's `variables`, and values an earlier step `save`d.
 */
import { z } from 'zod';
import {
  ACCOUNT_STATUSES,
  CLOUDS,
  ERROR_REASONS,
  NEW_USER_ACTIONS,
  REDIRECT_VALUES,
  TRIAL_TYPES,
  USER_STATUSES,
} from '../../contract/enums.js';

/**
 * `domain`, `customer_domain` and `run` are fresh per run (per copy under load), so every run
 * meets a partner that has never seen it; `new_user_action` and `trial_type` come from the
 * partner's config (trial_type is "unset" when the config has none), for step names.
 */
export const BUILTIN_VARIABLES = ['domain', 'customer_domain', 'run', 'new_user_action', 'trial_type'] as const;

const Name = z
  .string()
  .regex(/^[A-Za-z0-9_.-]+$/, 'a name of letters, digits, "_", "-" or "."')
  .describe('a name steps refer to');
const VariableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name of letters, digits and "_"');

export const WorkspaceSpec = z
  .object({
    name: Name,
    demo: z.boolean().optional().describe('a sales demo workspace: Connect carries demo: true'),
    cloud: z.enum(CLOUDS).optional(),
    region: z.string().optional(),
    is_free_trial: z.boolean().optional(),
    catalogs: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe("the workspace's catalogs (default: Databricks' default Unity Catalog and hive_metastore)"),
  })
  .strict();

export const UserSpec = z
  .object({
    name: Name,
    email: z.string().min(3).describe('may use ${domain}: a fresh databricks-test.com sub-domain per run'),
    admin: z.boolean().optional(),
    member_of: z.array(Name).min(1).describe('workspace names'),
  })
  .strict();

const As = z.object({ workspace: Name, user: Name }).strict();
const Click = As.extend({
  wrong_credentials: z.boolean().optional().describe('send a wrong Basic user and password (the AUTH journey)'),
}).strict();

const ConnectClick = Click.extend({
  destination_location: z
    .union([z.literal(true), z.string().min(1)])
    .optional()
    .describe("the external location the user picks (true: the workspace's first one, or a made-up cloud path)"),
  catalog_name: z.string().min(1).optional().describe('a Unity Catalog name or hive_metastore'),
}).strict();

export const ACTIONS = {
  connect: ConnectClick.describe('click the tile: a new connection (Databricks holds none in the workspace)'),
  signin: Click.describe('click Launch on the existing connection (Databricks holds one)'),
  delete_connection: z
    .object({
      workspace: Name,
      notify_partner: z
        .boolean()
        .optional()
        .describe(
          'unset: call the partner when it has delete-connection; true: the partner must have it (else the scenario is skipped); false: Databricks forgets without calling the partner',
        ),
    })
    .strict()
    .describe('delete the connection on the Databricks side'),
  partner_delete_connection: z
    .object({ workspace: Name, connection_id: z.string().optional() })
    .strict()
    .describe("the partner's delete-connection hook (Databricks keeps its side)"),
  delete_account: z
    .object({ workspace: Name, domain: z.string().optional().describe("default: the connection creator's domain") })
    .strict(),
  expire: As.describe('expire-account for this user'),
  test_connection: z.object({ workspace: Name, connection_id: z.string().optional() }).strict(),
  connectors: z.object({}).strict().describe('get the connector list, every page'),
  set_demo: z.object({ workspace: Name, demo: z.boolean() }).strict(),
  wait: z.object({ ms: z.number().int().min(0).max(600000) }).strict(),
  core_integration: z
    .object({
      check: z
        .enum(['usage', 'location'])
        .describe(
          'usage: the partner used its credentials for its core kind (P200); location: its tables follow destination_location (P201)',
        ),
      workspaces: z.array(Name).min(1).describe("the workspaces whose latest connect's resources are judged"),
    })
    .strict()
    .describe(
      "wait for the partner's calls into the simulated workspace and judge them (pcsim run --wait-core; else the scenario is manual)",
    ),
} as const;
export type ActionName = keyof typeof ACTIONS;
export const ACTION_NAMES = Object.keys(ACTIONS) as ActionName[];

const oneOrMore = <T extends readonly [string, ...string[]]>(values: T) =>
  z.union([z.enum(values), z.array(z.enum(values)).min(1)]);

/** Recommendations: a different value is a warning, not a failure. */
export const Prefer = z
  .object({
    redirect_value: oneOrMore(REDIRECT_VALUES).optional(),
    user_status: oneOrMore(USER_STATUSES).optional(),
    account_status: oneOrMore(ACCOUNT_STATUSES).optional(),
    connection_id_not: z
      .string()
      .optional()
      .describe('a warning when the answer repeats this connection_id (P101, P600: another workspace)'),
  })
  .strict();

export const Expect = z
  .object({
    status: z.number().int().min(100).max(599).optional(),
    error_reason: z.enum(ERROR_REASONS).optional(),
    redirect_value: oneOrMore(REDIRECT_VALUES).optional(),
    user_status: oneOrMore(USER_STATUSES).optional(),
    account_status: oneOrMore(ACCOUNT_STATUSES).optional(),
    configured_resources: z.boolean().optional(),
    connection_id: z.enum(['present', 'absent']).optional(),
    connection_id_not: z
      .string()
      .optional()
      .describe('an error when the answer repeats this connection_id (P400: the partner must create a new connection)'),
    demo_flow: z
      .boolean()
      .optional()
      .describe(
        'connect only: the demo answer of CONTRACT §7 (create_trial, new user, new account); a sign-in to a demo connection is an ordinary sign-in',
      ),
    new_user: z
      .boolean()
      .optional()
      .describe("signin of a user the partner has not seen: judged by the config's new_user_action row (CONTRACT §5)"),
    expired_trial: z
      .boolean()
      .optional()
      .describe(
        'connect after the trial expired: an error with display_message, or account_status expired with purchase_product/create_trial',
      ),
    prefer: Prefer.optional().describe('recommended values: a different one is a warning'),
  })
  .strict();
export type Expect = z.infer<typeof Expect>;

const StepShape = Object.fromEntries(ACTION_NAMES.map((a) => [a, ACTIONS[a].optional()])) as {
  [K in ActionName]: z.ZodOptional<(typeof ACTIONS)[K]>;
};

/** The optional partner APIs a step may depend on (partner.json endpoints). */
export const OPTIONAL_ENDPOINTS = [
  'get_connectors_path',
  'test_connection_path',
  'delete_account_path',
  'expire_account_path',
  'delete_connection_path',
] as const;

/** Config conditions of a step: it runs only when the partner's config matches all of them. */
export const When = z
  .object({
    new_user_action: oneOrMore(NEW_USER_ACTIONS).optional(),
    trial_type: oneOrMore([...TRIAL_TYPES, 'unset'] as const).optional(),
    require_manual_signup: z.boolean().optional(),
    supports_demo: z.boolean().optional(),
    endpoints: z
      .array(z.enum(OPTIONAL_ENDPOINTS))
      .min(1)
      .optional()
      .describe(
        'run this step only when the partner has these endpoints (the scenario is not skipped for lacking them)',
      ),
  })
  .strict();
export type When = z.infer<typeof When>;

export const Step = z
  .object({
    name: z.string().min(1).optional(),
    when: When.optional().describe('run this step only for configs that match (e.g. one expectation per trial_type)'),
    ...StepShape,
    expect: Expect.optional(),
    save: z
      .record(
        VariableName,
        z.string().min(1).describe('a field of the answer body (dotted path), or $status / $connection_id'),
      )
      .optional(),
  })
  .strict();
export type Step = z.infer<typeof Step>;

export const REQUIREMENTS = [
  'supports_demo',
  'category_ingest',
  'trial_type',
  'new_user_auto_add',
  'new_user_signs_in',
  'dest_location',
] as const;

export const Scenario = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1).describe('the report id'),
    title: z.string().optional(),
    description: z.string().optional(),
    requires: z
      .array(z.enum(REQUIREMENTS))
      .optional()
      .describe('config conditions; the scenario is skipped otherwise (endpoints are derived from the steps)'),
    manual_unless: z
      .array(z.enum(REQUIREMENTS))
      .optional()
      .describe(
        'config conditions under which a machine can judge; otherwise the scenario is reported manual with the `manual` text (unmet `requires` still skip)',
      ),
    manual: z
      .string()
      .min(1)
      .optional()
      .describe(
        'what a human does when `manual_unless` (or, without it, `requires`) is not met: the scenario is then reported manual with this text instead of skipped',
      ),
    checks: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'what a reviewer checks by hand (shown when the scenario is manual; the seed\'s "expectations when testing manually")',
      ),
    variables: z.record(VariableName, z.string()).optional(),
    workspaces: z.array(WorkspaceSpec).min(1),
    users: z.array(UserSpec).min(1),
    steps: z.array(Step).min(1),
  })
  .strict();
export type Scenario = z.infer<typeof Scenario>;
export type WorkspaceSpec = z.infer<typeof WorkspaceSpec>;
export type UserSpec = z.infer<typeof UserSpec>;

/** The one action of a step (validated: exactly one is present). */
export function actionOf(step: Step): { action: ActionName; args: Record<string, unknown> } {
  const action = ACTION_NAMES.find((a) => step[a] !== undefined)!;
  return { action, args: step[action] as Record<string, unknown> };
}

/** JSON Schema of the file format (for editors: `$schema`). */
export function scenarioJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(Scenario, { unrepresentable: 'any' }) as Record<string, unknown>;
}

/** docs/scenario.schema.json: the JSON Schema with a title, for editors and CI linters. */
export function scenarioSchemaDocument(): Record<string, unknown> {
  const { $schema, ...rest } = scenarioJsonSchema();
  return {
    $schema,
    title: 'pcsim scenario',
    description:
      'A scripted Partner Connect sequence: named workspaces and users, then steps, each with one action and optional expect/save/when. Generated from src/journeys/scenario/schema.ts (npm run schemas); docs/SCENARIOS.md explains each field.',
    ...rest,
  };
}

/** A step's name in reports: its own, or one said from its action ("connect u1 in ws1"). */
export function stepName(step: Step): string {
  const { action, args } = actionOf(step);
  return step.name ?? defaultName(action, args);
}

function defaultName(action: ActionName, args: Record<string, unknown>): string {
  const ws = args.workspace as string | undefined;
  const user = args.user as string | undefined;
  switch (action) {
    case 'connect':
      return `connect ${user} in ${ws}`;
    case 'signin':
      return `sign in ${user} in ${ws}`;
    case 'delete_connection':
      return args.notify_partner === false
        ? `Databricks forgets the connection in ${ws}`
        : `delete the connection in ${ws} (Databricks, then partner)`;
    case 'partner_delete_connection':
      return `the partner deletes the connection in ${ws}`;
    case 'delete_account':
      return `delete the account${args.domain ? ` ${String(args.domain)}` : ''} (${ws})`;
    case 'expire':
      return `expire the trial of ${user} (${ws})`;
    case 'test_connection':
      return `test the connection in ${ws}`;
    case 'connectors':
      return 'get connectors';
    case 'set_demo':
      return `set demo ${String(args.demo)} on ${ws}`;
    case 'wait':
      return `wait ${String(args.ms)} ms`;
    case 'core_integration':
      return `judge the core integration (${String(args.check)}) in ${(args.workspaces as string[]).join(', ')}`;
  }
}
