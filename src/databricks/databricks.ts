/**
 * The simulated Databricks: workspaces, users, partners, connections, and what happens on each
 * click. The journeys (`pcsim run`), the admin API and the UI (`pcsim serve`) all drive this one
 * class; a journey is a script of clicks, not a second implementation.
 */
import type { Int64 } from '../contract/int64.js';
import { randomInt64, toInt64 } from '../contract/int64.js';
import type { Cloud } from '../contract/enums.js';
import type { PartnerConfig } from '../contract/partner-config.js';
import type { Credentials, PartnerClient } from '../partner-client/client.js';
import { supports } from '../partner-client/client.js';
import type { CallKind, Exchange } from '../partner-client/types.js';
import { connectionsOfWorkspace, resourceById, userByEmail, userById, warmIndexes, workspaceById } from './indexes.js';
import { stringifyExactJson } from '../contract/json.js';
import type { Store } from './store-port.js';
import { DatabricksError, notFound } from './errors.js';
import type { ConnectionRecord, PartnerRecord, Resources, User, Workspace } from './model.js';
import { KeyedMutex } from './mutex.js';
import { decideConnect, type OutcomeKind, type UserFacingError } from './outcome.js';
import { buildConnectRequest, hookBodies } from './payload.js';
import { provision } from './provisioning.js';
import { sealResources } from './secrets.js';

export interface WorkspaceEndpoint {
  scheme: 'http' | 'https';
  hostname: string;
  port: number;
  /** https: the PEM certificate(s) a client must trust (pcsim's own CA, or the user's --tls-cert). */
  ca?: string;
}

export interface DatabricksDeps {
  store: Store;
  /** The client that talks to one partner (credentials, timeouts, retries are its business). */
  clientFor(partner: PartnerRecord): PartnerClient;
  /** Where partners reach this simulated workspace (hostname/port/workspace_url of payloads). */
  endpoint?: WorkspaceEndpoint;
  /** PAT_TOKEN: the PAT to send instead of generating one (as the official suite does). */
  patToken?: string;
  now?: () => Date;
}

export interface NewWorkspace {
  id?: Int64;
  name?: string;
  cloud?: Cloud;
  region?: string;
  demo?: boolean;
  is_free_trial?: boolean;
  catalogs?: string[];
  external_locations?: string[];
}

export interface NewUser {
  id?: Int64;
  email: string;
  first_name?: string;
  last_name?: string;
  admin?: boolean;
}

export interface ConnectOptions {
  catalog_name?: string;
  destination_location?: string;
  /** Send these Basic credentials instead of the configured ones (AUTH journey). */
  credentials?: Credentials;
}

export interface ConnectOutcome {
  outcome: OutcomeKind;
  /** What Databricks sent as is_connection_established. */
  established: boolean;
  redirect_uri?: string;
  connection?: ConnectionRecord;
  error?: UserFacingError;
  exchange: Exchange;
  /** The resources behind this click: provisioned for it (new connection) or the connection's own (sign-in). */
  resources: Resources;
  /** Whether `resources` remain after the click; false: Databricks deleted them (tokens revoked). */
  resources_kept: boolean;
}

export interface DeleteOutcome {
  deleted: boolean;
  resource_status?: string;
  exchange?: Exchange;
}

const DEFAULT_ENDPOINT: WorkspaceEndpoint = { scheme: 'http', hostname: 'localhost', port: 8000 };

export function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48) || 'partner'
  );
}

export class Databricks {
  private readonly mutex = new KeyedMutex();
  private readonly now: () => Date;
  readonly endpoint: WorkspaceEndpoint;

  constructor(private readonly deps: DatabricksDeps) {
    this.now = deps.now ?? (() => new Date());
    this.endpoint = deps.endpoint ?? DEFAULT_ENDPOINT;
  }

  get store(): Store {
    return this.deps.store;
  }

  // ---- look-ups -------------------------------------------------------------------------

  /** Builds the indexes of clicks and callbacks soon after start, not on the first request after a restart. */
  warmIndexes(): Promise<void> {
    return warmIndexes(() => this.store.read());
  }

  workspace(id: string): Workspace {
    const key = toInt64(id) ?? id;
    const ws = workspaceById(this.store.read(), key);
    if (!ws) throw notFound('workspace', id);
    return ws;
  }

  user(id: string): User {
    const u = this.userById(id);
    if (!u) throw notFound('user', id);
    return u;
  }

  private userById(id: string): User | undefined {
    return userById(this.store.read(), toInt64(id) ?? id);
  }

  partner(id: string): PartnerRecord {
    const p = this.store.read().partners.find((x) => x.id === id);
    if (!p) throw notFound('partner', id);
    return p;
  }

  connectionOf(workspaceId: Int64, partnerId: string): ConnectionRecord | undefined {
    return connectionsOfWorkspace(this.store.read(), workspaceId).find((c) => c.partner_id === partnerId);
  }

  resources(id: string): Resources | undefined {
    return resourceById(this.store.read(), id);
  }

  // ---- workspaces, users, partners ------------------------------------------------------

  async createWorkspace(input: NewWorkspace = {}): Promise<Workspace> {
    const id = input.id ?? randomInt64();
    if (workspaceById(this.store.read(), id))
      throw new DatabricksError(
        'conflict',
        `Failed to create workspace ${id}: a workspace with this id exists. Expected a new id.`,
        { workspace: id },
      );
    const ws: Workspace = {
      id,
      name: input.name ?? `workspace-${id.slice(-4)}`,
      cloud: input.cloud ?? 'aws',
      region: input.region ?? 'us-west-2',
      demo: input.demo ?? false,
      is_free_trial: input.is_free_trial ?? false,
      hostname: this.endpoint.hostname,
      port: this.endpoint.port,
      catalogs: input.catalogs ?? ['main', 'hive_metastore'],
      external_locations: input.external_locations ?? [`s3://pcsim-${id.slice(-6)}/landing`],
      created_at: this.now().toISOString(),
    };
    await this.store.update((s) => void s.workspaces.push(ws));
    return ws;
  }

  async updateWorkspace(
    id: string,
    patch: Partial<
      Pick<Workspace, 'name' | 'demo' | 'is_free_trial' | 'cloud' | 'region' | 'catalogs' | 'external_locations'>
    >,
  ): Promise<Workspace> {
    const ws = this.workspace(id);
    return this.store.update((s) => {
      const target = s.workspaces.find((w) => w === ws)!; // identity: no key compared per record
      Object.assign(target, patch);
      return target;
    });
  }

  async deleteWorkspace(id: string): Promise<void> {
    const ws = this.workspace(id);
    await this.store.update((s) => {
      s.workspaces = s.workspaces.filter((w) => w.id !== ws.id);
      s.connections = s.connections.filter((c) => c.workspace_id !== ws.id);
      for (const r of s.resources)
        if (r.workspace_id === ws.id && r.status === 'active')
          Object.assign(r, { status: 'deleted', deleted_at: this.now().toISOString() });
      for (const u of s.users) u.workspaces = u.workspaces.filter((w) => w !== ws.id);
    });
  }

  /** Adds a user to a workspace; an email already known joins with its existing id. */
  async addUser(workspaceId: string, input: NewUser): Promise<User> {
    const ws = this.workspace(workspaceId);
    const byId = input.id !== undefined ? this.userById(input.id) : undefined;
    if (byId && byId.email.toLowerCase() !== input.email.toLowerCase()) {
      throw new DatabricksError(
        'conflict',
        `Failed to add user ${input.id} as ${input.email}: that id belongs to ${byId.email}. Expected the user's own email, or no id to create a new user.`,
        { field: 'email', user: byId.id },
      );
    }
    return this.store.update((s) => {
      // Looked up by index in the plain state (as it is now, inside the change), then edited tracked.
      const known =
        userByEmail(this.store.read(), input.email) ?? (input.id !== undefined ? this.userById(input.id) : undefined);
      const existing = known && s.users.find((u) => u === known);
      if (existing) {
        if (!existing.workspaces.includes(ws.id)) existing.workspaces.push(ws.id);
        if (input.admin !== undefined) existing.admin = input.admin;
        return existing;
      }
      const local = input.email.split('@')[0] ?? 'user';
      const user: User = {
        id: input.id ?? randomInt64(),
        email: input.email,
        first_name: input.first_name ?? local.split(/[._-]/)[0] ?? '',
        last_name: input.last_name ?? '',
        admin: input.admin ?? false,
        workspaces: [ws.id],
        created_at: this.now().toISOString(),
      };
      s.users.push(user);
      return user;
    });
  }

  /** Changes a member's names or admin flag (the email is the identity partners see: not changed). */
  async updateUser(
    workspaceId: string,
    userId: string,
    patch: Partial<Pick<User, 'first_name' | 'last_name' | 'admin'>>,
  ): Promise<User> {
    const ws = this.workspace(workspaceId);
    const user = this.user(userId);
    if (!user.workspaces.includes(ws.id))
      throw new DatabricksError(
        'not_found',
        `Failed to update user ${user.id} in workspace ${ws.id}: the user is not a member. Expected a member of the workspace.`,
        { workspace: ws.id, user: user.id },
      );
    return this.store.update((s) =>
      Object.assign(
        s.users.find((x) => x === user)!,
        patch,
      ),
    );
  }

  async removeUser(workspaceId: string, userId: string): Promise<void> {
    const ws = this.workspace(workspaceId);
    const user = this.user(userId);
    if (!user.workspaces.includes(ws.id))
      throw new DatabricksError(
        'not_found',
        `Failed to remove user ${user.id} from workspace ${ws.id}: the user is not a member. Expected a member of the workspace.`,
        { workspace: ws.id, user: user.id },
      );
    await this.store.update((s) => {
      const u = s.users.find((x) => x === user)!;
      u.workspaces = u.workspaces.filter((w) => w !== ws.id);
    });
  }

  /** Registers a partner; registering the same name again replaces its config. */
  async registerPartner(config: PartnerConfig, source: string, id = slug(config.name)): Promise<PartnerRecord> {
    // The same partner again (every start registers its partners): nothing to change, nothing to write.
    const known = this.store.read().partners.find((p) => p.id === id);
    if (known && known.source === source && stringifyExactJson(known.config) === stringifyExactJson(config))
      return known;
    const record: PartnerRecord = { id, config, source, registered_at: this.now().toISOString() };
    await this.store.update((s) => {
      const i = s.partners.findIndex((p) => p.id === id);
      if (i >= 0) s.partners[i] = record;
      else s.partners.push(record);
    });
    return record;
  }

  // ---- clicks ---------------------------------------------------------------------------

  /**
   * A user clicks the partner's tile (Connect) or Launch on an existing connection (sign-in).
   * Databricks provisions resources for a new connection, calls Connect, and applies the
   * outcome: stores the connection, cleans up, or shows an error screen.
   */
  connect(workspaceId: string, userId: string, partnerId: string, opts: ConnectOptions = {}): Promise<ConnectOutcome> {
    const ws = this.workspace(workspaceId);
    const user = this.user(userId);
    const partner = this.partner(partnerId);
    if (!user.workspaces.includes(ws.id)) {
      throw new DatabricksError(
        'invalid_input',
        `Failed to connect as user ${user.id}: the user is not a member of workspace ${ws.id}. Expected a member of the workspace.`,
        { workspace: ws.id, user: user.id },
      );
    }
    return this.mutex.run(`${ws.id}:${partner.id}`, () => this.connectLocked(ws.id, user, partner, opts));
  }

  private async connectLocked(
    workspaceId: Int64,
    user: User,
    partner: PartnerRecord,
    opts: ConnectOptions,
  ): Promise<ConnectOutcome> {
    const ws = this.workspace(workspaceId); // re-read: the demo flag may have changed
    const connection = this.connectionOf(ws.id, partner.id);
    const established = connection !== undefined;
    const resources = established
      ? (this.resources(connection.resources_id) ?? this.provisionFor(ws, partner, opts))
      : this.provisionFor(ws, partner, opts);
    const body = buildConnectRequest({
      workspace: ws,
      user,
      config: partner.config,
      resources,
      connection,
      scheme: this.endpoint.scheme,
    });
    const exchange = await this.deps.clientFor(partner).call({
      kind: 'connect',
      body,
      established,
      credentials: opts.credentials,
      workspace_id: ws.id,
      user_id: user.id,
    });
    const decision = decideConnect(exchange, established, partner.config);

    let stored: ConnectionRecord | undefined = connection;
    await this.store.update((s) => {
      s.journal.push(exchange);
      if (established) return;
      if (decision.keep_resources) s.resources.push(sealResources(resources));
      if (decision.outcome === 'connected') {
        stored = {
          workspace_id: ws.id,
          partner_id: partner.id,
          connection_id: decision.connection_id!,
          created_by: user.id,
          created_at: this.now().toISOString(),
          resources_id: resources.id,
        };
        s.connections.push(stored);
      }
    });
    const resources_kept = established || decision.keep_resources;
    return {
      outcome: decision.outcome,
      established,
      redirect_uri: decision.redirect_uri,
      connection: decision.outcome === 'error' ? connection : stored,
      error: decision.error,
      exchange,
      resources,
      resources_kept,
    };
  }

  private provisionFor(ws: Workspace, partner: PartnerRecord, opts: ConnectOptions): Resources {
    return provision({
      workspace: ws,
      partnerId: partner.id,
      config: partner.config,
      patToken: this.deps.patToken,
      catalog_name: opts.catalog_name,
      destination_location: opts.destination_location,
      now: this.now(),
    });
  }

  /**
   * The user deletes the connection on the Databricks side: its resources go (tokens revoked)
   * and, unless `notifyPartner` is false, Databricks calls the partner's delete-connection API.
   * `notifyPartner: false` is "Databricks forgets": the partner still holds its connection (P400).
   */
  deleteConnection(
    workspaceId: string,
    partnerId: string,
    opts: { notifyPartner?: boolean } = {},
  ): Promise<DeleteOutcome> {
    const ws = this.workspace(workspaceId);
    const partner = this.partner(partnerId);
    return this.mutex.run(`${ws.id}:${partner.id}`, async () => {
      const connection = this.connectionOf(ws.id, partner.id);
      if (!connection)
        throw new DatabricksError(
          'not_found',
          `Failed to delete the connection of partner ${partner.id} in workspace ${ws.id}: there is none. Expected an established connection.`,
          { workspace: ws.id, partner: partner.id },
        );
      let exchange: Exchange | undefined;
      if (opts.notifyPartner !== false && supports(partner.config, 'delete_connection')) {
        exchange = await this.deps.clientFor(partner).call({
          kind: 'delete_connection',
          body: hookBodies.deleteConnection(ws, connection.connection_id),
          workspace_id: ws.id,
        });
      }
      await this.store.update((s) => {
        if (exchange) s.journal.push(exchange);
        // Removed where they are (a cut in the log), not by rewriting the whole list.
        const plain = this.store.read().connections;
        for (const c of connectionsOfWorkspace(this.store.read(), ws.id).slice())
          if (c === connection || c.partner_id === partner.id) s.connections.splice(plain.indexOf(c), 1);
        const kept = this.resources(connection.resources_id);
        const r = kept && s.resources.find((x) => x === kept);
        if (r) Object.assign(r, { status: 'deleted', deleted_at: this.now().toISOString() });
      });
      const status = (exchange?.response?.body as { resource_status?: string } | undefined)?.resource_status;
      return { deleted: true, resource_status: status, exchange };
    });
  }

  // ---- the partner-side test hooks (CONTRACT §4) ------------------------------------------

  private requireConnection(ws: Workspace, partner: PartnerRecord): ConnectionRecord {
    const c = this.connectionOf(ws.id, partner.id);
    if (!c)
      throw new DatabricksError(
        'not_found',
        `Failed to call the hook for partner ${partner.id} in workspace ${ws.id}: Databricks holds no connection there. Expected a connection to exist first.`,
        { workspace: ws.id, partner: partner.id },
      );
    return c;
  }

  private async hook(
    partner: PartnerRecord,
    kind: CallKind,
    body: unknown,
    ws?: Workspace,
    userId?: string,
    query?: Record<string, string>,
  ): Promise<Exchange> {
    if (!supports(partner.config, kind)) {
      throw new DatabricksError(
        'not_supported',
        `Failed to call ${kind} on partner ${partner.id}: its config declares no endpoint for it. Expected the endpoint in partner.json endpoints.`,
        { partner: partner.id, call: kind },
      );
    }
    const exchange = await this.deps
      .clientFor(partner)
      .call({ kind, body, workspace_id: ws?.id, user_id: userId, query });
    await this.store.update((s) => void s.journal.push(exchange));
    return exchange;
  }

  /** The partner deletes the connection in its own product (Databricks still holds it). */
  async partnerDeleteConnection(workspaceId: string, partnerId: string, connectionId?: string): Promise<Exchange> {
    const ws = this.workspace(workspaceId);
    const partner = this.partner(partnerId);
    const id = connectionId ?? this.requireConnection(ws, partner).connection_id;
    return this.hook(partner, 'delete_connection', hookBodies.deleteConnection(ws, id), ws);
  }

  async deleteAccount(workspaceId: string, partnerId: string, domain: string): Promise<Exchange> {
    const ws = this.workspace(workspaceId);
    return this.hook(this.partner(partnerId), 'delete_account', hookBodies.deleteAccount(ws, domain), ws);
  }

  async expireAccount(workspaceId: string, partnerId: string, userId: string): Promise<Exchange> {
    const ws = this.workspace(workspaceId);
    const user = this.user(userId);
    return this.hook(this.partner(partnerId), 'expire_account', hookBodies.expireAccount(ws, user), ws, user.id);
  }

  async testConnection(workspaceId: string, partnerId: string, connectionId?: string): Promise<Exchange> {
    const ws = this.workspace(workspaceId);
    const partner = this.partner(partnerId);
    const id = connectionId ?? this.requireConnection(ws, partner).connection_id;
    return this.hook(partner, 'test_connection', hookBodies.testConnection(ws, id), ws);
  }

  /** One page of the connector list. */
  async connectorsPage(partnerId: string, paginationToken?: string): Promise<Exchange> {
    return this.hook(
      this.partner(partnerId),
      'connectors',
      undefined,
      undefined,
      undefined,
      paginationToken ? { pagination_token: paginationToken } : undefined,
    );
  }

  /** Follows pagination_token until there is none (bounded, and a repeated token stops it). */
  async connectors(
    partnerId: string,
    maxPages = 50,
  ): Promise<{ exchanges: Exchange[]; connectors: unknown[]; stopped?: string }> {
    const exchanges: Exchange[] = [];
    const connectors: unknown[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const ex = await this.connectorsPage(partnerId, token);
      exchanges.push(ex);
      const body = ex.response?.body as { connectors?: unknown[]; pagination_token?: unknown } | undefined;
      if (!ex.response || ex.response.status !== 200 || !body) return { exchanges, connectors };
      if (Array.isArray(body.connectors)) connectors.push(...body.connectors);
      const next =
        typeof body.pagination_token === 'string' && body.pagination_token !== '' ? body.pagination_token : undefined;
      if (!next) return { exchanges, connectors };
      if (seen.has(next))
        return { exchanges, connectors, stopped: `pagination_token ${JSON.stringify(next)} came back twice (a loop)` };
      seen.add(next);
      token = next;
    }
    return { exchanges, connectors, stopped: `more than ${maxPages} pages` };
  }
}
