/**
 * A journey's hands: it creates fresh workspaces and users, clicks through the shared
 * Databricks model, and records each exchange as a step with its verdict. A step with an
 * error-severity violation ends the journey (later steps would only repeat the cause).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { customAlphabet } from 'nanoid';
import { errorsOnly, type Violation } from '../contract/diagnostics.js';
import type { Databricks, ConnectOptions, ConnectOutcome, NewWorkspace } from '../databricks/databricks.js';
import type { PartnerRecord, User, Workspace } from '../databricks/model.js';
import type { Exchange } from '../partner-client/types.js';
import type { CoreIntegration } from './core.js';
import { expectNew } from './expectations.js';
import type { StepReport } from './types.js';

const label = customAlphabet('abcdefghijklmnopqrstuvwxyz0123456789', 8);

/** The Basic pair the AUTH journey (and a scenario's `wrong_credentials: true`) sends. */
export const WRONG_CREDENTIALS = { user: 'pcsim-wrong-user', password: 'pcsim-wrong-password' };

export class JourneyAbort extends Error {
  constructor(
    readonly step: string,
    readonly violation: Violation,
  ) {
    super(`${step}: ${violation.message}`);
  }
}

/** The run was stopped (POST /api/runs/{run}/stop): the journey ends before its next call, as a skip. */
export class RunStopped extends Error {
  constructor(readonly before: string) {
    super(`the run was stopped before "${before}"`);
  }
}

/** Sleeps `ms`, or less when the run is stopped (then throws RunStopped naming `step`). */
export async function pause(ms: number, signal: AbortSignal | undefined, step: string): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (err) {
    if (signal?.aborted) throw new RunStopped(step);
    throw err;
  }
}

export function toStep(name: string, ex: Exchange, extra: Violation[]): StepReport {
  return {
    name,
    request: ex.request,
    response: ex.response
      ? { status: ex.response.status, headers: ex.response.headers, body: ex.response.body ?? ex.response.body_text }
      : undefined,
    error: ex.error,
    duration_ms: ex.duration_ms,
    attempts: ex.attempts.length,
    attempt_log: ex.attempts.length > 1 ? ex.attempts : undefined,
    redirect: ex.redirect,
    violations: [...ex.violations, ...extra],
  };
}

export class JourneyContext {
  readonly steps: StepReport[] = [];
  readonly warnings: Violation[] = [];
  private counter = 0;

  constructor(
    readonly dbx: Databricks,
    readonly partner: PartnerRecord,
    readonly journeyId: string,
    /** Aborted when the run is stopped: no new call starts after that. */
    readonly signal?: AbortSignal,
    /** Set when the run judges the core integration: how, and how long a core_integration step waits. */
    readonly core?: { integration: CoreIntegration; seconds: number; pollMs?: number },
  ) {}

  /** Throws RunStopped when the run was stopped; called before each call to the partner. */
  goOn(step: string): void {
    if (this.signal?.aborted) throw new RunStopped(step);
  }

  get config() {
    return this.partner.config;
  }

  /** A fresh sub-domain of databricks-test.com, so the test-only hooks are allowed. */
  testDomain(): string {
    return `${this.journeyId.toLowerCase()}-${label()}.databricks-test.com`;
  }

  /** A fresh domain that is not a test domain (P405). */
  customerDomain(): string {
    return `${this.journeyId.toLowerCase()}-${label()}.pcsim-customer.example`;
  }

  workspace(input: NewWorkspace = {}): Promise<Workspace> {
    return this.dbx.createWorkspace({ name: `${this.journeyId} ws${++this.counter}`, ...input });
  }

  user(ws: Workspace, email: string): Promise<User> {
    const local = email.split('@')[0]!;
    return this.dbx.addUser(ws.id, { email, first_name: local.toUpperCase(), last_name: 'Tester' });
  }

  /** Adds an existing user to another workspace. */
  join(ws: Workspace, user: User): Promise<User> {
    return this.dbx.addUser(ws.id, { email: user.email });
  }

  /** Records an exchange as a step, judged by `expect`; aborts the journey on an error. */
  record(name: string, ex: Exchange, expect: (ex: Exchange) => Violation[]): Exchange {
    const extra = expect(ex);
    const step = toStep(name, ex, extra);
    this.steps.push(step);
    const first = errorsOnly(step.violations)[0];
    if (first) throw new JourneyAbort(name, first);
    return ex;
  }

  async connect(
    name: string,
    ws: Workspace,
    user: User,
    expect: (ex: Exchange) => Violation[],
    opts: ConnectOptions = {},
  ): Promise<ConnectOutcome> {
    this.goOn(name);
    const outcome = await this.dbx.connect(ws.id, user.id, this.partner.id, opts);
    this.record(name, outcome.exchange, expect);
    return outcome;
  }

  async hook(name: string, call: () => Promise<Exchange>, expect: (ex: Exchange) => Violation[]): Promise<Exchange> {
    this.goOn(name);
    return this.record(name, await call(), expect);
  }

  /**
   * The opening most journeys share: a fresh workspace, user u1 of a fresh test domain (or of
   * `domain`), and u1's first Connect judged as "validate new".
   */
  async connectedU1(
    domain = this.testDomain(),
    name = 'connect u1',
  ): Promise<{ ws: Workspace; u1: User; domain: string; first: ConnectOutcome }> {
    const ws = await this.workspace();
    const u1 = await this.user(ws, `u1@${domain}`);
    const first = await this.connect(name, ws, u1, (ex) => expectNew(ex));
    return { ws, u1, domain, first };
  }

  /** "Databricks forgets the connection": deleted on the Databricks side without telling the partner. */
  async forget(ws: Workspace): Promise<void> {
    await this.dbx.deleteConnection(ws.id, this.partner.id, { notifyPartner: false });
  }
}
