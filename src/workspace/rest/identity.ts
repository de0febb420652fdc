/**
 * SCIM 2.0 as a workspace answers it (/api/2.0/preview/scim/v2): Me, Users, ServicePrincipals and
 * Groups, with filter, startIndex/count paging, sortBy and attributes. Users are the workspace's
 * members; service principals those of its live connections (SCIM `id` a numeric string, the
 * UUID in `applicationId`, as Databricks shows them); groups the built-in `admins` and `users`.
 */
import { createHash } from 'node:crypto';
import type { Int64 } from '../../contract/int64.js';
import { userById, usersOfWorkspace } from '../../databricks/indexes.js';
import type { Resources, User } from '../../databricks/model.js';
import { ScimError } from '../errors.js';
import { liveResources, queryParam, type CallContext, type RestHandler } from './context.js';

const SCHEMA = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  userExt: 'urn:ietf:params:scim:schemas:extension:workspace:2.0:User',
  sp: 'urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  list: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
};
const ENTITLEMENTS = [{ value: 'workspace-access' }, { value: 'databricks-sql-access' }];

/** A stable numeric SCIM id (16 digits or fewer, as Databricks' ids) for a non-user principal. */
const ids = new Map<string, string>();

export function scimIdOf(kind: string, key: string): string {
  const k = `${kind}:${key}`;
  let id = ids.get(k);
  if (id === undefined) {
    id = BigInt(`0x${createHash('sha256').update(k).digest('hex').slice(0, 13)}`).toString();
    // Bounded: ids are cheap to recompute.
    if (ids.size >= 10_000) ids.clear();
    ids.set(k, id);
  }
  return id;
}

const groupId = (ws: Int64, name: string) => scimIdOf('group', `${ws}:${name}`);
const groupRef = (ws: Int64, name: string) => ({
  display: name,
  value: groupId(ws, name),
  $ref: `Groups/${groupId(ws, name)}`,
  type: 'direct',
});

function usersOf(c: CallContext): User[] {
  return [...usersOfWorkspace(c.state, c.principal.workspace_id)];
}

/** One service principal per live connection (PAT_TOKEN may share resources, never the SP). */
function principalsOf(c: CallContext): Resources[] {
  const seen = new Set<string>();
  return liveResources(c.state, c.principal.workspace_id).filter(
    (r) => !seen.has(r.service_principal_id) && seen.add(r.service_principal_id),
  );
}

function userView(c: CallContext, u: User): Record<string, unknown> {
  const ws = c.principal.workspace_id;
  return {
    schemas: [SCHEMA.user, SCHEMA.userExt],
    id: u.id,
    userName: u.email,
    displayName: `${u.first_name} ${u.last_name}`.trim() || u.email,
    name: { givenName: u.first_name, familyName: u.last_name },
    emails: [{ type: 'work', value: u.email, primary: true }],
    active: true,
    groups: [...(u.admin ? [groupRef(ws, 'admins')] : []), groupRef(ws, 'users')],
    entitlements: ENTITLEMENTS,
  };
}

function spView(c: CallContext, r: Resources): Record<string, unknown> {
  const partner = c.state.partners.find((x) => x.id === r.partner_id);
  return {
    schemas: [SCHEMA.sp],
    id: scimIdOf('sp', r.service_principal_id),
    applicationId: r.service_principal_id,
    displayName: `${partner?.config.name ?? r.partner_id} (Partner Connect)`,
    active: true,
    groups: [groupRef(c.principal.workspace_id, 'users')],
    entitlements: ENTITLEMENTS,
  };
}

function groupView(c: CallContext, name: 'admins' | 'users'): Record<string, unknown> {
  const users = usersOf(c).filter((u) => name === 'users' || u.admin);
  const sps = name === 'users' ? principalsOf(c) : [];
  return {
    schemas: [SCHEMA.group],
    id: groupId(c.principal.workspace_id, name),
    displayName: name,
    members: [
      ...users.map((u) => ({
        display: `${u.first_name} ${u.last_name}`.trim() || u.email,
        value: u.id,
        $ref: `Users/${u.id}`,
      })),
      ...sps.map((r) => ({
        display: String(spView(c, r).displayName),
        value: scimIdOf('sp', r.service_principal_id),
        $ref: `ServicePrincipals/${scimIdOf('sp', r.service_principal_id)}`,
      })),
    ],
    meta: { resourceType: 'WorkspaceGroup' },
    entitlements: name === 'admins' ? [...ENTITLEMENTS, { value: 'allow-cluster-create' }] : ENTITLEMENTS,
  };
}

/** Me: the service principal (PAT, M2M) with its userName the application id, or the user (U2M and their tokens). */
export const me: RestHandler = (c) => {
  const p = c.principal;
  if (p.user_id) {
    const u = userById(c.state, p.user_id);
    if (u) return { status: 200, kind: 'auth', body: userView(c, u) };
  }
  const view = spView(c, p.resources);
  return { status: 200, kind: 'auth', body: { ...view, userName: p.resources.service_principal_id } };
};

// ---- filter (RFC 7644 §3.4.2.2: the comparisons Databricks documents, joined by and / or) ----

type Cmp = { attr: string; op: string; value?: string | boolean };
const OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr'];

/** Parses `a eq "x" and b pr or c sw "y"` into or-groups of and-ed comparisons. */
export function parseFilter(text: string): Cmp[][] {
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|([A-Za-z0-9][\w.$:-]*)|(\S))/gy;
  const toks: { s?: string; w?: string; bad?: string }[] = [];
  for (let m = re.exec(text); m && m[0].trim() !== ''; m = re.exec(text))
    toks.push(
      m[1] !== undefined ? { s: m[1].replace(/\\(.)/g, '$1') } : m[2] !== undefined ? { w: m[2] } : { bad: m[3] },
    );
  const fail = (why: string) =>
    new ScimError(
      400,
      `Invalid filter ${JSON.stringify(text)}: ${why}. Expected comparisons like userName eq "a@b.com", joined by and / or.`,
      'invalidFilter',
    );
  const groups: Cmp[][] = [[]];
  let i = 0;
  while (i < toks.length) {
    const attr = toks[i]?.w;
    const op = toks[i + 1]?.w?.toLowerCase();
    if (!attr) throw fail(`expected an attribute at ${JSON.stringify(toks[i]?.s ?? toks[i]?.bad ?? '')}`);
    if (!op || !OPS.includes(op))
      throw fail(`unknown operator ${JSON.stringify(toks[i + 1]?.w ?? toks[i + 1]?.s ?? toks[i + 1]?.bad ?? '')}`);
    i += 2;
    let value: string | boolean | undefined;
    if (op !== 'pr') {
      const v = toks[i];
      if (v?.s !== undefined) value = v.s;
      else if (v?.w === 'true' || v?.w === 'false') value = v.w === 'true';
      else if (v?.w !== undefined && /^\d+$/.test(v.w)) value = v.w;
      else throw fail(`${attr} ${op} needs a quoted value`);
      i++;
    }
    groups.at(-1)!.push({ attr, op, value });
    const join = toks[i]?.w?.toLowerCase();
    if (join === undefined && i >= toks.length) break;
    if (join === 'and') i++;
    else if (join === 'or') {
      groups.push([]);
      i++;
    } else throw fail(`expected and / or after ${attr} ${op}`);
    if (i >= toks.length) throw fail('it ends with and / or');
  }
  return groups;
}

/** The value(s) of a (possibly dotted, case-insensitive) attribute path, e.g. emails.value. */
function valuesAt(o: unknown, path: string): unknown[] {
  let cur: unknown[] = [o];
  for (const part of path.split('.')) {
    cur = cur
      .flatMap((x) => {
        if (Array.isArray(x)) return x.map((y) => at(y, part));
        return [at(x, part)];
      })
      .flatMap((x) => (Array.isArray(x) ? x : [x]))
      .filter((x) => x !== undefined);
  }
  return cur;
}
const at = (o: unknown, key: string) => {
  if (typeof o !== 'object' || o === null) return undefined;
  const k = Object.keys(o).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : (o as Record<string, unknown>)[k];
};

function matches(o: Record<string, unknown>, cmp: Cmp): boolean {
  const vals = valuesAt(o, cmp.attr);
  if (cmp.op === 'pr') return vals.some((v) => v !== null && v !== '');
  const want = typeof cmp.value === 'string' ? cmp.value.toLowerCase() : cmp.value;
  const test = (v: unknown): boolean => {
    if (typeof want === 'boolean') return cmp.op === 'ne' ? v !== want : cmp.op === 'eq' && v === want;
    const s = String(v).toLowerCase();
    const w = want as string;
    switch (cmp.op) {
      case 'eq':
        return s === w;
      case 'ne':
        return s !== w;
      case 'co':
        return s.includes(w);
      case 'sw':
        return s.startsWith(w);
      case 'ew':
        return s.endsWith(w);
      case 'gt':
        return s > w;
      case 'ge':
        return s >= w;
      case 'lt':
        return s < w;
      default:
        return s <= w;
    }
  };
  return cmp.op === 'ne' ? vals.every(test) : vals.some(test);
}

// ---- lists ----

function intQuery(c: CallContext, key: string, min: number): number | undefined {
  const v = queryParam(c, key);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v))
    throw new ScimError(400, `Invalid ${key} ${JSON.stringify(v)}. Expected an integer.`, 'invalidValue');
  return Math.max(min, Number(v));
}

function project(o: Record<string, unknown>, attributes?: string, excluded?: string): Record<string, unknown> {
  const names = (s?: string) =>
    (s ?? '')
      .split(',')
      .map((x) => x.trim().toLowerCase())
      .filter(Boolean);
  const keep = names(attributes);
  const drop = names(excluded);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    const lk = k.toLowerCase();
    const always = lk === 'id' || lk === 'schemas';
    if (keep.length > 0 && !always && !keep.some((a) => a === lk || a.startsWith(`${lk}.`))) continue;
    if (!always && drop.includes(lk)) continue;
    out[k] = v;
  }
  return out;
}

/** The SCIM list response: filter, sortBy/sortOrder, startIndex (1-based) and count, attributes. */
function listOf(c: CallContext, all: Record<string, unknown>[]): Record<string, unknown> {
  const filter = queryParam(c, 'filter');
  const groups = filter && filter.trim() !== '' ? parseFilter(filter) : undefined;
  let items = groups ? all.filter((o) => groups.some((g) => g.every((cmp) => matches(o, cmp)))) : all;
  const sortBy = queryParam(c, 'sortBy');
  if (sortBy) {
    const desc = (queryParam(c, 'sortOrder') ?? 'ascending').toLowerCase() === 'descending';
    items = [...items].sort(
      (a, b) =>
        String(valuesAt(a, sortBy)[0] ?? '').localeCompare(String(valuesAt(b, sortBy)[0] ?? '')) * (desc ? -1 : 1),
    );
  }
  const start = intQuery(c, 'startIndex', 1) ?? 1;
  const count = intQuery(c, 'count', 0) ?? 10000;
  const page = items
    .slice(start - 1, start - 1 + count)
    .map((o) => project(o, queryParam(c, 'attributes'), queryParam(c, 'excludedAttributes')));
  const body: Record<string, unknown> = {
    totalResults: items.length,
    startIndex: start,
    itemsPerPage: page.length,
    schemas: [SCHEMA.list],
  };
  // Databricks leaves Resources out of an empty page; the SDKs stop paging on it.
  if (page.length > 0) body.Resources = page;
  return body;
}

const allUsers = (c: CallContext) => usersOf(c).map((u) => userView(c, u));
const allSps = (c: CallContext) => principalsOf(c).map((r) => spView(c, r));
const allGroups = (c: CallContext) => (['admins', 'users'] as const).map((g) => groupView(c, g));

export const listUsers: RestHandler = (c) => ({ status: 200, kind: 'read', body: listOf(c, allUsers(c)) });
export const listServicePrincipals: RestHandler = (c) => ({ status: 200, kind: 'read', body: listOf(c, allSps(c)) });
export const listGroups: RestHandler = (c) => ({ status: 200, kind: 'read', body: listOf(c, allGroups(c)) });

function getOne(what: string, all: (c: CallContext) => Record<string, unknown>[]): RestHandler {
  return (c) => {
    const id = String(c.req.params.id ?? '');
    const found = all(c).find((o) => o.id === id);
    if (!found) throw new ScimError(404, `${what} ${id} not found.`);
    return {
      status: 200,
      kind: 'read',
      body: project(found, queryParam(c, 'attributes'), queryParam(c, 'excludedAttributes')),
    };
  };
}

export const getUser = getOne('User', allUsers);
export const getServicePrincipal = getOne('Service principal', allSps);
export const getGroup = getOne('Group', allGroups);
