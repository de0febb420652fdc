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
import { ACCOUNT_STATUSES, CLOUDS, ERROR_REASONS, REDIRECT_VALUES, USER_STATUSES } from '../contract/enums.js';

/** Fresh per run (per copy under load), so every run meets a partner that has never seen it. */
export const BUILTIN_VARIABLES = ['domain', 'customer_domain', 'run'] as const;

const Name = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a name of letters, digits, "_", "-" or "."').describe('a name steps refer to');
const VariableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name of letters, digits and "_"');

export const WorkspaceSpec = z
  .object({
    name: Name,
    demo: z.boolean().optional().describe('a sales demo workspace: Connect carries demo: true'),
    cloud: z.enum(CLOUDS).optional(),
    region: z.string().optional(),
    is_free_trial: z.boolean().optional(),
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

export const ACTIONS = {
  connect: As.describe('click the tile: a new connection (Databricks holds none in the workspace)'),
  signin: As.describe('click Launch on the existing connection (Databricks holds one)'),
  delete_connection: z
    .object({ workspace: Name, notify_partner: z.boolean().optional().describe('default true; false: Databricks forgets without calling the partner') })
    .strict()
    .describe('delete the connection on the Databricks side'),
  partner_delete_connection: z.object({ workspace: Name, connection_id: z.string().optional() }).strict().describe("the partner's delete-connection hook (Databricks keeps its side)"),
  delete_account: z.object({ workspace: Name, domain: z.string().optional().describe("default: the connection creator's domain") }).strict(),
  expire: As.describe('expire-account for this user'),
  test_connection: z.object({ workspace: Name, connection_id: z.string().optional() }).strict(),
  connectors: z.object({}).strict().describe('get the connector list, every page'),
  set_demo: z.object({ workspace: Name, demo: z.boolean() }).strict(),
  wait: z.object({ ms: z.number().int().min(0).max(600000) }).strict(),
} as const;
export type ActionName = keyof typeof ACTIONS;
export const ACTION_NAMES = Object.keys(ACTIONS) as ActionName[];

export const Expect = z
  .object({
    status: z.number().int().min(100).max(599).optional(),
    error_reason: z.enum(ERROR_REASONS).optional(),
    redirect_value: z.union([z.enum(REDIRECT_VALUES), z.array(z.enum(REDIRECT_VALUES)).min(1)]).optional(),
    user_status: z.union([z.enum(USER_STATUSES), z.array(z.enum(USER_STATUSES)).min(1)]).optional(),
    account_status: z.union([z.enum(ACCOUNT_STATUSES), z.array(z.enum(ACCOUNT_STATUSES)).min(1)]).optional(),
    configured_resources: z.boolean().optional(),
    connection_id: z.enum(['present', 'absent']).optional(),
    connection_id_not: z.string().optional().describe('a warning when the answer repeats this connection_id (P400)'),
    demo_flow: z.boolean().optional().describe('the demo answer of CONTRACT §7: create_trial, new user, new account'),
  })
  .strict();
export type Expect = z.infer<typeof Expect>;

const StepShape = Object.fromEntries(ACTION_NAMES.map((a) => [a, ACTIONS[a].optional()])) as { [K in ActionName]: z.ZodOptional<(typeof ACTIONS)[K]> };

export const Step = z
  .object({
    name: z.string().min(1).optional(),
    ...StepShape,
    expect: Expect.optional(),
    save: z.record(VariableName, z.string().min(1).describe('a field of the answer body (dotted path), or $status / $connection_id')).optional(),
  })
  .strict();
export type Step = z.infer<typeof Step>;

export const REQUIREMENTS = ['supports_demo', 'category_ingest'] as const;

export const Scenario = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1).describe('the report id'),
    title: z.string().optional(),
    description: z.string().optional(),
    requires: z.array(z.enum(REQUIREMENTS)).optional().describe('config conditions; the scenario is skipped otherwise (endpoints are derived from the steps)'),
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
