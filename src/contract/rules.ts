/**
 * The contract rules every partner answer is judged by (CONTRACT §3–4, JOURNEYS "every response
 * is also checked"). Pure: an HTTP answer in, diagnostics out. Each rule id is stable and
 * appears in reports; RULES says what it means and where the contract says so.
 */
import type { z } from 'zod';
import { errorsOnly, issuesToViolations, show, violation, type Violation } from './diagnostics.js';
import { findDuplicateKey, tryParseExactJson, tryParseJson } from './json.js';
import {
  Connection,
  ConnectorsResponse,
  DeleteConnectionResponse,
  ErrorResponse,
  TestConnectionResponse,
} from './messages.js';

/** The partner APIs Databricks calls (CONTRACT §3–4). */
export type CallKind =
  'connect' | 'delete_connection' | 'delete_account' | 'expire_account' | 'test_connection' | 'connectors';

export const RULES: Record<string, string> = {
  'http.status': 'The status code is one the contract allows for this API (CONTRACT §3–4).',
  'http.redirect': 'An API call is answered directly, never with a 3xx redirect.',
  'http.content_type': 'JSON bodies are sent with Content-Type application/json.',
  'http.body_too_large': 'The answer fits in the body cap pcsim reads (a Connect answer is a few hundred bytes).',
  'http.network': 'The partner answers at all: no refused connection, reset, or timeout.',
  'json.encoding': 'The body is valid UTF-8.',
  'json.syntax': 'The body is one complete, well-formed JSON value.',
  'json.duplicate_key': 'No object of the body has the same key twice (parsers disagree on which value wins).',
  'connect.response.required': 'Connection has every required field (CONTRACT §3).',
  'connect.response.enum': 'redirect_value, user_status, account_status are among the contract values, lower case.',
  'connect.response.type': 'Each Connection field has the contract type.',
  'connect.connection_id.on_sign_in': 'With is_connection_established true, connection_id is omitted (rule 1).',
  'connect.connection_id.required':
    'With established false and configured_resources true, connection_id is present and non-empty (rule 2).',
  'connect.connection_id.unexpected':
    'With established false and configured_resources false, connection_id is omitted (rule 3).',
  'connect.redirect_uri.scheme': 'redirect_uri is an absolute http(s) URL.',
  'connect.redirect_uri.host': 'The host of redirect_uri is one of the partner config hostnames.',
  'connect.redirect_uri.open': 'Opening redirect_uri answers 2xx or 3xx.',
  'error.response.required': 'Error answers carry an ErrorResponse with error_reason.',
  'error.response.enum': 'error_reason is one of the contract values.',
  'error.response.type': 'Each ErrorResponse field has the contract type.',
  'error.reason_status':
    'error_reason matches the status: 400 bad_request, 401 unauthorized, 404 connection_not_found/account_not_found, 500 general_error.',
  'delete_connection.response.required': 'delete-connection answers {resource_status}.',
  'delete_connection.response.enum': 'resource_status is one of the contract values.',
  'delete_connection.response.type': 'delete-connection fields have the contract types.',
  'test_connection.response.required': 'test-connection answers {test_results: [{test_name, status}]}.',
  'test_connection.response.enum': 'Each test result status is PASS, FAIL or UNKNOWN.',
  'test_connection.response.type': 'test-connection fields have the contract types.',
  'connectors.response.required': 'connectors answers {connectors: [{identifier, name, type}]}.',
  'connectors.response.enum': 'Each connector type is source or target.',
  'connectors.response.type': 'connectors fields have the contract types.',
};

/** Statuses each API may answer (CONTRACT §3–4); 401 is always possible for wrong credentials. */
const ALLOWED_STATUS: Record<CallKind, number[]> = {
  connect: [200, 201, 400, 401, 404, 500],
  delete_connection: [200, 400, 401, 404, 500],
  delete_account: [200, 204, 400, 401, 500],
  expire_account: [200, 204, 400, 401, 500],
  test_connection: [200, 400, 401, 404, 500],
  connectors: [200, 400, 401, 500],
};

const SUCCESS_SCHEMA: Partial<Record<CallKind, z.ZodType>> = {
  connect: Connection,
  delete_connection: DeleteConnectionResponse,
  test_connection: TestConnectionResponse,
  connectors: ConnectorsResponse,
};

/** APIs whose success answer has no defined body: an empty 200 is fine there. */
const BODY_OPTIONAL: CallKind[] = ['delete_account', 'expire_account'];

const REASON_FOR_STATUS: Record<number, string[]> = {
  400: ['bad_request'],
  401: ['unauthorized'],
  404: ['connection_not_found', 'account_not_found'],
  500: ['general_error'],
};

export interface JudgeContext {
  kind: CallKind;
  /** Connect only: what Databricks sent as user_info.is_connection_established. */
  established?: boolean;
  /** The partner's allow-list for redirect_uri hosts. */
  hostnames?: readonly string[];
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  truncated: boolean;
}

export interface Judgement {
  /** The parsed JSON body, when there was one. */
  body?: unknown;
  /** The body as text, when it was not JSON (for the report). */
  text?: string;
  violations: Violation[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function judgeAnswer(ctx: JudgeContext, answer: HttpAnswer, maxBodyBytes: number): Judgement {
  const out: Violation[] = [];
  const api = ctx.kind.replace('_', '-');
  const { status } = answer;

  if (status >= 300 && status < 400) {
    out.push(
      violation(
        'http.redirect',
        'status',
        `Failed to call ${api}: the partner answered ${status} redirecting to ${show(answer.headers.location ?? '')}. Expected the API to answer directly (200 or an ErrorResponse); Databricks does not follow redirects on API calls.`,
      ),
    );
  } else if (!ALLOWED_STATUS[ctx.kind].includes(status)) {
    out.push(
      violation(
        'http.status',
        'status',
        `Failed to call ${api}: status ${status} is not part of the contract. Expected one of ${ALLOWED_STATUS[ctx.kind].join(', ')}.`,
      ),
    );
  }
  if (answer.truncated) {
    out.push(
      violation(
        'http.body_too_large',
        '(body)',
        `Failed to read the ${api} answer: the body is larger than ${maxBodyBytes} bytes and was cut${announcedLength(answer.headers)}. Expected a small JSON document.`,
      ),
    );
    return { text: previewText(answer.body), violations: out };
  }

  let text: string;
  try {
    text = utf8.decode(answer.body);
  } catch {
    out.push(
      violation(
        'json.encoding',
        '(body)',
        `Failed to read the ${api} answer: the body is not valid UTF-8. Expected UTF-8 JSON.`,
      ),
    );
    return { text: answer.body.toString('latin1').slice(0, 2000), violations: out };
  }

  const is2xx = status >= 200 && status < 300;
  if (text.trim() === '') {
    if (!(is2xx && BODY_OPTIONAL.includes(ctx.kind)) && status !== 204) {
      out.push(
        violation(
          'json.syntax',
          '(body)',
          `Failed to read the ${api} answer: status ${status} came with an empty body. Expected ${is2xx ? 'a JSON document' : 'an ErrorResponse {error_reason, display_message}'}.`,
        ),
      );
    }
    return { text, violations: out };
  }

  const contentType = answer.headers['content-type'] ?? '';
  const dup = findDuplicateKey(text);
  // Nearly every answer is well-formed with each key once: the native parser reads it. A repeated key
  // goes to lossless-json, which refuses repeats with different values (the branch below).
  const parsed = dup ? tryParseJson(text) : tryParseExactJson(text);
  const looksHtml = /^\s*</.test(text);
  if (!/^application\/([a-z0-9.+-]*\+)?json\b/i.test(contentType.trim())) {
    const what = parsed.ok
      ? 'although the body is JSON'
      : `and the body is not JSON (${looksHtml ? 'it is HTML, ' : ''}it starts with ${show(text.slice(0, 60))})`;
    out.push(
      violation(
        'http.content_type',
        'headers.content-type',
        `Failed to read the ${api} answer: Content-Type is ${show(contentType || '(none)')} ${what}. Expected application/json.`,
      ),
    );
  }
  if (!parsed.ok) {
    const dup = /^Duplicate key '(.*)' encountered at position (\d+)/.exec(parsed.message);
    if (dup) {
      out.push(
        violation(
          'json.duplicate_key',
          '(body)',
          `Failed to parse the ${api} answer as JSON: key ${show(dup[1])} appears twice in one object (at position ${dup[2]}). Expected each key at most once.`,
        ),
      );
    } else {
      const cut = /end of input/i.test(parsed.message);
      const why = looksHtml
        ? 'the body is HTML'
        : cut
          ? `the document is incomplete: it ends after ${answer.body.length} bytes, in the middle of a value (${parsed.message})`
          : parsed.message;
      out.push(
        violation(
          'json.syntax',
          '(body)',
          `Failed to parse the ${api} answer as JSON: ${why}. Expected ${cut ? 'a complete JSON object' : 'a JSON object'}.`,
        ),
      );
    }
    return { text: previewText(answer.body), violations: out };
  }
  if (dup) {
    out.push(
      violation(
        'json.duplicate_key',
        '(body)',
        `Failed to parse the ${api} answer as JSON: key ${show(dup.key)} appears twice in one object (at position ${dup.position}). Expected each key at most once.`,
      ),
    );
  }
  const body = parsed.value;

  if (is2xx) {
    const schema = SUCCESS_SCHEMA[ctx.kind];
    if (schema) {
      const res = schema.safeParse(body);
      if (!res.success)
        out.push(...issuesToViolations(res.error.issues, body, `${ctx.kind}.response`, `validate the ${api} answer`));
    }
    if (ctx.kind === 'connect') out.push(...connectRules(ctx, body));
  } else if (status >= 400) {
    const res = ErrorResponse.safeParse(body);
    if (!res.success)
      out.push(
        ...issuesToViolations(
          res.error.issues,
          body,
          'error.response',
          `validate the ${status} ErrorResponse of ${api}`,
        ),
      );
    else {
      const expected = REASON_FOR_STATUS[status];
      if (expected && !expected.includes(res.data.error_reason)) {
        out.push(
          violation(
            'error.reason_status',
            'error_reason',
            `Failed to validate the ${status} ErrorResponse of ${api}: error_reason is ${show(res.data.error_reason)}. Expected ${expected.join(' or ')} with status ${status}.`,
          ),
        );
      }
    }
  }
  return { body, violations: out };
}

function announcedLength(headers: Record<string, string>): string {
  const n = Number(headers['content-length']);
  return headers['content-length'] !== undefined && Number.isSafeInteger(n)
    ? ` (Content-Length announced ${n} bytes)`
    : '';
}

function previewText(buf: Buffer): string {
  const s = buf.subarray(0, 2000).toString('utf8');
  return buf.length > 2000 ? `${s}… (${buf.length} bytes)` : s;
}

/** The connection_id rules and the redirect_uri checks that need no I/O. */
function connectRules(ctx: JudgeContext, body: unknown): Violation[] {
  const out: Violation[] = [];
  if (!body || typeof body !== 'object') return out;
  const c = body as Record<string, unknown>;
  const hasId = c.connection_id !== undefined && c.connection_id !== null;
  if (ctx.established === true && hasId) {
    out.push(
      violation(
        'connect.connection_id.on_sign_in',
        'connection_id',
        `Failed to validate the sign-in answer: connection_id is ${show(c.connection_id)} although is_connection_established was true. Expected connection_id to be omitted (CONTRACT §3 rule 1).`,
      ),
    );
  }
  if (
    ctx.established === false &&
    c.configured_resources === true &&
    (typeof c.connection_id !== 'string' || c.connection_id === '')
  ) {
    out.push(
      violation(
        'connect.connection_id.required',
        'connection_id',
        `Failed to validate the Connect answer: configured_resources is true but connection_id is ${show(c.connection_id)}. Expected a non-empty connection_id (CONTRACT §3 rule 2).`,
      ),
    );
  }
  if (ctx.established === false && c.configured_resources === false && hasId) {
    out.push(
      violation(
        'connect.connection_id.unexpected',
        'connection_id',
        `Failed to validate the Connect answer: configured_resources is false but connection_id is ${show(c.connection_id)}. Expected connection_id to be omitted; Databricks deletes what it provisioned (CONTRACT §3 rule 3).`,
      ),
    );
  }
  if (typeof c.redirect_uri === 'string' && c.redirect_uri !== '')
    out.push(...redirectUriRules(c.redirect_uri, ctx.hostnames ?? []));
  return out;
}

/** The rules redirectUriRules judges by: an answer judged without any of them has a redirect_uri fit to open. */
export const REDIRECT_URI_RULES: ReadonlySet<string> = new Set([
  'connect.redirect_uri.scheme',
  'connect.redirect_uri.host',
]);

export function redirectUriRules(uri: string, hostnames: readonly string[]): Violation[] {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return [
      violation(
        'connect.redirect_uri.scheme',
        'redirect_uri',
        `Failed to open redirect_uri ${show(uri)}: it is not an absolute URL. Expected an http(s) URL on one of the hostnames.`,
      ),
    ];
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return [
      violation(
        'connect.redirect_uri.scheme',
        'redirect_uri',
        `Failed to open redirect_uri ${show(uri)}: scheme ${url.protocol} is refused. Expected http or https.`,
      ),
    ];
  }
  if (!hostAllowed(url.hostname, hostnames)) {
    return [
      violation(
        'connect.redirect_uri.host',
        'redirect_uri',
        `Failed to open redirect_uri: host ${show(url.hostname)} is not in the partner config hostnames. Expected one of ${hostnames.map((h) => show(h)).join(', ') || '(none listed)'}.`,
      ),
    ];
  }
  return [];
}

/** Exact, case-insensitive host match (IPv6 literals compared without brackets). */
export function hostAllowed(host: string, hostnames: readonly string[]): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return hostnames.some((n) => n.replace(/^\[|\]$/g, '').toLowerCase() === h);
}

/** Whether a judgement lets Databricks go on (no error-severity violation). */
export const isClean = (vs: readonly Violation[]) => errorsOnly(vs).length === 0;
