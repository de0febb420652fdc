/**
 * Record → replay: a slice of the journal (GET /api/journal, newest first, or any list of its
 * exchanges) becomes a scenario that replays the same clicks and expects the same outcomes.
 * Pure: exchanges in, a scenario out. What the journal cannot show is inferred from what
 * followed (see `kindOfDelete`) and said in `notes`.
 *
 * Replays use fresh workspaces, users and domains (each recorded e-mail domain becomes a
 * variable), so a partner that already holds the recorded accounts still sees new ones.
 */
import { stringify } from 'yaml';
import { parseScenario } from './load.js';
import type { Expect, Scenario, Step, UserSpec, WorkspaceSpec } from './schema.js';

/** The fields of a journal exchange the recorder reads (ids may be strings or numbers). */
export interface JournalExchange {
  id?: string;
  at?: string;
  kind: string;
  partner?: string;
  workspace_id?: string | number;
  user_id?: string | number;
  request: { method?: string; url?: string; headers?: Record<string, string>; body?: unknown };
  response?: { status: number; body?: unknown };
  error?: string;
}

export interface RecordOptions {
  name: string;
  workspace?: string;
  partner?: string;
  /** Keep the newest N exchanges of the slice. */
  limit?: number;
  source?: string;
}

export type RecordResult = { scenario: Scenario; used: number; notes: string[] } | { error: string };

type Body = Record<string, unknown>;
const obj = (v: unknown): Body => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Body) : {});
const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : undefined;
const TEST_DOMAIN = /(^|\.)databricks-(test|demo)\.com$/i;

export function recordScenario(all: JournalExchange[], opts: RecordOptions): RecordResult {
  const notes: string[] = [];
  const bad = all.findIndex((e) => !e || typeof e !== 'object' || typeof e.kind !== 'string' || !e.request);
  if (bad >= 0)
    return {
      error: `Failed to read exchange ${bad} of the journal: it has no kind or request. Expected the exchanges of GET /api/journal.`,
    };
  // The API lists newest first; replay oldest first. A stable sort keeps same-millisecond order.
  let slice = all
    .map((e, i) => ({ e, i }))
    .filter(
      ({ e }) =>
        (opts.partner === undefined || e.partner === opts.partner) &&
        (opts.workspace === undefined || wsIdOf(e) === opts.workspace),
    )
    .sort((a, b) => (a.e.at ?? '').localeCompare(b.e.at ?? '') || b.i - a.i)
    .map(({ e }) => e);
  if (opts.limit !== undefined) slice = slice.slice(-opts.limit);
  if (slice.length === 0) {
    return {
      error: `Failed to record a scenario${opts.source ? ` from ${opts.source}` : ''}: no exchange matches${opts.workspace ? ` workspace ${opts.workspace}` : ''}${opts.partner ? ` partner ${opts.partner}` : ''}. Expected at least one exchange in the journal slice.`,
    };
  }

  const workspaces = new Map<string, WorkspaceSpec & { demoNow: boolean }>();
  const users = new Map<string, UserSpec>(); // by e-mail (lower case)
  const userIds = new Map<string, string>(); // databricks user id → e-mail
  const domains = new Map<string, string>(); // recorded domain → variable expression
  const variables: Record<string, string> = {};
  const held = new Map<string, boolean>();
  const steps: Step[] = [];
  const clicked = new Set<string>(); // users with a connect or sign-in step so far
  let primed = 0;

  const domainVar = (domain: string): string => {
    const key = domain.toLowerCase();
    let v = domains.get(key);
    if (!v) {
      const test = TEST_DOMAIN.test(key);
      const n = domains.size + 1;
      if (n === 1) v = test ? '${domain}' : '${customer_domain}';
      else {
        variables[`domain${n}`] = test ? `d${n}-\${run}.databricks-test.com` : `c${n}-\${run}.pcsim-customer.example`;
        v = `\${domain${n}}`;
      }
      domains.set(key, v);
    }
    return v;
  };
  const wsName = (e: JournalExchange, body: Body): string | undefined => {
    const id = wsIdOf(e);
    if (!id) return undefined;
    let w = workspaces.get(id);
    if (!w) {
      // Numbered among the recorded workspaces only (the `primed` before… ones are the recorder's own).
      w = { name: `ws${workspaces.size - primed + 1}`, demoNow: body.demo === true };
      if (body.demo === true) w.demo = true;
      if (typeof body.cloud_provider === 'string' && ['aws', 'azure', 'gcp'].includes(body.cloud_provider))
        w.cloud = body.cloud_provider as WorkspaceSpec['cloud'];
      if (typeof body.cloud_provider_region === 'string') w.region = body.cloud_provider_region;
      if (body.is_free_trial === true) w.is_free_trial = true;
      workspaces.set(id, w);
    }
    return w.name;
  };
  const userName = (email: string, ws: string, id?: string): string => {
    const key = email.toLowerCase();
    let u = users.get(key);
    if (!u) {
      const [local = 'user', domain = 'example.com'] = email.split('@');
      const base = local.replace(/[^A-Za-z0-9_.-]/g, '_') || 'user';
      const name = [...users.values()].some((x) => x.name === base) ? `${base}_${users.size + 1}` : base;
      u = { name, email: `${local}@${domainVar(domain)}`, member_of: [ws] };
      users.set(key, u);
    } else if (!u.member_of.includes(ws)) u.member_of.push(ws);
    if (id) userIds.set(id, key);
    return u.name;
  };

  for (const [i, e] of slice.entries()) {
    const body = obj(e.request.body);
    const ws = wsName(e, body);
    const status = e.response?.status;
    const answer = obj(e.response?.body);
    if (!e.response)
      notes.push(
        `exchange ${e.id ?? i} (${e.kind}) got no answer (${e.error ?? 'network error'}): its step expects nothing beyond the default judgement.`,
      );
    switch (e.kind) {
      case 'connect': {
        const info = obj(body.user_info);
        const email = str(info.email);
        if (!ws || !email) {
          notes.push(`exchange ${e.id ?? i} (connect) has no workspace or e-mail: skipped.`);
          continue;
        }
        const user = userName(email, ws, str(info.databricks_user_id) ?? str(e.user_id));
        const w = [...workspaces.values()].find((x) => x.name === ws)!;
        if ((body.demo === true) !== w.demoNow) {
          steps.push({ set_demo: { workspace: ws, demo: body.demo === true } });
          w.demoNow = body.demo === true;
        }
        const established = info.is_connection_established === true;
        if (!established && held.get(ws)) {
          steps.push({ delete_connection: { workspace: ws, notify_partner: false } });
          notes.push(
            `${ws}: a new connection follows an established one with no delete in the slice, so Databricks forgot its side: recorded as delete_connection with notify_partner false.`,
          );
        }
        if (established && !held.get(ws)) {
          steps.push({ connect: { workspace: ws, user } });
          clicked.add(user);
          notes.push(
            `${ws}: the slice starts with a sign-in; a connect by ${user} was added before it so there is a connection to sign in to.`,
          );
        }
        // Replays use fresh e-mail domains, so a user the partner knew before the slice would be new to it:
        // a first connect in a workspace of its own makes it known again, as when the recording was made.
        if (answer.user_status === 'existing' && !clicked.has(user)) {
          const before = `before${++primed}`;
          workspaces.set(`before:${user}`, { name: before, demoNow: false });
          userName(email, before);
          steps.push({
            connect: { workspace: before, user },
            name: `${user} connects in ${before} first (the partner knew ${email} before the recording)`,
          });
          notes.push(
            `${user}: the partner answered user_status existing at its first click in the slice, so it knew ${email} already: a connect in a workspace of its own (${before}) was added first, so the replay's fresh ${user} is known too.`,
          );
        }
        clicked.add(user);
        const expect = outcomeOf(e, established);
        steps.push(
          established
            ? { signin: { workspace: ws, user }, ...(expect ? { expect } : {}) }
            : { connect: { workspace: ws, user }, ...(expect ? { expect } : {}) },
        );
        if (!established)
          held.set(
            ws,
            status !== undefined &&
              status < 300 &&
              answer.configured_resources === true &&
              typeof answer.connection_id === 'string',
          );
        break;
      }
      case 'delete_connection': {
        if (!ws) continue;
        const databricksSide = kindOfDelete(slice, i) === 'databricks';
        steps.push(
          databricksSide
            ? { delete_connection: { workspace: ws }, ...statusExpect(e) }
            : { partner_delete_connection: { workspace: ws }, ...statusExpect(e) },
        );
        if (databricksSide) held.set(ws, false);
        break;
      }
      case 'delete_account': {
        if (!ws) continue;
        const domain = str(body.domain);
        steps.push({
          delete_account: { workspace: ws, ...(domain ? { domain: domainVar(domain) } : {}) },
          ...statusExpect(e),
        });
        break;
      }
      case 'expire_account': {
        const email = str(body.email) ?? userIds.get(str(e.user_id) ?? '');
        if (!ws || !email) continue;
        steps.push({ expire: { workspace: ws, user: userName(email, ws) }, ...statusExpect(e) });
        break;
      }
      case 'test_connection':
        if (ws) steps.push({ test_connection: { workspace: ws }, ...statusExpect(e) });
        break;
      case 'connectors':
        // Later pages (pagination_token in the URL) belong to the step of the first page.
        if (!/[?&]pagination_token=/.test(e.request.url ?? '')) steps.push({ connectors: {}, ...statusExpect(e) });
        break;
      default:
        notes.push(`exchange ${e.id ?? i} has kind ${e.kind}, which a scenario cannot replay: skipped.`);
    }
  }
  if (workspaces.size === 0 || users.size === 0 || steps.length === 0) {
    return {
      error: `Failed to record a scenario: the slice has no Connect call to take a workspace and a user from (${slice.length} exchange(s): ${[...new Set(slice.map((e) => e.kind))].join(', ')}). Expected the slice to include the connect that made the connection.`,
    };
  }
  if (steps.some((s) => s.connectors) && !workspaces.size) notes.push('connectors steps need no workspace.');

  const scenario: Scenario = {
    name: opts.name,
    title: `recorded from ${opts.source ?? 'the journal'}`,
    ...(Object.keys(variables).length ? { variables } : {}),
    workspaces: [...workspaces.values()].map(({ demoNow: _d, ...w }) => w),
    users: [...users.values()],
    steps,
  };
  // What the recorder writes must load: a mistake here is pcsim's, so say so plainly.
  const check = parseScenario(JSON.stringify(scenario), 'recorded scenario');
  if (!check.ok)
    return {
      error: `Failed to record a scenario: pcsim built an invalid one (${check.problems[0]!.path}: ${check.problems[0]!.message}). Expected a valid scenario; please report this.`,
    };
  return { scenario, used: slice.length, notes };
}

function wsIdOf(e: JournalExchange): string | undefined {
  return (
    str(e.workspace_id) ?? str(obj(e.request.body).workspace_id) ?? str(obj(e.request.body).databricks_organization_id)
  );
}

/**
 * Both the Databricks-side delete (which notifies the partner) and the partner's own hook
 * send delete-connection. What follows tells them apart: after a Databricks-side delete the
 * next click in the workspace is a new connection; after the partner's hook Databricks still
 * holds its side, so the next click is a sign-in. With nothing after it, the hook is assumed.
 */
export function kindOfDelete(slice: JournalExchange[], i: number): 'databricks' | 'partner' {
  const ws = wsIdOf(slice[i]!);
  const next = slice.slice(i + 1).find((e) => e.kind === 'connect' && wsIdOf(e) === ws);
  if (!next) return 'partner';
  return obj(obj(next.request.body).user_info).is_connection_established === true ? 'partner' : 'databricks';
}

function statusExpect(e: JournalExchange): { expect?: Expect } {
  if (!e.response) return {};
  const reason = obj(e.response.body).error_reason;
  return {
    expect: {
      status: e.response.status,
      ...(e.response.status >= 400 && isReason(reason) ? { error_reason: reason } : {}),
    },
  };
}

const isReason = (r: unknown): r is NonNullable<Expect['error_reason']> =>
  typeof r === 'string' &&
  ['bad_request', 'unauthorized', 'connection_not_found', 'account_not_found', 'general_error'].includes(r);
const REDIRECTS = ['create_trial', 'purchase_product', 'sign_in', 'contact_admin', 'not_applicable'];
const USER_STATUSES = ['new', 'existing', 'not_applicable'];
const ACCOUNT_STATUSES = ['new', 'active', 'expired', 'not_applicable'];

/** The recorded outcome of a Connect as an expectation: the status and the routing fields. */
function outcomeOf(e: JournalExchange, established: boolean): Expect | undefined {
  if (!e.response) return undefined;
  const b = obj(e.response.body);
  const out: Expect = { status: e.response.status };
  if (e.response.status >= 400) {
    if (isReason(b.error_reason)) out.error_reason = b.error_reason;
    return out;
  }
  if (typeof b.redirect_value === 'string' && REDIRECTS.includes(b.redirect_value))
    out.redirect_value = b.redirect_value as Expect['redirect_value'];
  if (typeof b.user_status === 'string' && USER_STATUSES.includes(b.user_status))
    out.user_status = b.user_status as Expect['user_status'];
  if (typeof b.account_status === 'string' && ACCOUNT_STATUSES.includes(b.account_status))
    out.account_status = b.account_status as Expect['account_status'];
  if (typeof b.configured_resources === 'boolean') out.configured_resources = b.configured_resources;
  if (!established) out.connection_id = typeof b.connection_id === 'string' ? 'present' : 'absent';
  return out;
}

/**
 * The file a recording becomes. YAML keeps the recorder's inferences as comments next to the
 * steps they shaped; JSON has no comments (the caller shows the notes elsewhere).
 */
export function renderRecording(
  r: { scenario: Scenario; used: number; notes: string[] },
  source: string,
  format: 'yaml' | 'json',
): string {
  if (format === 'json') return `${JSON.stringify(r.scenario, null, 2)}\n`;
  const header = [
    `Recorded by pcsim record from ${source}: ${r.used} exchange(s).`,
    ...r.notes.map((n) => `note: ${n}`),
  ]
    .map((l) => `# ${l.replace(/\n/g, ' ')}\n`)
    .join('');
  return `${header}${stringify(r.scenario, { lineWidth: 0 })}`;
}
