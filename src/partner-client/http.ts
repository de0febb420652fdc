/**
 * One HTTP attempt with the limits a simulator of misbehaving servers needs: a total deadline,
 * a body cap (a 10 MB answer is read to the cap, then cut), no redirect following (a 3xx on an
 * API call is the partner's answer, judged as such). Never throws: failures are values.
 */
// undici loads with the first call to a partner, not with the CLI or the server (140 ms of start-up).
let undici: Promise<typeof import('undici')> | undefined;
const loadUndici = () => (undici ??= import('undici'));

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxBodyBytes: number;
}

export type HttpResult =
  | { ok: true; status: number; headers: Record<string, string>; body: Buffer; truncated: boolean; duration_ms: number }
  | { ok: false; error: string; code: string; duration_ms: number };

type RawValue = Buffer | string | Array<Buffer | string>;
const latin1 = (v: Buffer | string) => (typeof v === 'string' ? v : v.toString('latin1'));

/**
 * The answer's headers from undici's raw list, as request() and its parseHeaders gave them: names
 * in lower case, values read as latin1, a repeated header's values joined with ", " (a lone
 * "__proto__" never made it through that object either).
 */
function flatHeaders(raw: readonly RawValue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const key = (typeof name === 'string' ? name : latin1(name as Buffer)).toLowerCase();
    if (key === '__proto__') continue;
    const v = raw[i + 1]!;
    const value = Array.isArray(v) ? v.map(latin1).join(', ') : latin1(v);
    out[key] = Object.hasOwn(out, key) ? `${out[key]}, ${value}` : value;
  }
  return out;
}

/** Names a network failure the way a partner engineer searches for it. */
export function describeNetworkError(err: unknown, timeoutMs: number): { code: string; error: string } {
  const e = err as { code?: unknown; name?: string; message?: string; cause?: { code?: unknown; message?: string } };
  // Only string codes: a DOMException (AbortSignal.timeout's TimeoutError) has a legacy numeric code.
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const code = str(e?.code) ?? str(e?.cause?.code) ?? str(e?.name) ?? 'ERROR';
  switch (code) {
    case 'ECONNREFUSED':
      return {
        code,
        error: 'connection refused: nothing is listening at that address (is the partner server running?)',
      };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { code, error: 'DNS lookup failed: the host name of base_url does not resolve' };
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return { code, error: 'the partner closed or reset the connection before answering completely' };
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'TimeoutError':
    case 'AbortError':
      return { code: 'TIMEOUT', error: `no complete answer within ${timeoutMs} ms (timeout)` };
    default:
      return { code, error: `${e?.message ?? String(err)}${e?.cause?.message ? ` (${e.cause.message})` : ''}` };
  }
}

/** The error a body read fails with when the whole-answer deadline passes. */
class DeadlineError extends Error {
  readonly code = 'UND_ERR_BODY_TIMEOUT';
}

/** origin and path of a URL as undici's request() derives them (a URL a second time is not parsed again). */
const targets = new Map<string, { origin: string; path: string }>();
function targetOf(url: string): { origin: string; path: string } {
  let t = targets.get(url);
  if (t) return t;
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw Object.assign(new Error('Invalid URL protocol: the URL must start with `http:` or `https:`.'), {
      code: 'UND_ERR_INVALID_ARG',
    });
  t = { origin: u.origin, path: u.search ? `${u.pathname}${u.search}` : u.pathname };
  if (targets.size >= 256) targets.clear(); // redirect_uris differ per connection: the map stays small
  targets.set(url, t);
  return t;
}

/**
 * The answer as undici's dispatcher hands it over, without request()'s body stream: a Readable and
 * its async iterator per answer cost ~30 µs of the ~60 µs of a call under `pcsim load`. The
 * handler keeps request()'s semantics: 1xx answers skipped, headers as its parseHeaders gave them,
 * a failure after the status line reported with the bytes read so far.
 */
export async function sendHttp(req: HttpRequest): Promise<HttpResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let mod: typeof import('undici');
  try {
    mod = await loadUndici();
  } catch (err) {
    return { ok: false, ...describeNetworkError(err, req.timeoutMs), duration_ms: elapsed() };
  }
  const { getGlobalDispatcher } = mod;
  return new Promise<HttpResult>((resolve) => {
    let status: number | undefined;
    let headers: Record<string, string> = {};
    let announced: string | undefined;
    let abort: ((err?: Error) => void) | undefined;
    let deadline: NodeJS.Timeout | undefined;
    let settled = false;
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: HttpResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(result);
    };
    const fail = (err: unknown) => {
      const failure = describeNetworkError(err, req.timeoutMs);
      if (status !== undefined) {
        // The failure came mid-body: say how far the partner got (a drip, or a reset after the headers).
        const n = Number(announced);
        const of = Number.isSafeInteger(n) && n >= 0 ? ` of the ${n} announced` : '';
        failure.error += ` (after the status line ${status} and ${size} body byte${size === 1 ? '' : 's'}${of})`;
      }
      done({ ok: false, ...failure, duration_ms: elapsed() });
    };
    const ok = (truncated: boolean): HttpResult => ({
      ok: true,
      status: status!,
      headers,
      body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
      truncated,
      duration_ms: elapsed(),
    });
    const handler = {
      onConnect(a: (err?: Error) => void) {
        abort = a;
      },
      onHeaders(statusCode: number, raw: RawValue[]) {
        if (statusCode < 200) return true; // informational: the answer is still to come
        status = statusCode;
        headers = flatHeaders(raw);
        announced = headers['content-length'];
        // The status line and headers are bounded by undici's headersTimeout; the body by one timer
        // for what is left of the budget (a drip of one byte a second must not reset it).
        deadline = setTimeout(
          () => {
            const err = new DeadlineError('deadline');
            fail(err);
            abort?.(err);
          },
          Math.max(0, req.timeoutMs - (performance.now() - started)),
        );
        return true;
      },
      onData(chunk: Buffer) {
        if (settled) return false;
        if (size + chunk.length > req.maxBodyBytes) {
          chunks.push(chunk.subarray(0, req.maxBodyBytes - size));
          size = req.maxBodyBytes;
          done(ok(true));
          abort?.(); // the rest is not read: the connection goes
          return false;
        }
        chunks.push(chunk);
        size += chunk.length;
        return true;
      },
      onComplete() {
        done(ok(false));
      },
      onError(err: Error) {
        fail(err);
      },
    };
    try {
      const { origin, path } = targetOf(req.url);
      getGlobalDispatcher().dispatch(
        {
          origin,
          path,
          method: req.method as 'GET',
          headers: req.headers,
          body: req.body,
          headersTimeout: req.timeoutMs,
          bodyTimeout: req.timeoutMs,
        },
        handler as unknown as Parameters<ReturnType<typeof getGlobalDispatcher>['dispatch']>[1],
      );
    } catch (err) {
      fail(err);
    }
  });
}
