/**
 * The admin API's request schemas: the one source of validation and of /api/openapi.json.
 * Bodies are strict (an unknown field is a typo worth a 400, not a silent no-op); queries are
 * loose (a cache-busting parameter is harmless).
 */
import { z } from 'zod';
import { CLOUDS } from '../contract/enums.js';
import { toInt64 } from '../contract/int64.js';
import type { CallKind } from '../partner-client/types.js';
import { API_ERROR_CODES } from './errors.js';

const INT64_FORMS = [
  { type: 'integer', format: 'int64' },
  { type: 'string', pattern: '^-?\\d+$' },
];

/**
 * An int64 id as people and browsers send it: an exact JSON integer (read losslessly, so above
 * 2^53 it stays exact) or a decimal string. Normalised to the canonical decimal string.
 */
export const Id = (what: string) =>
  z
    .unknown()
    .transform((value, ctx) => {
      const id = toInt64(value);
      if (id === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `Expected a ${what} id: an int64 as a decimal string or an exact JSON integer.`,
        });
        return z.NEVER;
      }
      return id;
    })
    .meta({
      description: `${what} id: an int64, as a decimal string or an exact JSON integer`,
      anyOf: INT64_FORMS,
    } as Record<string, unknown>);

const name = () => z.string().trim().min(1).max(200);
const text = () => z.string().min(1).max(2000);

export const CreateWorkspaceBody = z.strictObject({
  id: Id('workspace').optional(),
  name: name().optional(),
  cloud: z.enum(CLOUDS).optional(),
  region: text().optional(),
  demo: z.boolean().optional().describe('a sales demo workspace: every Connect call carries demo: true'),
  is_free_trial: z.boolean().optional().describe('the Databricks workspace itself is on a trial'),
  catalogs: z.array(text()).optional(),
  external_locations: z.array(text()).optional(),
});

export const PatchWorkspaceBody = CreateWorkspaceBody.omit({ id: true });

export const CreateUserBody = z.strictObject({
  id: Id('user').optional(),
  email: z.email(),
  first_name: z.string().max(200).optional(),
  last_name: z.string().max(200).optional(),
  admin: z.boolean().optional(),
});

export const PatchUserBody = z.strictObject({
  first_name: z.string().max(200).optional(),
  last_name: z.string().max(200).optional(),
  admin: z.boolean().optional().describe('workspace admin (Databricks lets only admins create connections)'),
});

export const PartnerRegistration = z.strictObject({
  config: z.unknown().describe('a partner.json in the official format'),
  credentials: z
    .strictObject({ user: z.string().min(1), password: z.string().min(1) })
    .optional()
    .describe('the Basic credentials the partner issued to Databricks (kept in memory only)'),
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'Expected a slug: lower-case letters, digits and dashes.')
    .optional()
    .describe('default: a slug of the name'),
});

export const ConnectBody = z.strictObject({
  user_id: Id('user'),
  catalog_name: text().optional(),
  destination_location: text().optional(),
});

export const DeleteConnectionHookBody = z.strictObject({
  connection_id: text().optional().describe('default: the connection Databricks holds in this workspace'),
});

export const DeleteAccountHookBody = z.strictObject({
  domain: z
    .string()
    .regex(/^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/, 'Expected a domain name such as acme.databricks-test.com.')
    .optional()
    .describe("default: the domain of the email of the user who created this workspace's connection"),
});

export const ExpireAccountHookBody = z.strictObject({ user_id: Id('user') });

export const TestConnectionHookBody = DeleteConnectionHookBody;

export const ChecklistBody = z.strictObject({
  done: z.boolean(),
  note: z.string().max(2000).optional(),
});

export const ResetBody = z.strictObject({
  seed: z.boolean().optional().describe('also re-create the demo workspaces and users of a first start'),
});

export const CALL_KINDS = [
  'connect',
  'delete_connection',
  'delete_account',
  'expire_account',
  'test_connection',
  'connectors',
] as const satisfies readonly CallKind[];

/** ?limit=N of the listings: 1-1000, newest first. */
export const limitParam = (what: string) =>
  z
    .string()
    .regex(/^\d+$/, 'Expected a whole number.')
    .transform(Number)
    .pipe(z.number().int().min(1).max(1000))
    .optional()
    .describe(`at most this many ${what}, newest first (1-1000, default 100)`);

export const JournalQuery = z.object({
  limit: limitParam('exchanges'),
  partner: z.string().min(1).optional().describe('only exchanges with this partner id'),
  workspace: Id('workspace').optional().describe('only exchanges of this workspace id'),
  kind: z.enum(CALL_KINDS).optional(),
});

export const RecordQuery = z.object({
  workspace: Id('workspace')
    .optional()
    .describe('only the exchanges of this workspace id (the usual slice: one workspace)'),
  partner: z.string().min(1).optional().describe('only the exchanges with this partner id'),
  limit: limitParam('exchanges (the newest)'),
  name: z.string().min(1).max(100).optional().describe('the scenario name (its report id); default recorded-<date>'),
  format: z.enum(['yaml', 'json']).optional().describe("yaml (default: the recorder's notes become comments) or json"),
});

export const DeleteConnectionQuery = z.object({
  notify_partner: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('false: Databricks forgets the connection without calling the partner (default true)'),
});

/** Every error answer: an RFC 9457 problem, with the error as `error` too. */
export const ErrorBody = z.object({
  type: z.string().describe('urn:pcsim:problem:<code>'),
  title: z.string().describe('the kind in words, e.g. "Validation failed"'),
  status: z.number().int().describe('the HTTP status'),
  detail: z.string().describe('"Failed to X: reason. Expected Y." (as error.message)'),
  instance: z.string().describe('the path of the request'),
  code: z.enum(API_ERROR_CODES),
  error: z.object({
    code: z.enum(API_ERROR_CODES),
    message: z.string().describe('"Failed to X: reason. Expected Y."'),
    details: z
      .record(z.string(), z.unknown())
      .describe('field (the offending field), issues (all of them), the ids concerned…'),
  }),
});
