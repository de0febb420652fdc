/**
 * The outbound side: sends each Partner Connect call exactly as Databricks does (CONTRACT §2),
 * applies Databricks' retry policy, opens the redirect_uri, judges the answer against the
 * contract and records the whole exchange with secrets redacted. Never throws for anything a
 * partner does: a refused connection or a garbage body is a verdict, not an exception.
 */
import { nanoid } from 'nanoid';
import { stringifyExactJson } from '../contract/json.js';
import type { PartnerConfig } from '../contract/partner-config.js';
import { judgeAnswer, REDIRECT_URI_RULES } from '../contract/rules.js';
import { violation, type Violation } from '../contract/diagnostics.js';
import { sendHttp, type HttpResult } from './http.js';
import { createRedactor } from './redact.js';
import type { Attempt, AttemptProgress, CallKind, Exchange, RedirectCheck } from './types.js';

export interface Credentials {
  user: string;
  password: string;
}

export interface PartnerClientOptions {
  config: PartnerConfig;
  partnerId?: string;
  credentials: Credentials;
  /** Per attempt. Default 30000. */
  timeoutMs?: number;
  /** Waits before each retry of a 5xx or network failure. Default 1000,2000,4000 (CONTRACT §3). */
  retryBackoffMs?: readonly number[];
  /** Bodies beyond this are cut and reported. Default 1 MiB. */
  maxBodyBytes?: number;
  acceptLanguage?: string;
  /** Secrets shown in clear (local debugging only). */
  showSecrets?: boolean;
  sleep?: (ms: number) => Promise<void>;
  /** Open each Connect redirect_uri as Databricks does (default true); `pcsim load --no-launch-check` turns it off. */
  openRedirects?: boolean;
  /** Told after each attempt, before any back-off (the UI shows retries as they happen). Must not throw. */
  onAttempt?: (progress: AttemptProgress) => void;
}

export interface PartnerCall {
  kind: CallKind;
  /** The wire body (int64 ids as bigint). */
  body?: unknown;
  query?: Record<string, string>;
  /** Connect: what Databricks sends as is_connection_established (selects the connection_id rule). */
  established?: boolean;
  /** Replaces the configured Basic credentials (the AUTH journey sends wrong ones). */
  credentials?: Credentials;
  workspace_id?: string;
  user_id?: string;
}

export const DEFAULT_BACKOFF_MS = [1000, 2000, 4000] as const;
export const DEFAULT_TIMEOUT_MS = 30000;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

const ROUTES: Record<CallKind, { method: string; endpoint: keyof PartnerConfig['endpoints'] }> = {
  connect: { method: 'POST', endpoint: 'connect_path' },
  delete_connection: { method: 'POST', endpoint: 'delete_connection_path' },
  delete_account: { method: 'DELETE', endpoint: 'delete_account_path' },
  expire_account: { method: 'PUT', endpoint: 'expire_account_path' },
  test_connection: { method: 'POST', endpoint: 'test_connection_path' },
  connectors: { method: 'GET', endpoint: 'get_connectors_path' },
};

/** Whether the partner implements the API behind a call kind. */
export function supports(config: PartnerConfig, kind: CallKind): boolean {
  return Boolean(config.endpoints[ROUTES[kind].endpoint]);
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const SECRET_KEY = /token|secret|password/i;

/** Values under these keys of an outgoing body are secrets to scrub wherever they reappear (added to `found`). */
function secretsIn(v: unknown, found: string[], key?: string): string[] {
  if (typeof v === 'string' && key && SECRET_KEY.test(key)) found.push(v);
  else if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) secretsIn(o[k], found, k);
  }
  return found;
}

/** The Basic header value of a credentials pair. */
const basicOf = (c: Credentials) => Buffer.from(`${c.user}:${c.password}`).toString('base64');

export class PartnerClient {
  readonly timeoutMs: number;
  readonly backoff: readonly number[];
  readonly maxBodyBytes: number;
  private readonly sleep: (ms: number) => Promise<void>;

  /** The configured pair's Basic value, encoded once. */
  private readonly basic: string;

  constructor(readonly opts: PartnerClientOptions) {
    this.basic = basicOf(opts.credentials);
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.backoff = opts.retryBackoffMs ?? DEFAULT_BACKOFF_MS;
    this.maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.sleep = opts.sleep ?? defaultSleep;
  }

  get config(): PartnerConfig {
    return this.opts.config;
  }

  /** Query-less URLs per call kind, built once: `pcsim load` asks thousands of times a second. */
  private readonly urls = new Map<CallKind, string>();

  urlFor(kind: CallKind, query?: Record<string, string>): string {
    const plain = query === undefined || Object.keys(query).length === 0;
    const cached = plain ? this.urls.get(kind) : undefined;
    if (cached) return cached;
    const path = this.config.endpoints[ROUTES[kind].endpoint];
    const url = new URL(this.config.base_url.replace(/\/+$/, '') + (path ?? ''));
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
    const text = url.toString();
    if (plain) this.urls.set(kind, text);
    return text;
  }

  async call(call: PartnerCall): Promise<Exchange> {
    const started = performance.now();
    const { method } = ROUTES[call.kind];
    const creds = call.credentials ?? this.opts.credentials;
    const basic = creds === this.opts.credentials ? this.basic : basicOf(creds);
    // The encoded header is a secret too: a partner may echo it back in a debugging_message.
    const redact = createRedactor(
      secretsIn(call.body, [this.opts.credentials.password, creds.password, basic]),
      !this.opts.showSecrets,
    );
    const url = this.urlFor(call.kind, call.query);
    const headers: Record<string, string> = {
      'User-Agent': 'databricks',
      Authorization: `Basic ${basic}`,
      'Accept-Language': this.opts.acceptLanguage ?? 'en-US',
    };
    const bodyText = call.body === undefined ? undefined : stringifyExactJson(call.body); // exact, at native speed
    if (bodyText !== undefined) headers['Content-Type'] = 'application/json';

    const exchange: Exchange = {
      id: nanoid(12),
      at: new Date().toISOString(),
      kind: call.kind,
      partner: this.opts.partnerId,
      workspace_id: call.workspace_id,
      user_id: call.user_id,
      request: {
        method,
        url,
        headers: redact.headers(headers),
        body: call.body === undefined ? undefined : redact.body(call.body),
      },
      attempts: [],
      duration_ms: 0,
      violations: [],
    };

    if (!supports(this.config, call.kind)) {
      exchange.violations.push(
        violation(
          'config.endpoint_missing',
          ROUTES[call.kind].endpoint,
          `Failed to call ${call.kind}: the partner config has no endpoints.${ROUTES[call.kind].endpoint}. Expected the endpoint to be declared before it is called.`,
        ),
      );
      return exchange;
    }

    let result: HttpResult | undefined;
    for (let n = 1; n <= this.backoff.length + 1; n++) {
      const waited = n === 1 ? 0 : this.backoff[n - 2]!;
      if (waited > 0) await this.sleep(waited);
      result = await sendHttp({
        method,
        url,
        headers,
        body: bodyText,
        timeoutMs: this.timeoutMs,
        maxBodyBytes: this.maxBodyBytes,
      });
      const attempt: Attempt = { n, waited_ms: waited, duration_ms: result.duration_ms };
      if (result.ok) attempt.status = result.status;
      else attempt.error = result.error;
      exchange.attempts.push(attempt);
      // A timeout is not retried: the partner already had the whole timeout, and retrying a hanging
      // partner multiplied it by the attempts (4 × 30 s + back-off per journey). Refused or reset
      // connections are retried (a partner restarting), as are 5xx answers (CONTRACT §3).
      const retryable = result.ok ? result.status >= 500 : result.code !== 'TIMEOUT';
      const retryIn = retryable && n <= this.backoff.length ? this.backoff[n - 1]! : undefined;
      if (this.opts.onAttempt) {
        try {
          this.opts.onAttempt({
            exchange_id: exchange.id,
            kind: call.kind,
            partner: this.opts.partnerId,
            workspace_id: call.workspace_id,
            user_id: call.user_id,
            n,
            of: this.backoff.length + 1,
            status: attempt.status,
            error: attempt.error !== undefined ? redact.text(attempt.error) : undefined,
            duration_ms: attempt.duration_ms,
            retry_in_ms: retryIn,
          });
        } catch {
          // A progress listener never changes the call.
        }
      }
      if (!retryable) break;
    }

    if (!result!.ok) {
      exchange.error = result!.error;
      const tries = exchange.attempts.length;
      exchange.violations.push(
        violation(
          'http.network',
          '(connection)',
          `Failed to call ${call.kind} at ${url}: ${result!.error}${tries > 1 ? ` (${tries} attempts)` : ''}. Expected an HTTP answer within ${this.timeoutMs} ms.`,
        ),
      );
    } else {
      const judged = judgeAnswer(
        { kind: call.kind, established: call.established, hostnames: this.config.hostnames },
        result!,
        this.maxBodyBytes,
      );
      exchange.response = {
        status: result!.status,
        headers: redact.headers(result!.headers),
        body: judged.body === undefined ? undefined : redact.body(judged.body),
        body_text: judged.text === undefined ? undefined : redact.text(judged.text),
        body_bytes: result!.body.length,
        truncated: result!.truncated || undefined,
      };
      exchange.violations.push(...judged.violations);
      if (call.kind === 'connect' && result!.status >= 200 && result!.status < 300) {
        const uri = (judged.body as { redirect_uri?: unknown } | undefined)?.redirect_uri;
        if (
          this.opts.openRedirects !== false &&
          typeof uri === 'string' &&
          uri !== '' &&
          redirectUriPasses(judged.violations)
        ) {
          exchange.redirect = await this.openRedirect(uri);
          const v = redirectVerdict(exchange.redirect);
          if (v) exchange.violations.push(v);
        }
      }
    }
    exchange.duration_ms = Math.round(performance.now() - started);
    return exchange;
  }

  /** Databricks opens redirect_uri in a new tab: one GET, redirects not followed, as a browser would land. */
  private async openRedirect(uri: string): Promise<RedirectCheck> {
    const res = await sendHttp({
      method: 'GET',
      url: uri,
      headers: { 'User-Agent': 'Mozilla/5.0 (pcsim; Partner Connect launch check)', Accept: 'text/html' },
      timeoutMs: this.timeoutMs,
      maxBodyBytes: 64 * 1024,
    });
    return res.ok
      ? { url: uri, status: res.status, duration_ms: res.duration_ms }
      : { url: uri, error: res.error, duration_ms: res.duration_ms };
  }
}

/**
 * Whether judgeAnswer found the redirect_uri of a 2xx Connect answer acceptable: it judged that very
 * uri with redirectUriRules against the config's hostnames, so its verdict is read instead of
 * parsing the URL a second time.
 */
const redirectUriPasses = (judged: readonly Violation[]) => !judged.some((v) => REDIRECT_URI_RULES.has(v.rule));

function redirectVerdict(r: RedirectCheck): Violation | undefined {
  if (r.error)
    return violation(
      'connect.redirect_uri.open',
      'redirect_uri',
      `Failed to open redirect_uri ${r.url}: ${r.error}. Expected the page to answer 2xx or 3xx.`,
    );
  if (r.status !== undefined && (r.status < 200 || r.status >= 400))
    return violation(
      'connect.redirect_uri.open',
      'redirect_uri',
      `Failed to open redirect_uri ${r.url}: it answered ${r.status}. Expected 2xx or 3xx.`,
    );
  return undefined;
}
