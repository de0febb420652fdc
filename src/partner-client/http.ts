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

function flatHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h))
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
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

export async function sendHttp(req: HttpRequest): Promise<HttpResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let res: Awaited<ReturnType<typeof import('undici').request>> | undefined;
  let deadline: NodeJS.Timeout | undefined;
  let size = 0;
  try {
    // The status line and headers are bounded by undici's headersTimeout; the body by one timer
    // for what is left of the budget (a drip of one byte a second must not reset it). No
    // AbortSignal per call: under `pcsim load` creating one cost more than the rest of this function.
    const { request } = await loadUndici();
    res = await request(req.url, {
      method: req.method as 'GET',
      headers: req.headers,
      body: req.body,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    });
    const body = res.body;
    deadline = setTimeout(
      () => body.destroy(new DeadlineError('deadline')),
      Math.max(0, req.timeoutMs - (performance.now() - started)),
    );
    const chunks: Buffer[] = [];
    let truncated = false;
    for await (const chunk of body) {
      const buf = chunk as Buffer;
      if (size + buf.length > req.maxBodyBytes) {
        chunks.push(buf.subarray(0, req.maxBodyBytes - size));
        size = req.maxBodyBytes;
        truncated = true;
        body.destroy();
        break;
      }
      chunks.push(buf);
      size += buf.length;
    }
    return {
      ok: true,
      status: res.statusCode,
      headers: flatHeaders(res.headers),
      body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
      truncated,
      duration_ms: elapsed(),
    };
  } catch (err) {
    const failure = describeNetworkError(err, req.timeoutMs);
    if (res) {
      // The failure came mid-body: say how far the partner got (a drip, or a reset after the headers).
      res.body.destroy();
      const announced = Number(res.headers['content-length']);
      const of = Number.isSafeInteger(announced) && announced >= 0 ? ` of the ${announced} announced` : '';
      failure.error += ` (after the status line ${res.statusCode} and ${size} body byte${size === 1 ? '' : 's'}${of})`;
    }
    return { ok: false, ...failure, duration_ms: elapsed() };
  } finally {
    clearTimeout(deadline);
  }
}
