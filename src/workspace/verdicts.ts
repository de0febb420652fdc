/**
 * P200 and P201 judged from what the partner did in the workspace (activity). Pure functions:
 * `pending` means "not passed yet" (the journey waits for more activity, then fails with the
 * reason); `failed` is final (a table created in the wrong place cannot be undone).
 */
import { authOptionsOf, type PartnerConfig } from '../contract/partner-config.js';
import type { Resources } from '../databricks/model.js';
import type { Activity, ActivityKind, AuthMethod } from './types.js';

export type CoreKind = 'query' | 'write' | 'notebook';

export interface Verdict {
  status: 'passed' | 'failed' | 'pending';
  reason: string;
}

/**
 * What "core integration" means for a partner: ingest and transformation partners write tables,
 * partners with a SQL warehouse query it, partners without one (interactive cluster or nothing)
 * publish notebooks.
 */
export function coreKindOf(config: PartnerConfig): CoreKind {
  const kinds = new Set(config.resources_to_provision.map((r) => r.resource_type));
  if (!kinds.has('SqlEndpoint')) return 'notebook';
  return config.category === 'INGEST' || config.category === 'DATA_PREP_AND_TRANSFORM' ? 'write' : 'query';
}

/** A write also proves that queries work; a notebook partner must publish a notebook. */
const ACCEPTED: Record<CoreKind, ActivityKind[]> = {
  write: ['write'],
  query: ['query', 'write'],
  notebook: ['notebook'],
};

export function authMethodsOf(config: PartnerConfig): AuthMethod[] {
  const map = { AUTH_PAT: 'pat', AUTH_OAUTH_M2M: 'oauth_m2m', AUTH_OAUTH_U2M: 'oauth_u2m' } as const;
  return authOptionsOf(config).map((o) => map[o]);
}

const AUTH_NAME: Record<AuthMethod, string> = {
  pat: 'the PAT',
  oauth_m2m: 'an OAuth M2M token',
  oauth_u2m: 'an OAuth U2M token',
};

/**
 * P200: the partner authenticated with the credentials it was given and made a successful call of
 * its core kind. For SQL only a statement that SUCCEEDED counts (reading a statement's status or
 * cancelling it is no query). `catalog`: judge the integration with that catalog only (the seed
 * asks for Unity Catalog and hive_metastore); the reason names the catalog the partner used.
 */
export function p200Verdict(input: {
  config: PartnerConfig;
  resources: Resources;
  activity: readonly Activity[];
  catalog?: string;
}): Verdict {
  const kind = coreKindOf(input.config);
  const accepted = ACCEPTED[kind];
  const methods = authMethodsOf(input.config);
  const mine = input.activity.filter((a) => a.resources_id === input.resources.id);
  const who = `the connection's resources ${input.resources.id}`;
  const onCatalog = input.catalog !== undefined && kind !== 'notebook' ? ` on catalog ${input.catalog}` : '';
  const expected = `Expected a successful ${kind === 'notebook' ? 'notebook import (POST /api/2.0/workspace/import)' : `${accepted.join(' or ')} statement${onCatalog} on the SQL warehouse (POST /api/2.0/sql/statements), SUCCEEDED`} with ${methods.map((m) => AUTH_NAME[m]).join(' or ')}.`;
  const inCatalog = (a: Activity) =>
    input.catalog === undefined || kind === 'notebook' || (a.catalogs ?? []).includes(input.catalog);
  const hit = mine.find(
    (a) => a.ok && accepted.includes(a.kind) && a.auth !== undefined && methods.includes(a.auth) && inCatalog(a),
  );
  if (hit) {
    const where = hit.catalogs?.length ? ` on catalog ${hit.catalogs.join(', ')}` : '';
    return {
      status: 'passed',
      reason: `The partner authenticated with ${AUTH_NAME[hit.auth!]} and made a successful ${hit.kind} call${where} (${hit.method} ${hit.path}${hit.detail ? `: ${hit.detail.slice(0, 80)}` : ''}).`,
    };
  }
  if (mine.length === 0)
    return {
      status: 'pending',
      reason: `Failed to see the core integration: the partner made no call to the workspace with the credentials of ${who}. ${expected}`,
    };
  // A refused credential: 401 from the OAuth server, or a REST call no principal was resolved for (403).
  const isRefused = (a: Activity) => !a.ok && (a.status === 401 || a.auth === undefined);
  const refused = mine.filter(isRefused);
  const wrongAuth = mine.filter((a) => a.ok && a.auth !== undefined && !methods.includes(a.auth));
  const failed = mine.filter((a) => !a.ok && !isRefused(a));
  const other = mine.filter((a) => a.ok && !accepted.includes(a.kind));
  const elsewhere = mine.filter((a) => a.ok && accepted.includes(a.kind) && !inCatalog(a));
  const seen: string[] = [];
  if (refused.length) seen.push(`${refused.length} refused authentication (${refused[0]!.error ?? 'status 401'})`);
  if (wrongAuth.length)
    seen.push(`${wrongAuth.length} call(s) with ${AUTH_NAME[wrongAuth[0]!.auth!]}, which auth_options do not include`);
  if (failed.length)
    seen.push(
      `${failed.length} failed call(s) (first: ${failed[0]!.method} ${failed[0]!.path}: ${failed[0]!.error ?? `status ${failed[0]!.status}`})`,
    );
  if (other.length)
    seen.push(`${other.length} successful call(s) of kind ${[...new Set(other.map((a) => a.kind))].join(', ')}`);
  if (elsewhere.length)
    seen.push(
      `${elsewhere.length} successful statement(s) on catalog ${[...new Set(elsewhere.flatMap((a) => a.catalogs ?? []))].join(', ')}, not ${input.catalog}`,
    );
  return {
    status: 'pending',
    reason: `Failed to see the core integration for ${who}: ${seen.join('; ')}. ${expected}`,
  };
}

const norm = (p: string) => p.replace(/\/+$/, '');
const under = (location: string, root: string) =>
  norm(location) === norm(root) || norm(location).startsWith(`${norm(root)}/`);

/**
 * P201: after a connect with destination_location, every table the partner creates carries a
 * LOCATION under it; after a connect without one, its tables are managed (no LOCATION).
 */
export function p201Verdict(connects: readonly { resources: Resources; activity: readonly Activity[] }[]): Verdict {
  const pending: string[] = [];
  const good: string[] = [];
  for (const { resources, activity } of connects) {
    const dest = resources.destination_location;
    const created = activity.filter((a) => a.resources_id === resources.id && a.ok && a.table);
    for (const a of created) {
      const t = a.table!;
      if (dest !== undefined && (t.location === undefined || !under(t.location, dest))) {
        return {
          status: 'failed',
          reason: `Failed to respect destination_location: table ${t.name} was created ${t.location === undefined ? 'as a managed table (no LOCATION)' : `with LOCATION '${t.location}'`} after a connect with destination_location '${dest}'. Expected LOCATION '${dest}' or a path under it.`,
        };
      }
      if (dest === undefined && t.location !== undefined) {
        return {
          status: 'failed',
          reason: `Failed to create a managed table: table ${t.name} was created with LOCATION '${t.location}' after a connect without destination_location. Expected no LOCATION (a managed table).`,
        };
      }
    }
    if (created.length === 0)
      pending.push(
        `no CREATE TABLE yet for the connect ${dest === undefined ? 'without destination_location' : `with destination_location '${dest}'`} (resources ${resources.id})`,
      );
    else good.push(`${created.length} table(s) ${dest === undefined ? 'managed' : `under '${dest}'`}`);
  }
  if (connects.length === 0)
    return {
      status: 'pending',
      reason: 'Failed to judge P201: no connect to judge. Expected connects with and without destination_location.',
    };
  if (pending.length)
    return {
      status: 'pending',
      reason: `Failed to see the tables of P201: ${pending.join('; ')}. Expected CREATE TABLE statements on the SQL warehouse after each connect.`,
    };
  return { status: 'passed', reason: `Tables follow the destination: ${good.join(', ')}.` };
}
