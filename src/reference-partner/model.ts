/**
 * The partner side's state and decisions, free of HTTP: who is known, which connections live,
 * which trials expired, and what each call answers (CONTRACT §3–5, §7). Secrets (PAT, OAuth
 * secret) never enter it. int64 ids are the decimal strings of contract/int64.ts.
 */
import { nanoid } from 'nanoid';
import {
  TEST_DOMAINS,
  type AccountStatus,
  type Cloud,
  type ErrorReason,
  type NewUserAction,
  type RedirectValue,
  type ResourceStatus,
  type TrialType,
  type UserStatus,
} from '../contract/enums.js';
import type { Int64 } from '../contract/int64.js';
import type { Fault } from './types.js';

/** An account is the customer company; for this partner, an email domain (CONTRACT §6). */
export interface Account {
  domain: string;
  expired: boolean;
}

export interface PartnerUser {
  email: string;
  /** The account the user belongs to. */
  domain: string;
  databricksUserId: Int64;
  expired: boolean;
}

export interface PartnerConnection {
  id: string;
  workspaceId: Int64;
  domain: string;
  createdBy: string;
  cloud: Cloud;
  /** Created by a demo (CONTRACT §7): it registered no user or account. */
  demo: boolean;
  deleted: boolean;
}

export interface ModelSettings {
  newUserAction: NewUserAction;
  trialType: TrialType;
  requireManualSignup: boolean;
  supportsDemo: boolean;
  /** Only the faults that change decisions are read here; the others are HTTP-level. */
  faults: ReadonlySet<Fault>;
  /** Connection id generator (tests make it deterministic). */
  newId?: () => string;
}

export interface ConnectInput {
  email: string;
  databricksUserId: Int64;
  workspaceId: Int64;
  established: boolean;
  connectionId?: string;
  demo: boolean;
  cloud: Cloud;
}

/** The Connection fields the model decides; redirect_uri is HTTP's business. */
export interface ConnectAnswer {
  redirect_value: RedirectValue;
  user_status: UserStatus;
  account_status: AccountStatus;
  configured_resources: boolean;
  connection_id?: string;
}

export interface ErrorBody {
  error_reason: ErrorReason;
  display_message: string;
  debugging_message?: string;
}

export type Refusal = { ok: false; status: 400 | 404 | 500; error: ErrorBody };

export type ConnectOutcome =
  | {
      ok: true;
      /** created: a new connection; sign_in: established true; refused: 200 without configuring (expired trial). */
      kind: 'created' | 'sign_in' | 'refused';
      answer: ConnectAnswer;
      /** The connection concerned (created or signed into), for the redirect page and the 'id-on-sign-in' fault. */
      connectionId?: string;
    }
  | Refusal;

export interface TestResultOut {
  test_name: string;
  status: string;
  message?: string;
}

export interface ConnectorOut {
  identifier: string;
  name: string;
  type: 'source' | 'target';
  description: string;
}

export interface ConnectorsPage {
  connectors: ConnectorOut[];
  pagination_token?: string;
}

/** The catalogue served by the connectors API, in pages linked by pagination_token. */
const CONNECTOR_PAGES: readonly (readonly ConnectorOut[])[] = [
  [
    {
      identifier: 'postgres',
      name: 'PostgreSQL',
      type: 'source',
      description: 'Replicates PostgreSQL tables with logical decoding.',
    },
    { identifier: 'mysql', name: 'MySQL', type: 'source', description: 'Replicates MySQL tables from the binlog.' },
    {
      identifier: 'salesforce',
      name: 'Salesforce',
      type: 'source',
      description: 'Syncs Salesforce objects incrementally.',
    },
  ],
  [
    { identifier: 's3', name: 'Amazon S3', type: 'source', description: 'Loads files from an S3 bucket.' },
    {
      identifier: 'kafka',
      name: 'Apache Kafka',
      type: 'source',
      description: 'Streams Kafka topics into Delta tables.',
    },
    {
      identifier: 'delta_lake',
      name: 'Delta Lake',
      type: 'target',
      description: 'Writes Delta tables in Unity Catalog.',
    },
  ],
  [
    { identifier: 'snowflake', name: 'Snowflake', type: 'target', description: 'Writes tables to Snowflake.' },
    { identifier: 'bigquery', name: 'Google BigQuery', type: 'target', description: 'Writes tables to BigQuery.' },
  ],
];
const PAGE_TOKEN = (page: number) => `page-${page + 1}`;

/** Whether the test-only hooks may act on a domain (CONTRACT §4). */
export function isTestDomain(domain: string): boolean {
  const d = normaliseDomain(domain);
  return TEST_DOMAINS.some((t) => d === t || d.endsWith(`.${t}`));
}

function normaliseDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/\.$/, '');
}

export function domainOf(email: string): string {
  const at = email.lastIndexOf('@');
  return normaliseDomain(at >= 0 ? email.slice(at + 1) : email);
}

const normaliseEmail = (email: string) => email.trim().toLowerCase();

const TEST_DOMAIN_LIST = `${TEST_DOMAINS.join(', ')} or one of their sub-domains`;

const connectionNotFound = (action: string, id: string | undefined): Refusal => ({
  ok: false,
  status: 404,
  error: {
    error_reason: 'connection_not_found',
    display_message: id
      ? `Failed to ${action}: connection ${id} does not exist at the partner (it was deleted or never created). Expected a live connection; delete the connection in Databricks and create it again.`
      : `Failed to ${action}: the request carries no connection_id. Expected the connection_id the partner returned when the connection was created.`,
  },
});

export interface ModelSnapshot {
  accounts: Account[];
  users: PartnerUser[];
  connections: PartnerConnection[];
}

export class PartnerModel {
  readonly accounts = new Map<string, Account>();
  /** Keyed by the lower-cased email. */
  readonly users = new Map<string, PartnerUser>();
  readonly connections = new Map<string, PartnerConnection>();
  private readonly newId: () => string;

  constructor(readonly settings: ModelSettings) {
    this.newId = settings.newId ?? (() => nanoid());
  }

  private has(fault: Fault): boolean {
    return this.settings.faults.has(fault);
  }

  private demoApplies(input: ConnectInput): boolean {
    return input.demo && this.settings.supportsDemo && !this.has('ignore-demo');
  }

  /** A live connection, or undefined when unknown or deleted. */
  liveConnection(id: string | undefined): PartnerConnection | undefined {
    if (!id) return undefined;
    const conn = this.connections.get(id);
    return conn && !conn.deleted ? conn : undefined;
  }

  /** Whether a trial ran out for this user in this account, under the trial type's rules. */
  private isExpired(domain: string, user: PartnerUser | undefined): boolean {
    if (this.settings.trialType === 'user') return user?.expired ?? false;
    return this.accounts.get(domain)?.expired ?? false;
  }

  connect(input: ConnectInput): ConnectOutcome {
    return input.established ? this.signIn(input) : this.create(input);
  }

  /** Everything the partner knows, as plain JSON (pcsim serve keeps it across restarts). */
  snapshot(): ModelSnapshot {
    return {
      accounts: [...this.accounts.values()],
      users: [...this.users.values()],
      connections: [...this.connections.values()],
    };
  }

  /** Replaces what the partner knows with a snapshot taken earlier. */
  restore(snap: ModelSnapshot): void {
    this.clear();
    for (const a of snap.accounts ?? []) this.accounts.set(a.domain, a);
    for (const u of snap.users ?? []) this.users.set(normaliseEmail(u.email), u);
    for (const c of snap.connections ?? []) this.connections.set(c.id, c);
  }

  clear(): void {
    this.accounts.clear();
    this.users.clear();
    this.connections.clear();
  }

  private addConnection(input: ConnectInput, domain: string, demo: boolean): PartnerConnection {
    const conn: PartnerConnection = {
      id: this.newId(),
      workspaceId: input.workspaceId,
      domain,
      createdBy: normaliseEmail(input.email),
      cloud: input.cloud,
      demo,
      deleted: false,
    };
    this.connections.set(conn.id, conn);
    return conn;
  }

  /** is_connection_established false: configure a new, separate connection (CONTRACT §3, four cases). */
  private create(input: ConnectInput): ConnectOutcome {
    const email = normaliseEmail(input.email);
    if (this.demoApplies(input)) {
      // A demo must be repeatable forever from one workspace, so it leaves users and accounts untouched.
      const conn = this.addConnection(input, domainOf(email), true);
      return {
        ok: true,
        kind: 'created',
        connectionId: conn.id,
        answer: {
          redirect_value: 'create_trial',
          user_status: 'new',
          account_status: 'new',
          configured_resources: true,
          connection_id: conn.id,
        },
      };
    }
    const known = this.users.get(email);
    const domain = known?.domain ?? domainOf(email);
    const userStatus: UserStatus = known ? 'existing' : 'new';
    if (this.isExpired(domain, known)) {
      return {
        ok: true,
        kind: 'refused',
        answer: {
          redirect_value: 'purchase_product',
          user_status: userStatus,
          account_status: 'expired',
          configured_resources: false,
        },
      };
    }
    const accountIsNew = !this.accounts.has(domain);
    if (accountIsNew) this.accounts.set(domain, { domain, expired: false });
    if (!known) this.users.set(email, { email, domain, databricksUserId: input.databricksUserId, expired: false });

    let conn: PartnerConnection | undefined;
    if (this.has('same-connection-id')) {
      conn = [...this.connections.values()].find((c) => !c.deleted && c.workspaceId === input.workspaceId);
    }
    conn ??= this.addConnection(input, domain, false);
    return {
      ok: true,
      kind: 'created',
      connectionId: conn.id,
      answer: {
        redirect_value: accountIsNew ? 'create_trial' : 'sign_in',
        user_status: userStatus,
        account_status: accountIsNew ? 'new' : 'active',
        configured_resources: true,
        connection_id: conn.id,
      },
    };
  }

  /** is_connection_established true: configure nothing, say who the user is (CONTRACT §3 rule 1, §5). */
  private signIn(input: ConnectInput): ConnectOutcome {
    const conn = this.liveConnection(input.connectionId);
    if (!conn) return connectionNotFound('sign in', input.connectionId);
    if (this.demoApplies(input)) {
      return {
        ok: true,
        kind: 'sign_in',
        connectionId: conn.id,
        answer: {
          redirect_value: 'create_trial',
          user_status: 'new',
          account_status: 'new',
          configured_resources: false,
        },
      };
    }
    const email = normaliseEmail(input.email);
    const user = this.users.get(email);
    if (user && user.domain === conn.domain) {
      const expired = this.isExpired(conn.domain, user);
      return {
        ok: true,
        kind: 'sign_in',
        connectionId: conn.id,
        answer: {
          redirect_value: expired ? 'purchase_product' : 'sign_in',
          user_status: 'existing',
          account_status: expired ? 'expired' : 'active',
          configured_resources: false,
        },
      };
    }
    if (this.settings.requireManualSignup) {
      return {
        ok: false,
        status: 404,
        error: {
          error_reason: 'account_not_found',
          display_message: `Failed to sign in: ${email} has no account at the partner yet. Expected the user to sign up on the partner's site first.`,
        },
      };
    }
    // A user who joins now has a fresh trial of their own under trial_type user; under account, the account's state counts.
    const accountStatus: AccountStatus =
      this.settings.trialType === 'account' && this.isExpired(conn.domain, undefined) ? 'expired' : 'active';
    switch (this.settings.newUserAction) {
      case 'auto_add':
        if (!this.accounts.has(conn.domain)) this.accounts.set(conn.domain, { domain: conn.domain, expired: false });
        this.users.set(email, { email, domain: conn.domain, databricksUserId: input.databricksUserId, expired: false });
        return {
          ok: true,
          kind: 'sign_in',
          connectionId: conn.id,
          answer: {
            redirect_value: 'sign_in',
            user_status: 'new',
            account_status: accountStatus,
            configured_resources: false,
          },
        };
      case 'invite':
        return {
          ok: true,
          kind: 'sign_in',
          connectionId: conn.id,
          answer: {
            redirect_value: 'contact_admin',
            user_status: 'not_applicable',
            account_status: accountStatus,
            configured_resources: false,
          },
        };
      case 'not_found':
        return {
          ok: false,
          status: 404,
          error: {
            error_reason: 'account_not_found',
            display_message: `Failed to sign in: ${email} is not a user of this partner account. Expected an admin of the account to add the user.`,
          },
        };
      case 'error':
        return {
          ok: false,
          status: 500,
          error: {
            error_reason: 'general_error',
            display_message: `Failed to sign in: ${email} is not a user of this partner account and cannot be added automatically. Expected an admin of the account to add the user.`,
          },
        };
    }
  }

  deleteConnection(connectionId: string): { ok: true; resource_status: ResourceStatus } | Refusal {
    const conn = this.liveConnection(connectionId);
    if (!conn) return connectionNotFound('delete the connection', connectionId);
    if (!this.has('keep-deleted-connections')) conn.deleted = true;
    return { ok: true, resource_status: 'resources_deleted' };
  }

  /** Test-only hook: removes the account, its users and its connections. Unknown accounts are fine. */
  deleteAccount(domain: string): { ok: true } | Refusal {
    const d = normaliseDomain(domain);
    if (!isTestDomain(d) && !this.has('delete-any-domain')) {
      return {
        ok: false,
        status: 400,
        error: {
          error_reason: 'bad_request',
          display_message: `Failed to delete the account: domain "${d}" is not a test domain. Expected ${TEST_DOMAIN_LIST}.`,
        },
      };
    }
    this.accounts.delete(d);
    for (const [email, user] of this.users) if (user.domain === d) this.users.delete(email);
    for (const [id, conn] of this.connections) if (conn.domain === d) this.connections.delete(id);
    return { ok: true };
  }

  /** Test-only hook: ends the trial of the user (trial_type user) or of the user's account (account). */
  expireAccount(email: string): { ok: true } | Refusal {
    const e = normaliseEmail(email);
    if (!isTestDomain(domainOf(e))) {
      return {
        ok: false,
        status: 400,
        error: {
          error_reason: 'bad_request',
          display_message: `Failed to expire the account: ${e} is not on a test domain. Expected an email on ${TEST_DOMAIN_LIST}.`,
        },
      };
    }
    if (this.has('ignore-expiry')) return { ok: true };
    const user = this.users.get(e);
    if (this.settings.trialType === 'user') {
      if (user) user.expired = true;
    } else {
      const account = this.accounts.get(user?.domain ?? domainOf(e));
      if (account) account.expired = true;
    }
    return { ok: true };
  }

  testConnection(connectionId: string): { ok: true; test_results: TestResultOut[] } | Refusal {
    const conn = this.liveConnection(connectionId);
    if (!conn) return connectionNotFound('test the connection', connectionId);
    const names: [string, string][] = [
      ['reach SQL warehouse', `The SQL warehouse of workspace ${conn.workspaceId} answered.`],
      ['authenticate', 'The service principal credentials were accepted.'],
      ['list catalogs', 'At least one catalog is readable.'],
    ];
    const bad = this.has('bad-test-results');
    return {
      ok: true,
      test_results: names.map(([test_name, message]) =>
        bad ? { test_name, status: 'OK' } : { test_name, status: 'PASS', message },
      ),
    };
  }

  connectorsPage(token: string | undefined): { ok: true; page: ConnectorsPage } | Refusal {
    if (this.has('empty-connectors')) return { ok: true, page: { connectors: [] } };
    let index = 0;
    if (token !== undefined && token !== '') {
      index = CONNECTOR_PAGES.findIndex((_p, i) => i > 0 && PAGE_TOKEN(i) === token);
      if (index < 0) {
        return {
          ok: false,
          status: 400,
          error: {
            error_reason: 'bad_request',
            display_message: `Failed to list connectors: pagination_token ${JSON.stringify(token)} is unknown. Expected a token from a previous page, or none for the first page.`,
          },
        };
      }
    }
    const page: ConnectorsPage = { connectors: CONNECTOR_PAGES[index]!.map((c) => ({ ...c })) };
    if (index + 1 < CONNECTOR_PAGES.length) page.pagination_token = PAGE_TOKEN(index + 1);
    return { ok: true, page };
  }
}
