/** Partners: the tiles of the gallery, registered from partner.json configs. */
import { validatePartnerConfig } from '../../contract/partner-config.js';
import { ApiError } from '../errors.js';
import { route } from '../route.js';
import { PartnerRegistration } from '../schemas.js';
import { validate } from '../validation.js';
import { journeysFor, partnerSummary } from '../views.js';
import type { PartnerConfig } from '../../contract/partner-config.js';
import type { Credentials } from '../../partner-client/client.js';

const tag = 'partners';

interface Registration {
  config: PartnerConfig;
  credentials?: Credentials;
  id?: string;
  warnings: string[];
}

/** The body is a partner.json as is, or {config, credentials?, id?}. */
function parseRegistration(raw: unknown, what: string): Registration {
  const wrapped = raw !== null && typeof raw === 'object' && !Array.isArray(raw) && 'config' in raw;
  const envelope = wrapped ? validate(PartnerRegistration, raw, what) : undefined;
  const result = validatePartnerConfig(wrapped ? envelope!.config : raw, 'the partner config');
  if (!result.ok) {
    const prefix = wrapped ? 'config.' : '';
    const issues = result.problems.map((p) => ({
      field: `${prefix}${p.field}`,
      message: `Failed to ${what}: ${p.message}`,
    }));
    const more =
      issues.length > 1 ? ` (${issues.length - 1} more problem${issues.length > 2 ? 's' : ''} in details.issues)` : '';
    throw new ApiError('validation_failed', `${issues[0]!.message}${more}`, { field: issues[0]!.field, issues });
  }
  return {
    config: result.config,
    credentials: envelope?.credentials,
    id: envelope?.id,
    warnings: result.warnings.map((w) => w.message),
  };
}

export const partnerRoutes = [
  route({
    method: 'get',
    path: '/api/partners',
    operationId: 'listPartners',
    tag,
    summary: 'List the registered partners (the tiles)',
    what: 'list the partners',
    success: { status: 200, description: '{partners: [partner]}' },
    handle: ({ ctx }) => ({ body: { partners: ctx.store.read().partners.map(partnerSummary) } }),
  }),
  route({
    method: 'post',
    path: '/api/partners',
    operationId: 'registerPartner',
    tag,
    summary: 'Register a partner from its partner.json',
    description:
      'The body is a partner.json in the official format, or {config, credentials: {user, password}, id}. Credentials sent here are kept in memory only (never in the state file); without them pcsim sends BASIC_USER/BASIC_PASSWORD. Registering the same name again replaces the config.',
    what: 'register the partner',
    parseBody: parseRegistration,
    success: { status: 201, description: 'the partner, with the journeys that apply to it and config warnings' },
    handle: async ({ ctx, body }) => {
      const reg = body as Registration;
      const record = await ctx.databricks.registerPartner(reg.config, 'admin-api', reg.id);
      if (reg.credentials) ctx.credentials.set(record.id, reg.credentials);
      return {
        status: 201,
        body: { ...partnerSummary(record), warnings: reg.warnings, journeys: await journeysFor(record.config) },
      };
    },
  }),
  route({
    method: 'get',
    path: '/api/partners/{partner}',
    operationId: 'getPartner',
    tag,
    summary: 'A partner: its config, which optional APIs it has, and which journeys apply',
    what: 'read the partner',
    success: { status: 200, description: 'the partner' },
    handle: async ({ ctx, params }) => {
      const p = ctx.databricks.partner(params.partner!);
      return { body: { ...partnerSummary(p), config: p.config, journeys: await journeysFor(p.config) } };
    },
  }),
];
